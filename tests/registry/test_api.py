import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import ApiToken
from apps.outcomes.recorder import recorder
from apps.registry import services
from apps.registry.models import Feedback, ModelVersion, RegisteredModel
from apps.teams.models import MemberRole
from tests.factories import MembershipFactory, StaffFactory, TeamFactory
from tests.querycount import assert_queries_independent_of_rows
from tests.registry.factories import (
    CompleteCardModelFactory,
    FeedbackFactory,
    RegisteredModelFactory,
    register,
)

pytestmark = pytest.mark.django_db

ROW = {"basket_value": 42.5, "items": 3, "channel": "web", "is_member": True}


@pytest.fixture
def model(team):
    return CompleteCardModelFactory(owning_team=team, slug="basket-scorer")


@pytest.fixture
def production(model):
    version = register(model)
    services.version_promote(version=version, actor=StaffFactory(), to_stage="production", reason="ship")
    return version


# --- permission matrix ---------------------------------------------------------------------------


def new_model_payload(team):
    return {
        "name": "Returns risk",
        "slug": "returns-risk",
        "owning_team": team.slug,
        "value_stream": team.value_stream.slug,
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 401), ("outsider", 403), ("engineer", 403), ("lead", 201), ("pm", 201), ("staff", 201)],
)
def test_create_model_permission_matrix(who, expected, team, api_as, anon_api, request):
    users = {
        "outsider": "outsider",
        "engineer": "team_engineer",
        "lead": "team_lead",
        "pm": "team_pm",
        "staff": "staff_user",
    }
    client = anon_api if who == "anonymous" else api_as(request.getfixturevalue(users[who]))
    response = client.post("/api/v1/models/", new_model_payload(team), format="json")
    assert response.status_code == expected, response.content
    assert RegisteredModel.objects.filter(slug="returns-risk").exists() == (expected == 201)


def test_create_and_update_answer_the_whole_documented_model_with_its_counts(team, staff_user, api_as):
    """The schema requires the list's counts on every answer; a create or update used to leave them out."""
    client = api_as(staff_user)
    created = client.post("/api/v1/models/", new_model_payload(team), format="json")
    assert created.status_code == 201, created.content
    counts = {"open_feedback": 0, "overdue_feedback": 0, "version_count": 0}
    assert counts.items() <= created.json().items()
    updated = client.patch("/api/v1/models/returns-risk/", {"purpose": "Flag risky returns"}, format="json")
    assert updated.status_code == 200 and counts.items() <= updated.json().items()
    assert RegisteredModel.objects.get(slug="returns-risk").purpose == "Flag risky returns"


def test_creating_a_model_reads_each_row_once(team, team_lead, api_as):
    """The serializer and the model validation do not both check uniqueness, the name and the slug
    are checked in one query, and the validation does not re-read the team and stream the serializer
    loaded (for platform staff: 16 statements before, 9 now with BEGIN and COMMIT)."""
    client = api_as(team_lead)
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/models/", new_model_payload(team), format="json")
    assert response.status_code == 201, response.content
    assert RegisteredModel.objects.get(slug="returns-risk").owning_team == team
    # (the test's transaction turns the write's BEGIN and COMMIT into a savepoint and its release;
    # the audit record's content type is read once per process)
    statements = [
        query["sql"]
        for query in queries.captured_queries
        if "SAVEPOINT" not in query["sql"] and "django_content_type" not in query["sql"]
    ]
    inserts = [sql.split('"')[1] for sql in statements if sql.startswith("INSERT")]
    assert inserts == ["registry_registeredmodel", "audit_auditevent"]
    # token, team, stream, the lead's role (policy), name and slug, 2 inserts; the answer's
    # consuming teams are the request's, not read again
    assert len(statements) == 7, "\n".join(sql[:90] for sql in statements)


def test_a_created_models_answer_lists_the_consuming_teams_it_was_given(team, staff_user, api_as):
    consumers = [TeamFactory(name="Zeta"), TeamFactory(name="Alpha")]
    payload = {**new_model_payload(team), "consuming_teams": [consumer.slug for consumer in consumers]}
    response = api_as(staff_user).post("/api/v1/models/", payload, format="json")
    assert response.status_code == 201, response.content
    stored = RegisteredModel.objects.get(slug="returns-risk")
    expected = [team.slug for team in stored.consuming_teams.order_by("name")]
    assert response.json()["consuming_teams"] == expected == [consumers[1].slug, consumers[0].slug]
    assert api_as(staff_user).get("/api/v1/models/returns-risk/").json()["consuming_teams"] == expected


