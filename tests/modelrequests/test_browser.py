import pytest

from apps.modelrequests.models import ModelRequest
from apps.teams.models import MemberRole
from tests.factories import MembershipFactory, PlatformTeamFactory
from tests.modelrequests.factories import ModelRequestFactory, rice_inputs

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def row_titles(page):
    return page.locator("#backlog tr.backlog-row td:nth-child(3) > a").all_inner_texts()


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
    page.evaluate("() => { window.portalTestMarker = 'the page before the drag'; }")
    # htmx posts the rank form and swaps in the board the server renders: no reload
    with page.expect_response(lambda response: "/requests/backlog/rank/" in response.url):
        source.drag_to(target, target_position={"x": 200, "y": 3})  # upper half: drop before
    page.locator("#backlog-answer").get_by_text("Pinned #").wait_for()
    assert row_titles(page) == ["Demand forecast", "Fraud scorer", "Churn model"]
    assert page.evaluate("() => window.portalTestMarker") == "the page before the drag"
    screenshot(page, "requests-backlog-after-drag-in-place")
    page.reload()
    assert row_titles(page) == ["Demand forecast", "Fraud scorer", "Churn model"]
    assert page.get_by_text("“Forecast needed before the peak season”").is_visible()
    screenshot(page, "requests-backlog-after-drag")
    moved = ModelRequest.objects.get(title="Demand forecast")
    assert (moved.manual_rank, moved.ranked_by) == (1, pm)
    # Unpin through htmx too: the board follows the score again, in place
    with page.expect_response(lambda response: "/unpin/" in response.url):
        page.get_by_role("button", name=f"Unpin #{moved.pk} Demand forecast").click()
    page.locator("#backlog-answer").get_by_text("it follows its score again").wait_for()
    assert row_titles(page) == ["Fraud scorer", "Churn model", "Demand forecast"]
    assert ModelRequest.objects.get(pk=moved.pk).manual_rank is None


def test_pm_moves_a_request_from_another_page_to_any_rank_with_the_keyboard(
    login_page, screenshot, monkeypatch
):
    monkeypatch.setattr("apps.modelrequests.views.BACKLOG_PAGE_SIZE", 3)
    team = PlatformTeamFactory(name="ML Platform", capacity_points=6)
    pm = MembershipFactory(team=team, role=MemberRole.PRODUCT_MANAGER).user
    titles = ["Fraud scorer", "Churn model", "Demand forecast", "Price elasticity", "Returns predictor"]
    ids = {
        title: ModelRequestFactory(
            title=title, delivering_team=team, **rice_inputs(900 - 100 * i, effort=2)
        ).pk
        for i, title in enumerate(titles)
    }

    page = login_page(pm)
    page.goto(f"/requests/backlog/?delivering_team={team.slug}&page=2")
    assert row_titles(page) == ["Price elasticity", "Returns predictor"]
    page.fill("#rank-reason", "Needed for the spring sale")
    page.get_by_label(f"New rank for #{ids['Returns predictor']} Returns predictor").focus()
    page.keyboard.type("1")
    with page.expect_response(lambda response: "/requests/backlog/rank/" in response.url):
        page.keyboard.press("Enter")
    page.locator("#backlog-answer").get_by_text(
        f"Pinned #{ids['Returns predictor']} Returns predictor at rank 1."
    ).wait_for()
    assert row_titles(page) == ["Demand forecast", "Price elasticity"]  # back on page 2

    # Tab from the box to its Move button and press it: the move names its row; with no reason
    # typed, the page asks for one
    page.goto(f"/requests/backlog/?delivering_team={team.slug}")
    page.once("dialog", lambda dialog: dialog.accept("Leads want it later"))
    assert row_titles(page) == ["Returns predictor", "Fraud scorer", "Churn model"]
    page.get_by_label(f"New rank for #{ids['Fraud scorer']} Fraud scorer").focus()
    page.keyboard.type("4")
    page.keyboard.press("Tab")
    with page.expect_response(lambda response: "/requests/backlog/rank/" in response.url):
        page.keyboard.press("Space")
    page.locator("#backlog-answer").get_by_text("Fraud scorer at rank 4 (page 2).").wait_for()
    assert row_titles(page) == ["Returns predictor", "Churn model", "Demand forecast"]
    screenshot(page, "requests-backlog-move-to-rank")
    page.goto(f"/requests/backlog/?delivering_team={team.slug}&page=2")
    assert row_titles(page) == ["Fraud scorer", "Price elasticity"]
    assert ModelRequest.objects.get(pk=ids["Fraud scorer"]).rank_reason == "Leads want it later"


def test_flow_page_draws_the_cumulative_flow_diagram(login_page, screenshot):
    team = PlatformTeamFactory(name="ML Platform")
    pm = MembershipFactory(team=team, role=MemberRole.PRODUCT_MANAGER).user
    for _ in range(3):
        ModelRequestFactory(delivering_team=team)
    page = login_page(pm)
    page.goto(f"/requests/flow/?delivering_team={team.slug}")
    page.wait_for_selector("[data-chart=cfd-data] .main-svg")
    assert page.locator("[data-chart=throughput-data] .main-svg").count() >= 1
    screenshot(page, "requests-flow")
