import pytest

from apps.modelrequests.models import Board, ModelRequest, RequestComment, RequestTransition
from tests.factories import StaffFactory
from tests.modelrequests.factories import ModelRequestFactory

pytestmark = pytest.mark.django_db

# the change form's inlines (score inputs, history, comments), posted without rows
NO_INLINE_ROWS = {
    f"{prefix}-{count}": "0"
    for prefix in ("score_inputs", "transitions", "comments")
    for count in ("TOTAL_FORMS", "INITIAL_FORMS")
}


@pytest.fixture
def admin_client(client):
    client.force_login(StaffFactory(is_superuser=True))
    return client


@pytest.mark.parametrize("model", [ModelRequest, RequestTransition, RequestComment, Board])
def test_admin_lists_every_model(admin_client, model):
    ModelRequestFactory()
    url = f"/admin/modelrequests/{model._meta.model_name}/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(f"{url}?q=x").status_code == 200


def test_history_is_read_only_in_the_admin(admin_client):
    request = ModelRequestFactory()
    page = admin_client.get(f"/admin/modelrequests/modelrequest/{request.pk}/change/").content.decode()
    assert "Request transitions" in page and "Submitted" in page
    transition = request.transitions.get()
    assert (
        admin_client.get(f"/admin/modelrequests/requesttransition/{transition.pk}/delete/").status_code == 403
    )
    assert admin_client.get("/admin/modelrequests/requesttransition/add/").status_code == 403


def test_request_added_in_admin_starts_its_history(admin_client):
    other = ModelRequestFactory()
    response = admin_client.post(
        "/admin/modelrequests/modelrequest/add/",
        {
            "title": "Added by staff",
            "problem_statement": "p",
            "requesting_team": other.requesting_team.pk,
            "delivering_team": other.delivering_team.pk,
            "value_stream": other.value_stream.pk,
            "kpi": "k",
            "expected_change": "1",
            "affected_volume": "5",
            "label_availability": "unknown",
            "simplest_alternative": "a rule",
            "attachments": "[]",
            "submitted_at_0": "2026-01-02",
            "submitted_at_1": "10:00:00",
            **NO_INLINE_ROWS,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    added = ModelRequest.objects.get(title="Added by staff")
    assert list(added.transitions.values_list("to_status", flat=True)) == ["submitted"]


def test_request_edited_in_admin_goes_through_the_update_service(admin_client):
    request = ModelRequestFactory(manual_rank=1, rank_reason="contract")
    other_team = ModelRequestFactory().delivering_team
    page = admin_client.get(f"/admin/modelrequests/modelrequest/{request.pk}/change/").content.decode()
    assert 'name="submitted_at_0"' not in page  # who filed it and when are set when it is added
    data = {
        "title": "Renamed by staff",
        "problem_statement": request.problem_statement,
        "requesting_team": request.requesting_team.pk,
        "delivering_team": other_team.pk,
        "value_stream": request.value_stream.pk,
        "kpi": request.kpi,
        "expected_change": request.expected_change,
        "affected_volume": request.affected_volume,
        "label_availability": request.label_availability,
        "simplest_alternative": request.simplest_alternative,
        "attachments": "[]",
        **NO_INLINE_ROWS,
    }
    response = admin_client.post(f"/admin/modelrequests/modelrequest/{request.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    request.refresh_from_db()
    # the service's rule: a pin means nothing on another team's backlog
    assert (request.title, request.delivering_team, request.manual_rank) == (
        "Renamed by staff",
        other_team,
        None,
    )


def test_admin_action_unpins_the_selected_requests(admin_client):
    pinned = ModelRequestFactory(manual_rank=1, rank_reason="contract")
    other = ModelRequestFactory(delivering_team=pinned.delivering_team, manual_rank=2, rank_reason="later")
    response = admin_client.post(
        "/admin/modelrequests/modelrequest/",
        {"action": "unpin", "_selected_action": [pinned.pk]},
        follow=True,
    )
    assert "Unpinned 1 requests." in response.content.decode()
    pinned.refresh_from_db()
    other.refresh_from_db()
    assert (pinned.manual_rank, pinned.rank_reason, pinned.ranked_by) == (None, "", None)
    assert (other.manual_rank, other.rank_reason) == (2, "later")
    listed = admin_client.get("/admin/modelrequests/modelrequest/?manual_rank__isempty=0").content.decode()
    assert other.title in listed and pinned.title not in listed