def test_a_duplicate_model_name_or_slug_is_a_400_naming_the_field(team, staff_user, api_as):
    client = api_as(staff_user)
    assert client.post("/api/v1/models/", new_model_payload(team), format="json").status_code == 201
    response = client.post("/api/v1/models/", new_model_payload(team), format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"name", "slug"}
    assert "already exists" in response.json()["slug"][0]
    assert RegisteredModel.objects.filter(slug="returns-risk").count() == 1


def test_reserved_slug_is_a_400_naming_the_slug(team, staff_user, api_as):
    payload = {**new_model_payload(team), "slug": "feedback"}
    response = api_as(staff_user).post("/api/v1/models/", payload, format="json")
    assert response.status_code == 400
    assert "reserved" in response.json()["slug"][0]
    assert not RegisteredModel.objects.filter(slug="feedback").exists()


@pytest.mark.parametrize(
    ("who", "expected"), [("anonymous", 401), ("outsider", 403), ("lead", 200), ("staff", 200)]
)
def test_promote_permission_matrix(who, expected, model, api_as, anon_api, request):
    users = {"outsider": "outsider", "lead": "team_lead", "staff": "staff_user"}
    version = register(model)
    client = anon_api if who == "anonymous" else api_as(request.getfixturevalue(users[who]))
    response = client.post(
        f"/api/v1/models/{model.slug}/versions/{version.number}/promote/",
        {"to_stage": "staging", "reason": "try it"},
        format="json",
    )
    assert response.status_code == expected
    version.refresh_from_db()
    assert version.stage == ("staging" if expected == 200 else "candidate")


def test_everything_needs_authentication(anon_api, model):
    for url in [
        "/api/v1/models/",
        f"/api/v1/models/{model.slug}/versions/",
        "/api/v1/feedback/",
        "/api/v1/catalog/backstage/",
    ]:
        assert anon_api.get(url).status_code == 401
    assert (
        anon_api.post(f"/api/v1/models/{model.slug}/predict/", {"records": [ROW]}, format="json").status_code
        == 401
    )


# --- models and versions -------------------------------------------------------------------------


def test_model_detail_with_feedback_loop(api_as, outsider, production, model):
    FeedbackFactory(model=model)
    body = api_as(outsider).get(f"/api/v1/models/{model.slug}/").json()
    assert body["production_version"] == production.number
    assert body["open_feedback"] == 1
    assert body["feedback_loop"]["count"] == 1
    assert body["feedback_loop"]["acknowledge_within_hours"] == 24  # tier 2


def test_update_model_validation_is_400_naming_the_field(api_as, team_lead, model):
    response = api_as(team_lead).patch(
        f"/api/v1/models/{model.slug}/", {"lifecycle": "zombie"}, format="json"
    )
    assert response.status_code == 400 and "lifecycle" in response.json()
    response = api_as(team_lead).patch(f"/api/v1/models/{model.slug}/", {"colour": "red"}, format="json")
    assert response.status_code == 400 and "colour" in response.json()
    lifecycle = model.lifecycle
    model.refresh_from_db()
    assert model.lifecycle == lifecycle


def test_versions_are_read_only_in_the_api(api_as, staff_user, production, model):
    client = api_as(staff_user)
    assert (
        client.get(f"/api/v1/models/{model.slug}/versions/1/").json()["artefact_sha256"]
        == production.artefact_sha256
    )
    assert client.post(f"/api/v1/models/{model.slug}/versions/", {}, format="json").status_code == 405
    assert (
        client.patch(f"/api/v1/models/{model.slug}/versions/1/", {"metrics": {}}, format="json").status_code
        == 405
    )
    metrics = production.metrics
    production.refresh_from_db()
    assert model.versions.count() == 1 and production.metrics == metrics


