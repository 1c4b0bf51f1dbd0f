import pytest

from apps.modelrequests.models import ModelRequest, RequestStatus
from tests.factories import PlatformTeamFactory, TeamFactory, ValueStreamFactory
from tests.modelrequests.factories import ModelRequestFactory, rice_inputs
from tests.querycount import assert_queries_independent_of_rows

pytestmark = pytest.mark.django_db
URL = "/api/v1/model-requests/"


def payload(cast, **changes):
    data = {
        "title": "Predict late deliveries",
        "problem_statement": "Customers complain about late parcels.",
        "requesting_team": cast.requesting.slug,
        "delivering_team": cast.delivering.slug,
        "value_stream": cast.requesting.value_stream.slug,
        "kpi": "On-time delivery rate",
        "expected_change": 2.0,
        "affected_volume": 50000,
        "simplest_alternative": "Flag orders to remote postcodes.",
        "attachments": ["https://wiki.example.com/late-deliveries"],
        "reach": 1000,
        "impact": 2,
        "confidence": 0.8,
    }
    return data | changes


def test_anonymous_is_401(anon_api):
    assert anon_api.get(URL).status_code == 401
    assert anon_api.get(f"{URL}flow/").status_code == 401


def test_member_of_requesting_team_files_a_request(cast, api_as):
    unscored = {name: None for name in ("reach", "impact", "confidence")}
    response = api_as(cast["request_engineer"]).post(URL, payload(cast, **unscored), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "submitted" and body["rice"] is None and body["wsjf"] is None
    assert body["value_stream"] == cast.requesting.value_stream.slug
    detail = api_as(cast["outsider"]).get(f"{URL}{body['id']}/").json()
    assert [t["to_status"] for t in detail["transitions"]] == ["submitted"]
    request = ModelRequest.objects.get(pk=body["id"])
    assert (request.requesting_team, request.delivering_team) == (cast.requesting, cast.delivering)


def test_requesting_team_may_deliver_itself(cast, api_as):
    response = api_as(cast["request_pm"]).post(
        URL, payload(cast, delivering_team=cast.requesting.slug), format="json"
    )
    assert response.status_code == 201, response.json()
    request = ModelRequest.objects.get(pk=response.json()["id"])
    assert request.requesting_team == request.delivering_team == cast.requesting


def test_outsider_cannot_file_for_another_team(cast, api_as):
    response = api_as(cast["outsider"]).post(URL, payload(cast), format="json")
    assert response.status_code == 403
    assert ModelRequest.objects.count() == 0


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"attachments": ["ftp://files.example.com/x", "not a url"]}, "attachments"),
        ({"impact": 1.7}, "impact"),
        ({"effort": 0}, "effort"),
        ({"simplest_alternative": ""}, "simplest_alternative"),
        ({"delivering_team": "no-such-team"}, "delivering_team"),
        ({"delivering_team": TeamFactory}, "delivering_team"),  # another stream-aligned team
        ({"status": "delivered"}, "status"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_400_naming_the_field(cast, api_as, changes, field):
    changes = {k: (v().slug if callable(v) else v) for k, v in changes.items()}
    response = api_as(cast["request_pm"]).post(URL, payload(cast, **changes), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert ModelRequest.objects.count() == 0


@pytest.mark.parametrize(
    "role,status", [("request_pm", 200), ("deliver_lead", 200), ("request_engineer", 403), ("outsider", 403)]
)
def test_who_may_edit(cast, api_as, role, status):
    request = ModelRequestFactory(requesting_team=cast.requesting, delivering_team=cast.delivering)
    before = request.kpi
    response = api_as(cast[role]).patch(f"{URL}{request.pk}/", {"kpi": "Returns"}, format="json")
    assert response.status_code == status
    request.refresh_from_db()
    assert request.kpi == ("Returns" if status == 200 else before)


@pytest.mark.parametrize(
    "role,status", [("request_lead", 204), ("deliver_pm", 403), ("request_engineer", 403)]
)
def test_who_may_withdraw(cast, api_as, role, status):
    request = ModelRequestFactory(requesting_team=cast.requesting, delivering_team=cast.delivering)
    assert api_as(cast[role]).delete(f"{URL}{request.pk}/").status_code == status
    assert ModelRequest.objects.filter(pk=request.pk).exists() == (status != 204)


def test_withdrawing_a_started_request_is_409(cast, api_as):
    request = ModelRequestFactory(
        requesting_team=cast.requesting, delivering_team=cast.delivering, status=RequestStatus.TRIAGED
    )
    assert api_as(cast["request_lead"]).delete(f"{URL}{request.pk}/").status_code == 409
    request.refresh_from_db()
    assert request.status == RequestStatus.TRIAGED


def test_transition_and_refusal_with_allowed_moves(cast, api_as):
    request = ModelRequestFactory(requesting_team=cast.requesting, delivering_team=cast.delivering)
    url = f"{URL}{request.pk}/transition/"
    refused = api_as(cast["deliver_engineer"]).post(url, {"to": "triaged"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "You may not move this request from Submitted to Triaged: only the product manager or lead of "
        "the delivering team, or platform staff, may."
    )
    skipped = api_as(cast["deliver_pm"]).post(url, {"to": "delivered"}, format="json")
    assert skipped.status_code == 409
    assert skipped.json()["allowed"] == ["triaged", "rejected"]
    assert skipped.json()["detail"] == (
        "A request in Submitted cannot move to Delivered. "
        "Moves you may make from Submitted: Triaged, Rejected."
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED and request.transitions.count() == 1
    moved = api_as(cast["deliver_pm"]).post(url, {"to": "triaged", "note": "clear ask"}, format="json")
    assert moved.status_code == 200
    assert moved.json()["to_status"] == "triaged" and moved.json()["note"] == "clear ask"
    bad = api_as(cast["deliver_pm"]).post(url, {"to": "finished"}, format="json")
    assert bad.status_code == 400 and "to" in bad.json()
    request.refresh_from_db()
    assert request.status == RequestStatus.TRIAGED and request.transitions.count() == 2


def test_rank_endpoint(cast, api_as):
    a = ModelRequestFactory(title="A", delivering_team=cast.delivering, **rice_inputs(900))
    b = ModelRequestFactory(title="B", delivering_team=cast.delivering, **rice_inputs(500))
    response = api_as(cast["deliver_pm"]).post(
        f"{URL}{b.pk}/rank/", {"before": a.pk, "reason": "contract renewal"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["manual_rank"], response.json()["rank_reason"]) == (1, "contract renewal")
    both = api_as(cast["deliver_pm"]).post(
        f"{URL}{b.pk}/rank/", {"before": a.pk, "after": a.pk, "reason": "x"}
    )
    assert both.status_code == 400
    forbidden = api_as(cast["request_pm"]).post(f"{URL}{a.pk}/rank/", {"before": b.pk, "reason": "x"})
    assert forbidden.status_code == 403
    b.refresh_from_db()
    a.refresh_from_db()
    assert (b.manual_rank, b.rank_reason) == (1, "contract renewal") and a.rank_reason == ""


def test_rank_endpoint_moves_to_a_rank(cast, api_as):
    items = [
        ModelRequestFactory(title=title, delivering_team=cast.delivering, **rice_inputs(1000 - reach))
        for reach, title in enumerate("ABCD")
    ]
    client = api_as(cast["deliver_pm"])
    url = f"{URL}{items[3].pk}/rank/"
    response = client.post(url, {"position": 2, "reason": "renewal"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["manual_rank"], response.json()["rank_reason"]) == (2, "renewal")
    backlog = client.get(f"{URL}backlog/?delivering_team={cast.delivering.slug}").json()["results"]
    assert [row["title"] for row in backlog] == list("ADBC")
    for body, field, message in [
        ({"position": 5, "reason": "x"}, "position", "Give a rank from 1 to 4."),
        ({"position": 0, "reason": "x"}, "position", "Ensure this value is greater than or equal to 1."),
        ({"position": "top", "reason": "x"}, "position", "A valid integer is required."),
        ({"position": 1, "before": items[0].pk, "reason": "x"}, "after", "Give exactly one of"),
    ]:
        refused = client.post(url, body, format="json")
        assert refused.status_code == 400 and refused.json()[field][0].startswith(message), refused.json()
    assert api_as(cast["request_pm"]).post(url, {"position": 1, "reason": "x"}).status_code == 403


def test_comments(cast, api_as):
    request = ModelRequestFactory(requesting_team=cast.requesting, delivering_team=cast.delivering)
    response = api_as(cast["request_engineer"]).post(
        f"{URL}{request.pk}/comments/", {"body": "Which KPI?"}, format="json"
    )
    assert response.status_code == 201
    assert api_as(cast["staff"]).get(f"{URL}{request.pk}/").json()["comments"][0]["body"] == "Which KPI?"


def test_list_filters(cast, api_as):
    mine = ModelRequestFactory(requesting_team=cast.requesting, delivering_team=cast.delivering)
    ModelRequestFactory()
    client = api_as(cast["outsider"])
    for query in (
        f"stream={cast.requesting.value_stream.slug}",
        f"requesting_team={cast.requesting.slug}",
        f"delivering_team={cast.delivering.slug}",
    ):
        assert [r["id"] for r in client.get(f"{URL}?{query}").json()["results"]] == [mine.pk]
    assert client.get(f"{URL}?status=nonsense").status_code == 400


def test_list_orders_by_score(cast, api_as):
    low = ModelRequestFactory(**rice_inputs(10))
    high = ModelRequestFactory(**rice_inputs(1000))
    unscored = ModelRequestFactory()
    ids = [r["id"] for r in api_as(cast["outsider"]).get(f"{URL}?ordering=-rice").json()["results"]]
    assert ids.index(high.pk) < ids.index(low.pk)
    assert unscored.pk in ids


def test_moving_to_another_delivering_team_drops_the_manual_rank(cast, api_as):
    request = ModelRequestFactory(
        requesting_team=cast.requesting, delivering_team=cast.delivering, manual_rank=1, rank_reason="first"
    )
    other = PlatformTeamFactory()
    response = api_as(cast["request_pm"]).patch(
        f"{URL}{request.pk}/", {"delivering_team": other.slug}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["manual_rank"], response.json()["rank_reason"]) == (None, "")
    request.refresh_from_db()
    assert (request.delivering_team, request.manual_rank, request.rank_reason) == (other, None, "")


def test_flow_endpoint(cast, api_as):
    ModelRequestFactory(delivering_team=cast.delivering)
    body = api_as(cast["outsider"]).get(f"{URL}flow/?team={cast.delivering.slug}").json()
    assert body["wip"] == 0 and body["bottleneck"]["queue_now"] == 1
    assert len(body["weekly_throughput"]) == 26
    assert set(body["cfd"]["series"]) == set(RequestStatus.values)
    other = ValueStreamFactory()
    assert (
        api_as(cast["outsider"]).get(f"{URL}flow/?stream={other.slug}").json()["bottleneck"]["queue_now"] == 0
    )
    assert api_as(cast["outsider"]).get(f"{URL}flow/?team=nope").status_code == 400


def test_schema_documents_the_endpoints(api_as, staff_user):
    schema = api_as(staff_user).get("/api/schema/?format=json").json()
    for path in (
        URL,
        f"{URL}{{id}}/transition/",
        f"{URL}{{id}}/rank/",
        f"{URL}flow/",
        f"{URL}{{id}}/comments/",
    ):
        assert f"/api/v1/model-requests/{path[len(URL) :]}" in schema["paths"], path
    assert {"403", "409"} <= set(schema["paths"][f"{URL}{{id}}/transition/"]["post"]["responses"])


@pytest.mark.parametrize(("url", "queries"), [(URL, 3), (f"{URL}flow/", 10)])
def test_list_query_counts_do_not_grow(cast, api_as, url, queries):
    def add_rows():
        for status in ("submitted", "in_progress", "delivered"):
            ModelRequestFactory(delivering_team=cast.delivering, status=status, **rice_inputs(100))

    assert_queries_independent_of_rows(api_as(cast["outsider"]), url, add_rows, expected=queries)


def test_backlog_endpoint(cast, api_as):
    cast.delivering.capacity_points = 2
    cast.delivering.save()
    ModelRequestFactory(title="A", delivering_team=cast.delivering, **rice_inputs(900, effort=2))
    ModelRequestFactory(title="B", delivering_team=cast.delivering, **rice_inputs(100, effort=1))
    ModelRequestFactory(title="U", delivering_team=cast.delivering, **rice_inputs(100, effort=None))
    client = api_as(cast["outsider"])
    body = client.get(f"{URL}backlog/?delivering_team={cast.delivering.slug}&page_size=1&page=2").json()
    assert (body["method"], body["capacity_points"], body["count"]) == ("rice", 2, 2)
    assert [(r["position"], r["title"], r["score"], r["above_capacity_line"]) for r in body["results"]] == [
        (2, "B", 100.0, False)
    ]
    assert body["unscored_count"] == 1 and body["unscored"][0]["missing"] == ["effort"]
    assert client.get(f"{URL}backlog/").status_code == 400
    wsjf = client.get(f"{URL}backlog/?delivering_team={cast.delivering.slug}&method=wsjf").json()
    assert wsjf["count"] == 0 and wsjf["unscored_count"] == 3


def test_backlog_endpoint_query_count(cast, api_as):
    def add_rows():
        for reach in (10, 20, 30):
            ModelRequestFactory(delivering_team=cast.delivering, **rice_inputs(reach))
        ModelRequestFactory(delivering_team=cast.delivering)

    assert_queries_independent_of_rows(
        api_as(cast["outsider"]),
        f"{URL}backlog/?delivering_team={cast.delivering.slug}",
        add_rows,
        expected=10,
    )


def test_score_endpoint_sets_inputs_by_side_and_answers_scores_and_ranks(cast, api_as):
    ModelRequestFactory(title="Top", delivering_team=cast.delivering, **rice_inputs(5000))
    request = ModelRequestFactory(requesting_team=cast.requesting, delivering_team=cast.delivering)
    url = f"{URL}{request.pk}/score/"
    value = {"reach": 1000, "impact": 2, "confidence": 0.8}
    response = api_as(cast["request_pm"]).post(url, value, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["request"]["rice"] is None and response.json()["rice_rank"] is None
    refused = api_as(cast["request_pm"]).post(url, {"effort": 4}, format="json")
    assert (
        refused.status_code == 403
        and f"Only the lead or PM of {cast.delivering}, or platform staff, can size this"
        in refused.json()["detail"]
    )
    response = api_as(cast["deliver_pm"]).post(url, {"effort": 4}, format="json")
    body = response.json()
    assert body["request"]["rice"] == 400.0 and body["rice_rank"] == 2 and body["wsjf_rank"] is None
    setters = {entry["field"]: entry["set_by"] for entry in body["request"]["score_inputs"]}
    assert setters == {
        "reach": cast["request_pm"].username,
        "impact": cast["request_pm"].username,
        "confidence": cast["request_pm"].username,
        "effort": cast["deliver_pm"].username,
    }
    bad = api_as(cast["request_pm"]).post(url, {"impact": 1.7}, format="json")
    assert bad.status_code == 400 and "impact" in bad.json()
    assert api_as(cast["request_pm"]).post(url, {"colour": 1}, format="json").status_code == 400
    assert ModelRequest.objects.get(pk=request.pk).impact == 2


def test_unpin_endpoints(cast, api_as):
    a = ModelRequestFactory(delivering_team=cast.delivering, manual_rank=1, rank_reason="x", **rice_inputs(1))
    b = ModelRequestFactory(delivering_team=cast.delivering, manual_rank=2, rank_reason="y", **rice_inputs(2))
    assert api_as(cast["request_pm"]).post(f"{URL}{a.pk}/unpin/").status_code == 403
    response = api_as(cast["deliver_pm"]).post(f"{URL}{a.pk}/unpin/")
    assert response.status_code == 200 and response.json()["pinned"] is False
    assert ModelRequest.objects.get(pk=b.pk).manual_rank == 2
    forbidden = api_as(cast["request_pm"]).post(
        f"{URL}unpin-all/", {"delivering_team": cast.delivering.slug}, format="json"
    )
    assert forbidden.status_code == 403
    missing = api_as(cast["deliver_pm"]).post(f"{URL}unpin-all/", {}, format="json")
    assert missing.status_code == 400 and "delivering_team" in missing.json()
    response = api_as(cast["deliver_pm"]).post(
        f"{URL}unpin-all/", {"delivering_team": cast.delivering.slug}, format="json"
    )
    assert response.json() == {"team": cast.delivering.slug, "unpinned": 1}
    assert not ModelRequest.objects.filter(manual_rank__isnull=False).exists()
