import pytest

from apps.teams.models import MemberRole
from tests.factories import InteractionFactory, MembershipFactory, PlatformTeamFactory, TeamFactory

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_product_manager_opens_topology_and_a_team_page(login_page, screenshot):
    team = TeamFactory(name="Checkout Experience", focus="Make paying fast and safe.")
    platform = PlatformTeamFactory(name="ML Platform")
    InteractionFactory(from_team=team, to_team=platform, purpose="Train on the platform")
    pm = MembershipFactory(team=team, role=MemberRole.PRODUCT_MANAGER).user

    page = login_page(pm)
    page.goto("/teams/topology/")
    assert page.locator("svg#topology a.node").count() == 2
    assert page.locator("svg#topology path.edge-x_as_a_service").count() == 1
    screenshot(page, "topology")

    page.locator(f'svg#topology a.node[data-team="{team.slug}"]').click()
    page.wait_for_url(f"**/teams/{team.slug}/")
    assert page.locator("h1").inner_text().startswith("Checkout Experience")
    assert page.get_by_text("Make paying fast and safe.").first.is_visible()
    assert page.get_by_text("Train on the platform").is_visible()
    screenshot(page, "team-page")


def test_pointing_at_a_team_lights_its_interactions_and_fades_the_rest(login_page, screenshot):
    checkout, payments, fraud = (TeamFactory(name=name) for name in ("Checkout", "Payments", "Fraud"))
    platform = PlatformTeamFactory(name="ML Platform")
    for team in (checkout, payments):
        InteractionFactory(from_team=team, to_team=platform)
    InteractionFactory(from_team=fraud, to_team=payments, mode="collaboration")
    page = login_page(MembershipFactory(team=checkout).user)
    page.goto("/teams/topology/")
    page.locator(f'svg#topology a.node[data-team="{checkout.slug}"]').hover()
    lit = page.eval_on_selector_all("svg#topology .edge.lit", "els => els.map(e => e.dataset.teams)")
    assert lit == [f"{checkout.slug} {platform.slug}"]
    faded = page.eval_on_selector_all(
        "svg#topology .node:not(.lit)", "els => els.map(e => e.dataset.team).sort()"
    )
    assert faded == sorted([payments.slug, fraud.slug])
    # the other interactions fade (after a short transition)
    page.wait_for_function(
        "sel => getComputedStyle(document.querySelector(sel)).opacity < 0.2",
        arg=f'svg#topology .edge[data-teams="{fraud.slug} {payments.slug}"]',
    )
    screenshot(page, "topology-hover")
    # the keyboard: focusing a team's link does the same; leaving it restores the drawing
    page.mouse.move(0, 0)
    assert page.locator("svg#topology.highlighting").count() == 0
    page.locator(f'svg#topology a.node[data-team="{payments.slug}"]').focus()
    assert page.locator("svg#topology .edge.lit").count() == 2
    page.locator(f'svg#topology a.node[data-team="{payments.slug}"]').blur()
    assert page.locator("svg#topology .edge.lit").count() == 0
