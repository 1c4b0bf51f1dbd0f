import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.registry import services
from apps.registry.models import Feedback, Stage
from apps.teams.models import MemberRole
from tests.factories import MembershipFactory, StaffFactory, TeamFactory
from tests.modelrequests.factories import ModelRequestFactory
from tests.querycount import assert_queries_independent_of_rows
from tests.registry.factories import (
    CompleteCardModelFactory,
    FeedbackFactory,
    RegisteredModelFactory,
    register,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def model(team):
    return CompleteCardModelFactory(owning_team=team, slug="basket-scorer", name="Basket scorer")


def make_overdue(feedback, hours: int):
    Feedback.objects.filter(pk=feedback.pk).update(filed_at=timezone.now() - datetime.timedelta(hours=hours))


def test_catalogue_filters_by_team_stream_lifecycle_stage(client, browser_login, outsider, model):
    other = RegisteredModelFactory(name="Other model", lifecycle="deprecated")
    services.version_promote(
        version=register(model), actor=StaffFactory(), to_stage="production", reason="go"
    )
    browser_login(client, outsider)
    assert "Basket scorer" in client.get("/models/").content.decode()
    page = client.get("/models/?stage=production").content.decode()
    assert "Basket scorer" in page and "Other model" not in page
    page = client.get(f"/models/?team={other.owning_team.slug}").content.decode()
    assert "Other model" in page and "Basket scorer" not in page
    page = client.get(f"/models/?stream={model.value_stream.slug}&lifecycle=experimental").content.decode()
    assert "Basket scorer" in page and "Other model" not in page


def test_model_page_shows_everything(client, browser_login, outsider, model):
    staff = StaffFactory()
    v1 = register(model, score=0.7)
    v2 = register(model, score=0.45, baseline=0.5)
    services.version_promote(version=v1, actor=staff, to_stage="production", reason="first")
    services.version_promote(version=v2, actor=staff, to_stage="production", reason="hotfix", override=True)
    model.card_intended_use = "Score **baskets**. <script>alert('x')</script> [x](javascript:alert(1))"
    model.save()
    consumer = TeamFactory(name="Consumers United")
    model.consuming_teams.add(consumer)
    make_overdue(FeedbackFactory(model=model, title="Scores drift on Mondays"), hours=24 * 30)
    browser_login(client, outsider)
    page = client.get("/models/basket-scorer/").content.decode()
    assert "<strong>baskets</strong>" in page
    assert "<script>alert" not in page
    # the History section shows the text as typed, escaped; the rendered card has no such link
    assert "javascript:" not in page.split('id="history"')[0]
    assert 'href="javascript:' not in page
    assert "Consumers United" in page
    assert "override" in page and "Beats its baseline" in page
    assert "Scores drift on Mondays" in page and "overdue" in page
    assert 'id="metric-chart-data"' in page and "vendor/plotly/plotly-cartesian.min.js" in page
    assert "Production version <strong>v2</strong>" in page  # card metrics filled from production
    assert "Move stage" not in page and "File feedback" not in page  # outsiders change nothing
    assert "acknowledge within 24 h, resolve within 168 h" in page


def test_promote_page_shows_each_failed_gate(client, browser_login, team_lead, model):
    model.card_factors = ""
    model.save()
    version = register(model, score=0.5, baseline=0.6)
    browser_login(client, team_lead)
    url = f"/models/basket-scorer/versions/{version.number}/promote/"
    response = client.post(url, {"to_stage": "production", "reason": "ship"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Beats its baseline" in page and "Model card complete" in page and "Factors" in page
    assert "Override" not in page  # only platform staff see the override box
    version.refresh_from_db()
    assert version.stage == Stage.CANDIDATE


def test_promote_then_rollback_in_the_browser(client, browser_login, team_lead, model):
    v1, v2 = register(model), register(model)
    browser_login(client, team_lead)
    for version in (v1, v2):
        response = client.post(
            f"/models/basket-scorer/versions/{version.number}/promote/",
            {"to_stage": "production", "reason": "ship"},
        )
        assert response.status_code == 302
    response = client.post("/models/basket-scorer/rollback/", {"reason": "v2 is slow"}, follow=True)
    assert "v1 is in production again" in response.content.decode()
    v1.refresh_from_db()
    assert v1.stage == Stage.PRODUCTION


def test_outsider_gets_403_on_change_pages(client, browser_login, outsider, model):
    version = register(model)
    browser_login(client, outsider)
    assert client.get("/models/basket-scorer/edit/").status_code == 403
    assert client.get("/models/basket-scorer/card/").status_code == 403
    assert client.get(f"/models/basket-scorer/versions/{version.number}/promote/").status_code == 403
    assert client.get("/models/basket-scorer/feedback/new/").status_code == 403


def test_edit_card_form(client, browser_login, team_pm, model):
    browser_login(client, team_pm)
    data = {field: getattr(model, field) for field in services.CARD_FIELDS}
    data["card_caveats"] = "Do not use for **returns**."
    assert client.post("/models/basket-scorer/card/", data).status_code == 302
    model.refresh_from_db()
    assert model.card_caveats == "Do not use for **returns**."


def test_file_and_respond_to_feedback_in_the_browser(client, browser_login, model):
    consumer_team = TeamFactory()
    model.consuming_teams.add(consumer_team)
    consumer = MembershipFactory(team=consumer_team, role=MemberRole.ENGINEER).user
    browser_login(client, consumer)
    response = client.post(
        "/models/basket-scorer/feedback/new/",
        {
            "from_team": consumer_team.pk,
            "kind": "bug",
            "severity": "high",
            "title": "500s at peak",
            "example_inputs": "[]",
        },
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    owner = MembershipFactory(team=model.owning_team, role=MemberRole.ENGINEER).user
    client.logout()
    browser_login(client, owner)
    client.post(f"/models/feedback/{feedback.pk}/acknowledge/", {"response": "Looking"})
    client.post(f"/models/feedback/{feedback.pk}/resolve/", {})
    feedback.refresh_from_db()
    assert feedback.status == "resolved" and feedback.response == "Looking"


def test_acknowledge_and_resolve_through_htmx_answer_the_table_and_its_figures(client, browser_login, model):
    others = FeedbackFactory.create_batch(2, model=model, title="Older one")
    feedback = FeedbackFactory(model=model, title="Drifts on Mondays")
    owner = MembershipFactory(team=model.owning_team, role=MemberRole.ENGINEER).user
    browser_login(client, owner)
    page = client.get(model.get_absolute_url()).content.decode()
    acknowledge = f"/models/feedback/{feedback.pk}/acknowledge/"
    assert f'action="{acknowledge}" hx-post="{acknowledge}" hx-target="#feedback-table"' in page
    assert '<div id="feedback-answer" class="feedback-answer" role="status"></div>' in page

    with CaptureQueriesContext(connection) as queries:
        response = client.post(acknowledge, {"response": "Looking"}, headers={"HX-Request": "true"})
    # session, user, the feedback; the service's write (savepoint, the row locked, membership, the row
    # for the audit, audit entry, update, release); the model with its counts, its feedback, membership
    assert len(queries.captured_queries) == 13, "\n".join(q["sql"][:70] for q in queries.captured_queries)
    html = response.content.decode()
    assert response.status_code == 200 and "HX-Request" in response["Vary"]
    assert "<html" not in html and html.lstrip().startswith('<table class="table" id="feedback-table">')
    row = html[html.index(f'<tr id="feedback-{feedback.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "<td data-feedback-status>Acknowledged" in row and "↳ Looking" in row
    assert "Acknowledge</button>" not in row and "Resolve</button>" in row
    assert '<div id="feedback-answer" hx-swap-oob="innerHTML">' in html
    assert '<p class="msg msg-success">Acknowledged: Drifts on Mondays.</p>' in html
    assert f'id="stat-open-feedback" hx-swap-oob="true"><strong>{len(others) + 1}</strong>' in html
    feedback.refresh_from_db()
    assert feedback.status == "acknowledged" and feedback.response == "Looking"

    resolved = client.post(f"/models/feedback/{feedback.pk}/resolve/", {}, headers={"HX-Request": "true"})
    assert (
        f'id="stat-open-feedback" hx-swap-oob="true"><strong>{len(others)}</strong>'
        in resolved.content.decode()
    )
    again = client.post(acknowledge, {}, headers={"HX-Request": "true"}).content.decode()
    assert '<p class="msg msg-error">' in again  # the refusal in words, in the answer region
    feedback.refresh_from_db()
    assert feedback.status == "resolved"
    # Without htmx the same post redirects to the page with the message.
    plain = client.post(f"/models/feedback/{others[0].pk}/acknowledge/", {})
    assert plain.status_code == 302 and plain["Location"] == f"{model.get_absolute_url()}#feedback"


def test_compare_page(client, browser_login, outsider, model):
    register(model, score=0.7), register(model, score=0.8, estimator="HistGradientBoostingClassifier")
    browser_login(client, outsider)
    page = client.get("/models/basket-scorer/compare/?a=1&b=2").content.decode()
    assert "HistGradientBoostingClassifier" in page and "differs" in page and "0.8" in page
    assert "[&quot;basket_value&quot;, &quot;items&quot;" in page  # features as JSON, not a Python repr


def test_compare_page_opens_on_the_two_latest_versions(client, browser_login, outsider, model):
    for score in (0.6, 0.7, 0.8):
        register(model, score=score)
    browser_login(client, outsider)
    response = client.get("/models/basket-scorer/compare/")
    assert [v.number for v in response.context["comparison"].versions] == [2, 3]
    page = response.content.decode()
    assert '<option value="2" selected>' in page and '<option value="3" selected>' in page
    assert '<label for="compare-a"' in page and '<label for="compare-b"' in page


def test_team_page_flags_overdue_feedback(client, browser_login, outsider, model, team):
    make_overdue(FeedbackFactory(model=model, title="Nobody answered"), hours=48)  # tier 2: ack within 24h
    FeedbackFactory(model=model, title="Fresh one")
    browser_login(client, outsider)
    page = client.get(f"/teams/{team.slug}/").content.decode()
    assert "Basket scorer" in page and "Nobody answered" in page and "Fresh one" not in page


def test_model_list_page_query_count(client, browser_login, outsider):
    browser_login(client, outsider)

    def add_rows():
        model = CompleteCardModelFactory()
        FeedbackFactory(model=model)

    assert_queries_independent_of_rows(client, "/models/", add_rows, expected=8)


def test_feedback_list_page_query_count(client, browser_login, outsider):
    browser_login(client, outsider)
    assert_queries_independent_of_rows(client, "/models/feedback/", lambda: FeedbackFactory(), expected=7)


def test_model_page_query_count(client, browser_login, outsider, model):
    browser_login(client, outsider)

    def add_rows():
        register(model)
        FeedbackFactory(model=model)
        model.consuming_teams.add(TeamFactory())

    assert_queries_independent_of_rows(
        client, "/models/basket-scorer/", add_rows, expected=21
    )  # +1: the History section (apps.audit); +2: the promote and register-version rules, asked apart


def test_team_page_query_count(client, browser_login, outsider, team):
    browser_login(client, outsider)

    def add_rows():
        make_overdue(FeedbackFactory(model=CompleteCardModelFactory(owning_team=team)), hours=100)

    assert_queries_independent_of_rows(
        client, f"/teams/{team.slug}/", add_rows, expected=12
    )  # +1: the History section (apps.audit)


def test_model_page_links_the_request_it_came_from(client, browser_login, outsider, model, api_as):
    request = ModelRequestFactory(registered_model=model, title="Cut fraud losses at checkout")
    browser_login(client, outsider)
    assert "Cut fraud losses at checkout" in client.get("/models/basket-scorer/").content.decode()
    assert api_as(outsider).get("/api/v1/models/basket-scorer/").json()["requests"] == [request.pk]


def test_register_a_model_in_the_browser_offers_only_the_leads_teams(client, browser_login, team, team_lead):
    TeamFactory(name="Someone Else")
    browser_login(client, team_lead)
    page = client.get("/models/new/").content.decode()
    owner_choices = page.split('name="owning_team"')[1].split("</select>")[0]
    assert team.name in owner_choices and "Someone Else" not in owner_choices
    response = client.post(
        "/models/new/",
        {
            "name": "Returns risk",
            "slug": "returns-risk",
            "owning_team": team.pk,
            "value_stream": team.value_stream.pk,
            "support_tier": "tier_2",
            "lifecycle": "experimental",
            "task": "classification",
            "primary_metric": "roc_auc",
            "baseline_margin": "0.01",
        },
    )
    assert response.status_code == 302 and response.url == "/models/returns-risk/"


def test_engineer_is_not_offered_an_empty_register_form(client, browser_login, team_engineer):
    browser_login(client, team_engineer)  # a member, but neither lead nor product manager
    assert "Register a model" not in client.get("/models/").content.decode()
    response = client.get("/models/new/")
    assert response.status_code == 403
    assert "lead or product manager may register models" in response.content.decode()


def test_rollback_is_offered_only_when_there_is_an_earlier_production_version(
    client, browser_login, team_lead, model
):
    v1, v2 = register(model), register(model)
    services.version_promote(version=v1, actor=team_lead, to_stage="production", reason="first")
    browser_login(client, team_lead)
    assert "Roll back" not in client.get("/models/basket-scorer/").content.decode()
    services.version_promote(version=v2, actor=team_lead, to_stage="production", reason="second")
    assert "Roll back v2" in client.get("/models/basket-scorer/").content.decode()


def test_chart_of_a_single_version_shows_its_baseline(model):
    from apps.registry.charts import primary_metric_figure

    figure = primary_metric_figure([register(model)], model.primary_metric)
    baseline = next(trace for trace in figure["data"] if trace["name"] == "baseline")
    assert "markers" in baseline["mode"] and baseline["y"] == [0.5]  # a lone point needs a marker
    metric = next(trace for trace in figure["data"] if trace["name"] != "baseline")
    assert metric["name"] == "ROC AUC" and figure["layout"]["yaxis"]["title"]["text"] == "ROC AUC"
    assert metric["text"] == ["Candidate"]


def test_compare_page_fills_a_missing_version_and_refuses_the_same_one_twice(
    client, browser_login, outsider, model
):
    for score in (0.6, 0.7, 0.8):
        register(model, score=score)
    browser_login(client, outsider)
    response = client.get("/models/basket-scorer/compare/?b=1")
    assert response.status_code == 200
    assert [v.number for v in response.context["comparison"].versions] == [2, 1]
    assert "Compare versions: v2 vs v1" in response.content.decode()

    response = client.get("/models/basket-scorer/compare/?a=3&b=3")
    assert response.status_code == 400
    assert "Choose two different versions." in response.content.decode()

    response = client.get("/models/basket-scorer/compare/?a=9&b=abc")
    assert response.status_code == 400 and response.context["comparison"] is None
    assert "There is no version 9 of this model; choose from v1, v2, v3." in response.content.decode()


def test_compare_page_of_a_model_with_one_version_says_so(client, browser_login, outsider, model):
    register(model, score=0.6)
    browser_login(client, outsider)
    response = client.get("/models/basket-scorer/compare/")
    assert response.status_code == 200
    assert "This model has one version: there is nothing to compare yet." in response.content.decode()
