import datetime

import pytest

from apps.teams.models import Team
from tests.factories import (
    InteractionFactory,
    MembershipFactory,
    PlatformTeamFactory,
    TeamFactory,
    ValueStreamFactory,
)
from tests.querycount import assert_queries_independent_of_rows

pytestmark = pytest.mark.django_db

PAGES = ["/", "/teams/", "/teams/streams/", "/teams/interactions/", "/teams/topology/"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_require_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_team_page_reads_as_team_api(client, browser_login, team, team_lead):
    InteractionFactory(from_team=team, purpose="Use the training service", start_date="2026-01-01")
    InteractionFactory(from_team=team, purpose="Future work", start_date="2099-01-01")
    page = browser_login(client, team_lead).get(f"/teams/{team.slug}/").content.decode()
    for text in [
        "Team API",
        "Focus",
        "Service-level expectations",
        "Software owned",
        "Chat channels",
        "Ways of working",
        "Working on now",
        "Current interactions",
        "Planned interactions",
        "Use the training service",
        "Future work",
        "Edit Team API",
    ]:
        assert text in page


def test_edit_button_hidden_and_edit_page_forbidden_for_outsider(client, browser_login, team, outsider):
    browser_login(client, outsider)
    assert "Edit Team API" not in client.get(f"/teams/{team.slug}/").content.decode()
    assert client.get(f"/teams/{team.slug}/edit/").status_code == 403


def test_team_form_shows_field_errors_and_saves_nothing(client, browser_login, team, team_lead):
    browser_login(client, team_lead)
    response = client.post(
        f"/teams/{team.slug}/edit/",
        {
            "name": team.name,
            "slug": team.slug,
            "team_type": "stream_aligned",
            "value_stream": "",
            "capacity_points": "-3",
            "wip_limit": "2",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "A stream-aligned team needs the value stream it serves." in page
    assert "greater than or equal to 0" in page
    team.refresh_from_db()
    assert team.value_stream is not None


def test_team_form_saves(client, browser_login, team, team_lead):
    browser_login(client, team_lead)
    response = client.post(
        f"/teams/{team.slug}/edit/",
        {
            "name": team.name,
            "slug": team.slug,
            "team_type": "stream_aligned",
            "value_stream": team.value_stream_id,
            "focus": "Faster checkout",
            "capacity_points": "12",
            "wip_limit": "4",
        },
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.focus, team.capacity_points) == ("Faster checkout", 12)


def test_team_list_filters_by_type(client, browser_login, outsider):
    TeamFactory(name="Aardvark Stream Team")
    PlatformTeamFactory(name="Zebra Platform")
    page = browser_login(client, outsider).get("/teams/?team_type=platform").content.decode()
    assert "Zebra Platform" in page and "Aardvark Stream Team" not in page


def test_yes_no_filter_reads_any_and_filters(client, browser_login, outsider):
    TeamFactory(name="Aardvark Stream Team", provides_services=False)
    PlatformTeamFactory(name="Zebra Platform", provides_services=True)
    browser_login(client, outsider)
    page = client.get("/teams/").content.decode()
    assert '<option value="" selected>Any</option>' in page and "Unknown" not in page
    page = client.get("/teams/?provides_services=true").content.decode()
    assert "Zebra Platform" in page and "Aardvark Stream Team" not in page


def test_add_member_selects_say_what_to_pick(client, browser_login, team, team_lead):
    page = browser_login(client, team_lead).get(f"/teams/{team.slug}/").content.decode()
    assert '<option value="" selected>Person…</option>' in page
    assert '<option value="" selected>Role…</option>' in page


def test_interaction_team_filter_has_a_label(client, browser_login, outsider):
    page = browser_login(client, outsider).get("/teams/interactions/").content.decode()
    assert "Team (either side)" in page and "[invalid name]" not in page


def test_interaction_form_refuses_self_interaction(client, browser_login, team, team_lead):
    browser_login(client, team_lead)
    response = client.post(
        "/teams/interactions/new/",
        {
            "from_team": team.pk,
            "to_team": team.pk,
            "mode": "collaboration",
            "purpose": "p",
            "start_date": "2026-01-01",
            "expected_end": "2026-02-01",
        },
    )
    assert "A team cannot interact with itself" in response.content.decode()


def test_interaction_edit_form_keeps_its_dates_in_the_date_pickers(client, browser_login, team, team_lead):
    interaction = InteractionFactory(from_team=team, start_date=datetime.date(2026, 5, 11))
    browser_login(client, team_lead)
    page = client.get(f"/teams/interactions/{interaction.pk}/edit/").content.decode()
    # <input type="date"> only shows ISO values; "11/05/2026" (the locale's format) leaves it blank
    assert 'type="date" name="start_date" value="2026-05-11"' in page


def test_topology_draws_each_team_as_a_link_and_each_interaction(client, browser_login, outsider):
    interaction = InteractionFactory(mode="facilitating", expected_end="2099-01-01")
    page = browser_login(client, outsider).get("/teams/topology/").content.decode()
    for team in Team.objects.all():
        assert f'href="/teams/{team.slug}/"' in page
    assert page.count('class="edge edge-facilitating') == 1
    assert interaction.purpose in page


def add_teams():
    for _ in range(3):
        team = TeamFactory()
        MembershipFactory(team=team)
        InteractionFactory(from_team=team)


PAGE_QUERIES = {
    "/": 13,  # the role home (apps.home): roles, stream, waiting requests, boards, feedback, gates, filed
    "/teams/": 5,
    "/teams/streams/": 4,
    "/teams/interactions/": 5,
    "/teams/topology/": 4,
    # detail pages: +1 for their History section (apps.audit)
    "/teams/streams/{stream}/": 5,
    "/teams/{team}/": 13,  # + which members are service accounts (apps.teams.hooks.managed_members)
}


@pytest.mark.parametrize("url", PAGES + ["/teams/streams/{stream}/", "/teams/{team}/"])
def test_page_query_count_does_not_grow_with_rows(client, browser_login, outsider, url):
    team = TeamFactory()
    browser_login(client, outsider)

    def add_rows():
        add_teams()
        for _ in range(3):
            MembershipFactory(team=team)
            InteractionFactory(from_team=team)
            TeamFactory(value_stream=team.value_stream)
        ValueStreamFactory()

    assert_queries_independent_of_rows(
        client,
        url.format(stream=team.value_stream.slug, team=team.slug),
        add_rows,
        expected=PAGE_QUERIES[url],
    )


@pytest.mark.parametrize(
    "url", ["/api/v1/streams/", "/api/v1/teams/", "/api/v1/members/", "/api/v1/interactions/"]
)
def test_api_list_query_count_does_not_grow_with_rows(api_as, outsider, url):
    assert_queries_independent_of_rows(api_as(outsider), url, add_teams, expected=3)
