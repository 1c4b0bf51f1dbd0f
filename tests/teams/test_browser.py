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
    assert page.locator("svg#topology line.edge-x_as_a_service").count() == 1
    screenshot(page, "topology")

    page.locator(f'svg#topology a.node[data-team="{team.slug}"]').click()
    page.wait_for_url(f"**/teams/{team.slug}/")
    assert page.locator("h1").inner_text().startswith("Checkout Experience")
    assert page.get_by_text("Make paying fast and safe.").first.is_visible()
    assert page.get_by_text("Train on the platform").is_visible()
    screenshot(page, "team-page")