def test_model_filters(api_as, outsider, production, model):
    RegisteredModelFactory(lifecycle="retired")
    client = api_as(outsider)
    assert [m["slug"] for m in client.get("/api/v1/models/?stage=production").json()["results"]] == [
        model.slug
    ]
    assert [
        m["slug"] for m in client.get(f"/api/v1/models/?team={model.owning_team.slug}").json()["results"]
    ] == [model.slug]
    assert client.get("/api/v1/models/?lifecycle=retired").json()["count"] == 1
    assert client.get("/api/v1/models/?lifecycle=zombie").status_code == 400


def test_promotion_refused_names_each_gate(api_as, team_lead, model):
    model.card_caveats = ""
    model.save()
    version = register(model, score=0.5, baseline=0.6)
    response = api_as(team_lead).post(
        f"/api/v1/models/{model.slug}/versions/{version.number}/promote/",
        {"to_stage": "production", "reason": "go"},
        format="json",
    )
    assert response.status_code == 409
    body = response.json()
    assert {g["gate"] for g in body["failed_gates"]} == {"beats_baseline", "card_complete"}
    assert "Caveats and recommendations" in body["detail"]
    version.refresh_from_db()
    assert version.stage == "candidate" and not version.stage_changes.filter(to_stage="production").exists()


def test_override_is_recorded_and_shown_in_stage_history(api_as, staff_user, model):
    version = register(model, score=0.5, baseline=0.6)
    client = api_as(staff_user)
    response = client.post(
        f"/api/v1/models/{model.slug}/versions/{version.number}/promote/",
        {"to_stage": "production", "reason": "incident fix", "override": True},
        format="json",
    )
    assert response.status_code == 200 and response.json()["stage"] == "production"
    history = client.get(f"/api/v1/models/{model.slug}/stage-history/").json()["results"]
    assert history[0]["is_override"] and history[0]["failed_gates"][0]["gate"] == "beats_baseline"
    version.refresh_from_db()
    assert version.stage == "production"


def test_disallowed_move_is_409_with_allowed_moves(api_as, team_lead, production, model):
    response = api_as(team_lead).post(
        f"/api/v1/models/{model.slug}/versions/{production.number}/promote/",
        {"to_stage": "staging", "reason": "x"},
        format="json",
    )
    assert response.status_code == 409 and response.json()["allowed"] == ["archived"]
    production.refresh_from_db()
    assert production.stage == "production"


