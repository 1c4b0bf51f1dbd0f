"""The request edit form and the API's PATCH decide what changed against the stored row: a form
that already wrote the posted values onto its instance cannot slip the other side's score inputs
past the role check, and every accepted input records who set it (checked on the rows)."""

import pytest
from django.core.exceptions import PermissionDenied

from apps.modelrequests import services
from apps.modelrequests.models import ModelRequest, ScoreInput

pytestmark = pytest.mark.django_db
API = "/api/v1/model-requests/"


def _stored_scores(request):
    row = ModelRequest.objects.get(pk=request.pk)
    return {name: getattr(row, name) for name in ("reach", "impact", "effort", "job_size")}


def _form_data(response, **changes):
    """What the browser posts from the edit page: every enabled field with its shown value."""
    form = response.context["form"]
    data = {}
    for name, field in form.fields.items():
        if field.widget.attrs.get("disabled"):
            continue
        value = form.initial.get(name)
        if value is not None:
            data[name] = field.prepare_value(value) if name == "attachments" else value
    data.setdefault("attachments", "")
    data.update(changes)
    return data


@pytest.fixture
def sized(scored):
    ModelRequest.objects.filter(pk=scored.pk).update(reach=100, impact=1, effort=4, job_size=3)
    return ModelRequest.objects.get(pk=scored.pk)


def test_the_delivering_pm_cannot_set_the_value_side_through_the_edit_form(
    client, browser_login, cast, sized
):
    browser_login(client, cast["deliver_pm"])
    page = client.get(f"/requests/{sized.pk}/edit/")
    assert page.status_code == 200
    assert page.context["form"].fields["reach"].widget.attrs.get("disabled")
    response = client.post(f"/requests/{sized.pk}/edit/", _form_data(page, reach=99999, title="Changed"))
    assert response.status_code == 403
    assert (
        f"lead or PM of {cast.requesting}, or platform staff, can set the reach" in response.content.decode()
    )
    row = ModelRequest.objects.get(pk=sized.pk)
    assert (row.reach, row.title) == (100, sized.title)
    assert not ScoreInput.objects.filter(request=sized).exists()


def test_the_requesting_pm_cannot_size_through_the_edit_form(client, browser_login, cast, sized):
    browser_login(client, cast["request_pm"])
    page = client.get(f"/requests/{sized.pk}/edit/")
    assert (
        f"Only the lead or PM of {cast.delivering}, or platform staff, can size this" in page.content.decode()
    )
    response = client.post(f"/requests/{sized.pk}/edit/", _form_data(page, effort=1, job_size=1))
    assert response.status_code == 403
    assert f"Only the lead or PM of {cast.delivering}, or platform staff, can size this" in (
        response.content.decode()
    )
    assert _stored_scores(sized) == {"reach": 100, "impact": 1, "effort": 4, "job_size": 3}
    assert not ScoreInput.objects.filter(request=sized).exists()


def test_the_edit_form_saves_the_own_side_and_keeps_the_locked_one(client, browser_login, cast, sized):
    actor = cast["request_pm"]
    browser_login(client, actor)
    page = client.get(f"/requests/{sized.pk}/edit/")
    response = client.post(f"/requests/{sized.pk}/edit/", _form_data(page, reach=250, title="Sharper"))
    assert response.status_code == 302, response.context and response.context["form"].errors
    row = ModelRequest.objects.get(pk=sized.pk)
    assert (row.title, row.reach, row.effort, row.job_size) == ("Sharper", 250, 4, 3)
    assert list(ScoreInput.objects.filter(request=sized).values_list("field", "set_by")) == [
        ("reach", actor.pk)
    ]
    detail = client.get(f"/requests/{sized.pk}/").content.decode()
    assert f"Set by {actor.username} on" in detail


def test_the_service_compares_with_the_stored_row_not_the_object_it_is_given(cast, sized):
    handed = ModelRequest.objects.get(pk=sized.pk)
    handed.effort = 1  # what ModelForm.is_valid() does to its instance
    with pytest.raises(PermissionDenied, match=f"lead or PM of {cast.delivering}"):
        services.request_update(actor=cast["request_lead"], request=handed, data={"effort": 1})
    assert ModelRequest.objects.get(pk=sized.pk).effort == 4
    assert not ScoreInput.objects.exists()


@pytest.mark.parametrize(
    "role,field,value",
    [("deliver_pm", "reach", 7), ("deliver_lead", "impact", 3), ("request_pm", "job_size", 8)],
)
def test_the_api_refuses_the_other_side_on_patch(cast, sized, api_as, role, field, value):
    response = api_as(cast[role]).patch(f"{API}{sized.pk}/", {field: value, "title": "x"}, format="json")
    assert response.status_code == 403
    assert "or platform staff, can s" in response.json()["detail"]
    row = ModelRequest.objects.get(pk=sized.pk)
    assert row.title == sized.title and getattr(row, field) == getattr(sized, field)
    assert not ScoreInput.objects.exists()


def test_the_api_records_who_set_each_input(cast, sized, api_as):
    actor = cast["deliver_lead"]
    assert api_as(actor).patch(f"{API}{sized.pk}/", {"effort": 2}, format="json").status_code == 200
    detail = api_as(actor).get(f"{API}{sized.pk}/").json()
    (record,) = detail["score_inputs"]
    assert record["field"] == "effort" and record["set_by"] == actor.username and record["set_at"]
    assert ModelRequest.objects.get(pk=sized.pk).effort == 2
