"""Inline scoring in Chromium: each side sets its inputs from selects in place (new score and rank
shown at once), the other side's inputs are disabled with who may set them, and a delivering team's
lead sizes several requests from the backlog at once."""

import pytest

from apps.modelrequests.models import ModelRequest, ScoreInput
from apps.teams.models import MemberRole
from tests.factories import MembershipFactory, PlatformTeamFactory, TeamFactory
from tests.modelrequests.factories import ModelRequestFactory, rice_inputs

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_each_side_scores_in_place_and_the_lead_sizes_in_bulk(login_page, screenshot, axe):
    platform = PlatformTeamFactory(name="ML Platform", capacity_points=10)
    checkout = TeamFactory(name="Checkout")
    requesting_pm = MembershipFactory(team=checkout, role=MemberRole.PRODUCT_MANAGER).user
    lead = MembershipFactory(team=platform, role=MemberRole.LEAD).user
    ModelRequestFactory(title="Top", delivering_team=platform, **rice_inputs(5000, effort=1))
    request = ModelRequestFactory(
        title="Basket recommender", requesting_team=checkout, delivering_team=platform, reach=1000, effort=2
    )
    other = ModelRequestFactory(title="Fraud scorer", requesting_team=checkout, delivering_team=platform)

    page = login_page(requesting_pm)
    page.goto(f"/requests/{request.pk}/")
    box = page.locator(f"#score-rice-{request.pk}")
    assert box.locator("select[disabled]").count() == 0  # effort is a number box: disabled, not a select
    assert box.locator("input[type=number][disabled]").count() == 1
    assert "Only the lead or PM of ML Platform, or platform staff, can size this." in box.inner_text()
    score_url = f"/requests/{request.pk}/score/"
    for name, value in (("impact", "2"), ("confidence", "0.8")):
        with page.expect_response(lambda response: response.url.endswith(score_url)):
            box.locator(f"select[name={name}]").select_option(value)
        box.get_by_text("Saved.").wait_for()
    assert "RICE 800 · rank 2" in " ".join(box.locator("output").inner_text().split())
    assert requesting_pm.username in box.inner_text()
    assert axe(page) == []
    screenshot(page, "requests-inline-scoring-request-page")
    row = ModelRequest.objects.get(pk=request.pk)
    assert (row.impact, row.confidence) == (2, 0.8)
    assert set(ScoreInput.objects.filter(request=request).values_list("field", "set_by")) == {
        ("impact", requesting_pm.pk),
        ("confidence", requesting_pm.pk),
    }

    page.context.clear_cookies()
    page = login_page(lead)
    page.goto(f"/requests/backlog/?delivering_team={platform.slug}")
    row_box = page.locator(f"#score-rice-{request.pk}")
    assert row_box.locator("select[name=impact]").count() == 0
    assert "can set its value" in row_box.inner_text()
    row_box.locator("input[name=effort]").fill("0.5")
    with page.expect_response(lambda response: response.url.endswith(score_url)):
        row_box.locator("input[name=effort]").dispatch_event("change")
    row_box.get_by_text("Saved.").wait_for()
    assert "RICE 3,200 · rank 2" in " ".join(row_box.locator("output").inner_text().split())
    page.locator("#bulk-size summary").click()
    page.get_by_label(f"New effort of #{other.pk} Fraud scorer").fill("3")
    page.get_by_label(f"New effort of #{request.pk} Basket recommender").fill("1")
    screenshot(page, "requests-backlog-bulk-sizing")
    with page.expect_navigation():
        page.get_by_role("button", name="Save sizes").click()
    assert "Sized 2 requests" in page.locator(".messages").inner_text()
    assert axe(page) == []
    screenshot(page, "requests-backlog-after-bulk-sizing")
    assert [ModelRequest.objects.get(pk=pk).effort for pk in (request.pk, other.pk)] == [1, 3]
