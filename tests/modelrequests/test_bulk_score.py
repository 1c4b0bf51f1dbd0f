"""Bulk sizing of a delivering team's backlog: all or nothing, with each refused row named, through
the service, the API and the backlog's form (rows checked afterwards)."""

import pytest

from apps.modelrequests import services
from apps.modelrequests.models import ModelRequest, ScoreInput
from tests.modelrequests.factories import ModelRequestFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/model-requests/bulk-score/"


@pytest.fixture
def three(cast, scored):
    others = [
        ModelRequestFactory(requesting_team=cast.requesting, delivering_team=cast.delivering)
        for _ in range(2)
    ]
    return [scored, *others]


def _sizes(requests):
    return [ModelRequest.objects.get(pk=item.pk).effort for item in requests]


def test_the_delivering_lead_sizes_several_requests_at_once(cast, three, api_as):
    lead = cast["deliver_lead"]
    rows = [{"id": item.pk, "effort": 2 + index} for index, item in enumerate(three)]
    response = api_as(lead).post(URL, {"delivering_team": cast.delivering.slug, "rows": rows}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["updated"] == 3
    assert _sizes(three) == [2, 3, 4]
    assert set(ScoreInput.objects.values_list("request_id", "field", "set_by")) == {
        (item.pk, "effort", lead.pk) for item in three
    }


def test_one_refused_row_saves_none_and_names_each_problem(cast, three, api_as):
    elsewhere = ModelRequestFactory(requesting_team=cast.requesting)
    rows = [
        {"id": three[0].pk, "effort": 2},
        {"id": three[1].pk, "effort": -1},
        {"id": elsewhere.pk, "effort": 3},
    ]
    response = api_as(cast["deliver_pm"]).post(
        URL, {"delivering_team": cast.delivering.slug, "rows": rows}, format="json"
    )
    assert response.status_code == 400
    problems = response.json()["rows"]
    assert set(problems) == {str(three[1].pk), str(elsewhere.pk)}
    assert "greater than 0" in problems[str(three[1].pk)]["effort"][0]
    assert f"not on the backlog of {cast.delivering.name}" in problems[str(elsewhere.pk)]["id"][0]
    assert _sizes(three) == [None, None, None]
    assert not ScoreInput.objects.exists()


def test_the_requesting_side_may_not_size_in_bulk(cast, three, api_as):
    rows = [{"id": item.pk, "job_size": 5} for item in three]
    response = api_as(cast["request_pm"]).post(
        URL, {"delivering_team": cast.delivering.slug, "rows": rows}, format="json"
    )
    assert response.status_code == 403
    for item in three:
        assert "can size this (job size)" in response.json()["rows"][str(item.pk)]["detail"][0]
    assert [ModelRequest.objects.get(pk=item.pk).job_size for item in three] == [None, None, None]


@pytest.mark.parametrize(
    "body,field",
    [
        ({"rows": []}, "rows"),
        ({"rows": [{"id": 1}]}, "rows"),
        ({"rows": [{"id": 1, "effort": 1}, {"id": 1, "effort": 2}]}, "rows"),
        ({"rows": [{"id": 1, "colour": "red"}]}, "rows"),
    ],
)
def test_bad_bulk_input_is_a_400_naming_the_field(cast, three, api_as, body, field):
    response = api_as(cast["deliver_lead"]).post(
        URL, {"delivering_team": cast.delivering.slug, **body}, format="json"
    )
    assert response.status_code == 400 and field in response.json()
    assert not ScoreInput.objects.exists()


def test_the_service_leaves_unchanged_rows_alone(cast, three):
    ModelRequest.objects.filter(pk=three[0].pk).update(effort=2)
    written = services.requests_bulk_score(
        actor=cast["deliver_lead"],
        team=cast.delivering,
        rows={three[0].pk: {"effort": 2}, three[1].pk: {"effort": 5}},
    )
    assert [item.pk for item in written] == [three[1].pk]
    assert list(ScoreInput.objects.values_list("request_id", flat=True)) == [three[1].pk]


def test_the_backlog_form_sizes_several_and_refuses_all_or_nothing(client, browser_login, cast, three):
    browser_login(client, cast["deliver_lead"])
    page = client.get(f"/requests/backlog/?delivering_team={cast.delivering.slug}").content.decode()
    assert "Size several requests" in page and f'name="effort-{three[0].pk}"' in page
    url = "/requests/backlog/bulk-score/"
    base = {"delivering_team": cast.delivering.slug, "method": "rice"}
    refused = client.post(
        url, {**base, f"effort-{three[0].pk}": "2", f"effort-{three[1].pk}": "0"}, follow=True
    ).content.decode()
    assert "Nothing saved" in refused and f"#{three[1].pk}:" in refused
    assert _sizes(three) == [None, None, None]
    done = client.post(
        url,
        {**base, f"effort-{three[0].pk}": "2", f"effort-{three[1].pk}": "3", f"effort-{three[2].pk}": ""},
        follow=True,
    ).content.decode()
    assert "Sized 2 requests" in done
    assert _sizes(three) == [2, 3, None]


def test_the_bulk_form_is_offered_only_to_those_who_size(client, browser_login, cast, three):
    browser_login(client, cast["request_pm"])
    page = client.get(f"/requests/backlog/?delivering_team={cast.delivering.slug}").content.decode()
    assert "Size several requests" not in page
    assert f"Only the lead or PM of {cast.delivering}, or platform staff, can size this." in page
    refused = client.post(
        "/requests/backlog/bulk-score/",
        {"delivering_team": cast.delivering.slug, "method": "wsjf", f"job_size-{three[0].pk}": "5"},
        follow=True,
    ).content.decode()
    assert "can size this (job size)" in refused
    assert ModelRequest.objects.get(pk=three[0].pk).job_size is None