def test_rollback_endpoint(api_as, team_pm, model):
    v1, v2 = register(model), register(model)
    for v in (v1, v2):
        services.version_promote(version=v, actor=team_pm, to_stage="production", reason="ship")
    response = api_as(team_pm).post(
        f"/api/v1/models/{model.slug}/rollback/", {"reason": "bad"}, format="json"
    )
    assert response.status_code == 200 and response.json()["number"] == 1
    response = api_as(team_pm).post(f"/api/v1/models/{model.slug}/rollback/", {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    assert list(model.versions.filter(stage="production").values_list("number", flat=True)) == [1]


def test_compare_endpoint(api_as, outsider, model):
    register(model, score=0.7), register(model, score=0.8, code_version="def456")
    body = api_as(outsider).get(f"/api/v1/models/{model.slug}/compare/?a=1&b=2").json()
    assert body["metrics"][0]["metric"] == "roc_auc" and body["metrics"][0]["values"][1]["value"] == 0.8
    code = next(row for row in body["lineage"] if row["field"] == "Code version")
    assert code["differs"] and code["values"] == ["abc123", "def456"]
    origin = next(row for row in body["lineage"] if row["field"] == "Origin")
    assert origin == {"field": "Origin", "values": ["portal", "portal"], "differs": False}
    assert api_as(outsider).get(f"/api/v1/models/{model.slug}/compare/?a=1").status_code == 400


# --- prediction ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        {"records": [ROW]},
        {"dataframe_records": [ROW]},
        {"instances": [ROW]},
        {"dataframe_split": {"columns": list(ROW), "data": [list(ROW.values())]}},
    ],
)
def test_predict_in_every_format(api_as, outsider, production, model, payload):
    response = api_as(outsider).post(f"/api/v1/models/{model.slug}/predict/", payload, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["model"] == model.slug and body["version"] == production.number
    assert body["classes"] == [0, 1] and len(body["probabilities"][0]) == 2
    assert sum(body["probabilities"][0]) == pytest.approx(1.0)


def test_predict_bad_type_is_400_naming_the_column(api_as, outsider, production, model):
    response = api_as(outsider).post(
        f"/api/v1/models/{model.slug}/predict/", {"records": [{**ROW, "items": "x"}]}, format="json"
    )
    assert response.status_code == 400 and "items" in response.json()


def test_predict_nul_in_a_cell_is_a_400_naming_it(api_as, outsider, production, model):
    body = {"records": [{**ROW, "channel": "w\u0000b"}]}
    response = api_as(outsider).post(f"/api/v1/models/{model.slug}/predict/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == {"records.0.channel": ["NUL characters (\\u0000) are not allowed."]}


NULL_BODIES = {
    "records": lambda rows: {"records": rows},
    "dataframe_records": lambda rows: {"dataframe_records": rows},
    "instances": lambda rows: {"instances": [list(row.values()) for row in rows]},
    "dataframe_split": lambda rows: {
        "dataframe_split": {"columns": list(ROW), "data": [list(r.values()) for r in rows]}
    },
}


@pytest.mark.parametrize("form", NULL_BODIES)
@pytest.mark.parametrize(
    ("column", "kind"),
    [
        ("basket_value", "a number"),
        ("items", "an integer"),
        ("channel", "a string"),
        ("is_member", "true or false"),
    ],
)
def test_predict_refuses_a_missing_value_of_every_type_naming_column_and_row(
    api_as, outsider, production, model, form, column, kind
):
    """No imputation at serving time: a null is refused whatever the column's type and the body's
    format, in a 400 that names the column and the row (here the third)."""
    body = NULL_BODIES[form]([ROW, ROW, {**ROW, column: None}])
    response = api_as(outsider).post(f"/api/v1/models/{model.slug}/predict/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == {column: [f"Row 2: None is not {kind} (column {column!r})."]}


def test_predict_other_version_and_unknowns(api_as, outsider, production, model):
    register(model)
    client = api_as(outsider)
    url = f"/api/v1/models/{model.slug}/predict/"
    assert client.post(f"{url}?version=2", {"records": [ROW]}, format="json").json()["version"] == 2
    assert client.post(f"{url}?version=9", {"records": [ROW]}, format="json").status_code == 400
    assert client.post(f"{url}?version=x", {"records": [ROW]}, format="json").status_code == 400
    assert client.post("/api/v1/models/nope/predict/", {"records": [ROW]}, format="json").status_code == 404


def prediction_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.post(url, {"records": [ROW]}, format="json").status_code == 200
    return len(queries)


def test_a_warm_prediction_costs_only_the_monitoring_write(api_as, outsider, production, model, settings):
    settings.API_TOKEN_CACHE_SECONDS = settings.REGISTRY_SERVING_CACHE_SECONDS = 300  # a slow CI box
    client = api_as(outsider)
    url = f"/api/v1/models/{model.slug}/predict/"
    client.post(url, {"records": [ROW]}, format="json")  # token, serving version and pipeline cached
    # the monitoring writes (the tests write at once): the hour's counters and the sampled input row
    assert prediction_queries(client, url) == 2
    settings.API_TOKEN_CACHE_SECONDS = 0
    assert prediction_queries(client, url) == 3  # + the token lookup
    settings.OUTCOMES_MONITORING_FLUSH_SECONDS = 60
    settings.API_TOKEN_CACHE_SECONDS = 300
    try:
        client.post(url, {"records": [ROW]}, format="json")  # reads the hour's count once per process
        assert prediction_queries(client, url) == 0  # buffered: no query at all
    finally:
        recorder.reset()


def test_a_deleted_token_or_deactivated_user_is_refused_at_once(api_as, outsider, production, model):
    client = api_as(outsider)
    url = f"/api/v1/models/{model.slug}/predict/"
    assert client.post(url, {"records": [ROW]}, format="json").status_code == 200
    outsider.is_active = False
    outsider.save()
    assert client.post(url, {"records": [ROW]}, format="json").status_code == 401
    outsider.is_active = True
    outsider.save()
    assert client.post(url, {"records": [ROW]}, format="json").status_code == 200
    ApiToken.objects.filter(user=outsider).delete()
    assert client.post(url, {"records": [ROW]}, format="json").status_code == 401


def test_predict_without_production_is_409_listing_versions(api_as, outsider, model):
    register(model)
    response = api_as(outsider).post(
        f"/api/v1/models/{model.slug}/predict/", {"records": [ROW]}, format="json"
    )
    assert response.status_code == 409 and response.json()["allowed"] == ["1"]


def test_tampered_artefact_is_refused_by_the_api(api_as, outsider, production, model, platform_storage):
    path = platform_storage / production.artefact_key
    path.write_bytes(path.read_bytes()[:-5] + b"evil!")
    response = api_as(outsider).post(
        f"/api/v1/models/{model.slug}/predict/", {"records": [ROW]}, format="json"
    )
    assert response.status_code == 409
    assert "does not match its registered sha256" in response.json()["detail"]


# --- feedback ------------------------------------------------------------------------------------


def test_file_acknowledge_resolve_feedback(api_as, model, production):
    consumer_team = TeamFactory()
    model.consuming_teams.add(consumer_team)
    consumer = MembershipFactory(team=consumer_team, role=MemberRole.ENGINEER).user
    owner = MembershipFactory(team=model.owning_team, role=MemberRole.ENGINEER).user
    response = api_as(consumer).post(
        "/api/v1/feedback/",
        {
            "model": model.slug,
            "version": 1,
            "kind": "wrong_predictions",
            "severity": "high",
            "title": "Store orders all score 0.9",
            "example_inputs": [ROW],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["from_team"] == consumer_team.slug and body["version"] == 1 and body["status"] == "open"
    pk = body["id"]
    assert api_as(consumer).post(f"/api/v1/feedback/{pk}/acknowledge/", {}, format="json").status_code == 403
    assert Feedback.objects.get(pk=pk).status == "open"
    acked = api_as(owner).post(f"/api/v1/feedback/{pk}/acknowledge/", {"response": "On it"}, format="json")
    assert acked.status_code == 200 and acked.json()["hours_to_acknowledge"] is not None
    resolved = api_as(owner).post(f"/api/v1/feedback/{pk}/resolve/", {}, format="json").json()
    assert resolved["status"] == "resolved" and resolved["hours_to_resolve"] is not None
    again = api_as(owner).post(f"/api/v1/feedback/{pk}/resolve/", {}, format="json")
    assert again.status_code == 409
    feedback = Feedback.objects.get(pk=pk)
    assert (feedback.status, feedback.response) == ("resolved", "On it")


def test_feedback_bad_input(api_as, staff_user, model):
    client = api_as(staff_user)
    response = client.post(
        "/api/v1/feedback/", {"model": model.slug, "kind": "rant", "title": "x"}, format="json"
    )
    assert response.status_code == 400 and "kind" in response.json()
    response = client.post(
        "/api/v1/feedback/", {"model": model.slug, "kind": "bug", "title": "x", "version": 7}, format="json"
    )
    assert response.status_code == 400 and "version" in response.json()
    assert not Feedback.objects.exists()


# --- query counts ----------------------------------------------------------------------------------


def test_model_list_query_count(api_as, outsider):
    def add_rows():
        model = CompleteCardModelFactory()
        model.consuming_teams.add(TeamFactory())
        FeedbackFactory(model=model)

    assert_queries_independent_of_rows(api_as(outsider), "/api/v1/models/", add_rows, expected=4)


def test_version_list_query_count(api_as, outsider, model):
    assert_queries_independent_of_rows(
        api_as(outsider), f"/api/v1/models/{model.slug}/versions/", lambda: register(model), expected=6
    )


def test_feedback_list_query_count(api_as, outsider, model):
    assert_queries_independent_of_rows(
        api_as(outsider),
        "/api/v1/feedback/",
        lambda: FeedbackFactory(model=CompleteCardModelFactory()),
        expected=3,
    )


def test_stage_history_query_count(api_as, outsider, model):
    assert_queries_independent_of_rows(
        api_as(outsider), f"/api/v1/models/{model.slug}/stage-history/", lambda: register(model), expected=5
    )


def test_openapi_schema_documents_the_registry(api_as, outsider):
    response = api_as(outsider).get("/api/schema/?format=json")
    paths = response.json()["paths"]
    assert "/api/v1/models/{model_slug}/predict/" in paths
    assert "/api/v1/models/{model_slug}/versions/{number}/promote/" in paths
    assert "/api/v1/feedback/{id}/resolve/" in paths
    assert "/api/v1/catalog/backstage/" in paths


def test_predict_malformed_json_is_400(api_as, outsider, production, model):
    response = api_as(outsider).post(
        f"/api/v1/models/{model.slug}/predict/", b'{"records": [', content_type="application/json"
    )
    assert response.status_code == 400 and "JSON parse error" in response.json()["detail"]


def test_admin_pages_render(client, model, production):
    admin = StaffFactory(is_superuser=True)
    client.force_login(admin)
    FeedbackFactory(model=model)
    for path in ["registeredmodel", "modelversion", "stagechange", "feedback"]:
        assert client.get(f"/admin/registry/{path}/").status_code == 200
    assert client.get(f"/admin/registry/registeredmodel/{model.pk}/change/").status_code == 200
    version_page = client.get(f"/admin/registry/modelversion/{production.pk}/change/")
    assert version_page.status_code == 200 and f"/{production.artefact_key}" in version_page.content.decode()
    assert client.get("/admin/registry/stagechange/add/").status_code == 403  # append-only history


def test_promotion_takes_effect_on_the_next_prediction(api_as, outsider, staff_user, production, model):
    url = f"/api/v1/models/{model.slug}/predict/"
    client = api_as(outsider)
    assert client.post(url, {"records": [ROW]}, format="json").json()["version"] == 1
    services.version_promote(version=register(model), actor=staff_user, to_stage="production", reason="v2")
    assert client.post(url, {"records": [ROW]}, format="json").json()["version"] == 2


def test_admin_actions_acknowledge_and_resolve_through_the_services(client, model):
    client.force_login(StaffFactory(is_superuser=True))
    open_one, done = FeedbackFactory(model=model), FeedbackFactory(model=model, status="resolved")
    url = "/admin/registry/feedback/"
    client.post(url, {"action": "acknowledge", "_selected_action": [open_one.pk]})
    open_one.refresh_from_db()
    assert open_one.status == "acknowledged" and open_one.acknowledged_at
    response = client.post(
        url, {"action": "resolve", "_selected_action": [open_one.pk, done.pk]}, follow=True
    )
    open_one.refresh_from_db()
    assert open_one.status == "resolved"
    assert "already resolved" in response.content.decode()


def test_a_version_saved_outside_the_services_is_served_at_once(api_as, outsider, production, model):
    url = f"/api/v1/models/{model.slug}/predict/"
    client = api_as(outsider)
    assert client.post(url, {"records": [ROW]}, format="json").json()["version"] == 1
    second = register(model)
    ModelVersion.objects.filter(pk=production.pk).update(stage="archived")
    second.stage = "production"
    second.save(update_fields=["stage"])  # e.g. a fixture or the admin: post_save forgets the lookup
    assert client.post(url, {"records": [ROW]}, format="json").json()["version"] == 2


def test_predict_refuses_a_body_over_the_upload_limit(api_as, outsider, production, model, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api_as(outsider).post(
        f"/api/v1/models/{model.slug}/predict/", {"records": [ROW] * 20}, format="json"
    )
    assert response.status_code == 413 and "smaller batches" in response.json()["detail"]


def test_delete_model_only_by_staff_and_only_without_versions(api_as, staff_user, team_lead, model):
    empty = RegisteredModelFactory(owning_team=model.owning_team)
    assert api_as(team_lead).delete(f"/api/v1/models/{empty.slug}/").status_code == 403
    assert RegisteredModel.objects.filter(pk=empty.pk).exists()
    assert api_as(staff_user).delete(f"/api/v1/models/{empty.slug}/").status_code == 204
    assert not RegisteredModel.objects.filter(pk=empty.pk).exists()
    register(model)
    response = api_as(staff_user).delete(f"/api/v1/models/{model.slug}/")
    assert response.status_code == 409 and response.json()["allowed"] == ["retire"]
    assert RegisteredModel.objects.filter(pk=model.pk).exists()
