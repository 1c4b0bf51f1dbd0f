import pytest

from apps.modelrequests.models import ModelRequest, RequestStatus
from apps.teams.models import MemberRole
from tests.factories import MembershipFactory, PlatformTeamFactory
from tests.modelrequests.factories import ModelRequestFactory, rice_inputs

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def row_titles(page):
    return page.locator("#backlog tr.backlog-row td:nth-child(3)").all_inner_texts()


def test_pm_drags_a_card_on_the_backlog_and_the_order_survives_reload(login_page, screenshot):
    team = PlatformTeamFactory(name="ML Platform", capacity_points=4)
    pm = MembershipFactory(team=team, role=MemberRole.PRODUCT_MANAGER).user
    for title, reach in (("Fraud scorer", 900), ("Churn model", 500), ("Demand forecast", 100)):
        ModelRequestFactory(title=title, delivering_team=team, **rice_inputs(reach, effort=2))

    page = login_page(pm)
    page.goto(f"/requests/backlog/?delivering_team={team.slug}")
    assert row_titles(page) == ["Fraud scorer", "Churn model", "Demand forecast"]
    assert page.locator("tr.capacity-line").count() == 1
    page.fill("#rank-reason", "Forecast needed before the peak season")
    source = page.locator("#backlog tr.backlog-row", has_text="Demand forecast")
    target = page.locator("#backlog tr.backlog-row", has_text="Fraud scorer")
    with page.expect_navigation():
        source.drag_to(target, target_position={"x": 200, "y": 3})  # upper half: drop before
    assert "Placed #" in page.locator(".messages").inner_text()
    page.reload()
    assert row_titles(page) == ["Demand forecast", "Fraud scorer", "Churn model"]
    assert page.get_by_text("“Forecast needed before the peak season”").is_visible()
    screenshot(page, "requests-backlog-after-drag")
    moved = ModelRequest.objects.get(title="Demand forecast")
    assert (moved.manual_rank, moved.ranked_by) == (1, pm)


def test_kanban_drop_goes_through_the_workflow(login_page, screenshot):
    team = PlatformTeamFactory(name="ML Platform")
    engineer = MembershipFactory(team=team, role=MemberRole.ENGINEER).user
    request = ModelRequestFactory(title="Fraud scorer", delivering_team=team, status=RequestStatus.ACCEPTED)

    page = login_page(engineer)
    page.goto(f"/requests/board/?delivering_team={team.slug}")
    card = page.locator(f'.kcard[data-id="{request.pk}"]')
    with page.expect_navigation():
        card.drag_to(page.locator('.kcol[data-status="delivered"]'))
    assert (
        "cannot move to Delivered. Moves you may make: in_progress." in page.locator(".messages").inner_text()
    )
    card = page.locator(f'.kcard[data-id="{request.pk}"]')
    with page.expect_navigation():
        card.drag_to(page.locator('.kcol[data-status="in_progress"]'))
    assert "moved to In progress" in page.locator(".messages").inner_text()
    assert page.locator('.kcol[data-status="in_progress"] .kcard').count() == 1
    screenshot(page, "requests-kanban-after-drop")


def test_flow_page_draws_the_cumulative_flow_diagram(login_page, screenshot):
    team = PlatformTeamFactory(name="ML Platform")
    pm = MembershipFactory(team=team, role=MemberRole.PRODUCT_MANAGER).user
    for _ in range(3):
        ModelRequestFactory(delivering_team=team)
    page = login_page(pm)
    page.goto(f"/requests/flow/?delivering_team={team.slug}")
    page.wait_for_selector("#cfd .main-svg")
    assert page.locator("#throughput .main-svg").count() >= 1
    screenshot(page, "requests-flow")
