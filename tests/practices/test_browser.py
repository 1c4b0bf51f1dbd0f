import pytest

from apps.practices.models import Engagement
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_heatmap_team_scorecard_and_engagement_pages(full_demo, login_page, screenshot):
    page = login_page(UserFactory())
    page.goto("/practices/")
    page.wait_for_selector("[data-chart=heatmap-figure] .main-svg")
    assert page.locator("[data-chart=heatmap-figure] .heatmaplayer").count() == 1
    assert page.locator("#heatmap-table tbody tr").count() >= 10
    assert page.locator("#heatmap-table td.heat.lvl-3").count() >= 1
    screenshot(page, "practices-heatmap")
    page.click("#heatmap-card summary")
    assert page.locator("#heatmap-table").is_visible()

    page.locator("#heatmap-table").get_by_role("link", name="Demand Planning").click()
    page.wait_for_selector("[data-chart=history-figure] .main-svg")
    assert page.get_by_text("Self-assessed practices").is_visible()
    screenshot(page, "practices-team-scorecard")

    engagement = Engagement.objects.get(completed_at__isnull=False)
    page.goto(engagement.get_absolute_url())
    page.wait_for_selector("[data-chart=history-figure] .main-svg")
    assert page.locator("#goals tbody tr").count() == len(engagement.goals)
    screenshot(page, "practices-engagement")

    page.goto("/practices/teams/fraud-signals/")
    page.locator("a[href^='/practices/models/']").first.click()
    page.wait_for_selector("#checks")
    screenshot(page, "practices-model-scorecard")

    page.goto("/practices/survey/")
    page.wait_for_selector("[data-chart=trend-figure] .main-svg")
    screenshot(page, "practices-survey")
    page.goto("/practices/delivery/")
    assert page.locator("#delivery tbody tr").count() == 4
    screenshot(page, "practices-delivery")


def test_member_answers_the_cognitive_load_survey(login_page, screenshot):
    from apps.practices.models import SurveyResponse
    from apps.practices.survey import QUESTION_FIELDS
    from tests.factories import MembershipFactory
    from tests.practices.factories import SurveyRoundFactory

    survey_round = SurveyRoundFactory(name="Winter round")
    member = MembershipFactory(role="engineer").user
    page = login_page(member)
    page.goto("/practices/survey/")
    page.get_by_role("link", name="Answer for your team").click()
    page.select_option("#id_team", index=1)
    for index, name in enumerate(QUESTION_FIELDS):
        page.check(f"input[name={name}][value='{1 + index % 5}']")
    screenshot(page, "practices-survey-form")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/practices/survey/")
    answer = SurveyResponse.objects.get(round=survey_round, respondent=member)
    assert [getattr(answer, name) for name in QUESTION_FIELDS] == [1, 2, 3, 4, 5, 1]
    screenshot(page, "practices-survey-after-answer")
