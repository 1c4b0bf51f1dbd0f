"""Each role against each score input and each action, through the REST API and through the page's
plain form posts (no JavaScript), checking the row afterwards."""

import pytest

from apps.modelrequests.models import ModelRequest, RequestComment, RequestStatus, ScoreInput
from tests.modelrequests.factories import ModelRequestFactory
from tests.modelrequests.test_policy import ALL_FIELDS, SIDES

pytestmark = pytest.mark.django_db
API = "/api/v1/model-requests/"
ROLES = sorted(SIDES)


def _stored(request, field):
    value = getattr(ModelRequest.objects.get(pk=request.pk), field)
    return None if value is None else float(value)


def _assert_scored_or_untouched(scored, actor, field, allowed):
    if allowed:
        assert _stored(scored, field) == float(ALL_FIELDS[field])
        record = ScoreInput.objects.get(request=scored, field=field)
        assert record.set_by == actor
    else:
        assert _stored(scored, field) is None
        assert not ScoreInput.objects.filter(request=scored).exists()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("field", sorted(ALL_FIELDS))
def test_score_input_through_the_api(cast, scored, api_as, role, field):
    actor = cast[role]
    response = api_as(actor).post(f"{API}{scored.pk}/score/", {field: ALL_FIELDS[field]}, format="json")
    allowed = field in SIDES[role]
    assert response.status_code == (200 if allowed else 403), response.content
    if not allowed:
        assert "or platform staff, can s" in response.json()["detail"]
    _assert_scored_or_untouched(scored, actor, field, allowed)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("field", sorted(ALL_FIELDS))
def test_score_input_through_the_plain_form(client, browser_login, cast, scored, role, field):
    actor = cast[role]
    browser_login(client, actor)
    method = "rice" if field in ("reach", "impact", "confidence", "effort") else "wsjf"
    response = client.post(
        f"/requests/{scored.pk}/score/", {"method": method, field: ALL_FIELDS[field]}, follow=True
    )
    allowed = field in SIDES[role]
    page = response.content.decode()
    assert ("Saved the" in page) is allowed
    assert ("not scored" in page) is not allowed
    _assert_scored_or_untouched(scored, actor, field, allowed)


def _shows_field_as_select(page: str, request, method: str, field: str) -> bool:
    form = page.split(f'id="score-{method}-{request.pk}"', 1)[1].split("</form>", 1)[0]
    return f'<select name="{field}"' in form or f'<input name="{field}"' in form


@pytest.mark.parametrize("role", ROLES)
def test_the_request_page_offers_exactly_the_inputs_the_role_may_set(
    client, browser_login, cast, scored, role
):
    browser_login(client, cast[role])
    page = client.get(f"/requests/{scored.pk}/").content.decode()
    for field in ALL_FIELDS:
        method = "rice" if field in ("reach", "impact", "confidence", "effort") else "wsjf"
        assert _shows_field_as_select(page, scored, method, field) is (field in SIDES[role]), field


EDITORS = {"request_pm", "request_lead", "deliver_pm", "deliver_lead", "staff"}
RANKERS = {"deliver_pm", "deliver_lead", "staff"}
COMMENTERS = {
    "request_pm",
    "request_lead",
    "request_engineer",
    "deliver_pm",
    "deliver_lead",
    "deliver_engineer",
    "stream_pm",
    "staff",
}


@pytest.mark.parametrize("role", ROLES)
def test_edit_details_through_the_api(cast, scored, api_as, role):
    response = api_as(cast[role]).patch(f"{API}{scored.pk}/", {"kpi": "Returns"}, format="json")
    assert response.status_code == (200 if role in EDITORS else 403)
    assert ModelRequest.objects.get(pk=scored.pk).kpi == ("Returns" if role in EDITORS else "Conversion")


@pytest.mark.parametrize("role", ROLES)
def test_edit_page_through_the_form(client, browser_login, cast, scored, role):
    browser_login(client, cast[role])
    response = client.get(f"/requests/{scored.pk}/edit/")
    assert response.status_code == (200 if role in EDITORS else 403)
    detail = client.get(f"/requests/{scored.pk}/").content.decode()
    assert (f'href="/requests/{scored.pk}/edit/"' in detail) is (role in EDITORS)


@pytest.mark.parametrize("status,allowed", [(RequestStatus.SUBMITTED, True), (RequestStatus.TRIAGED, False)])
def test_the_filer_edits_through_the_form_while_submitted(client, browser_login, cast, status, allowed):
    filer = cast["request_engineer"]
    request = ModelRequestFactory(
        requesting_team=cast.requesting, delivering_team=cast.delivering, created_by=filer, status=status
    )
    browser_login(client, filer)
    form = client.get(f"/requests/{request.pk}/edit/")
    assert form.status_code == (200 if allowed else 403)
    if allowed:
        data = {
            name: value
            for name, value in form.context["form"].initial.items()
            if value is not None and name in form.context["form"].fields
        }
        data.update(title="Sharper title", attachments="")
        response = client.post(f"/requests/{request.pk}/edit/", data)
        assert response.status_code == 302, response.context["form"].errors
    assert ModelRequest.objects.get(pk=request.pk).title == ("Sharper title" if allowed else request.title)


@pytest.mark.parametrize("role", ROLES)
def test_pin_and_unpin_through_the_api(cast, scored, api_as, role):
    other = ModelRequestFactory(requesting_team=cast.requesting, delivering_team=cast.delivering, reach=1)
    ModelRequest.objects.filter(pk__in=[scored.pk, other.pk]).update(
        reach=10, impact=1, confidence=1, effort=1
    )
    allowed = role in RANKERS
    pinned = api_as(cast[role]).post(
        f"{API}{scored.pk}/rank/", {"position": 2, "reason": "Peak"}, format="json"
    )
    assert pinned.status_code == (200 if allowed else 403)
    row = ModelRequest.objects.get(pk=scored.pk)
    assert (row.manual_rank, row.rank_reason) == ((2, "Peak") if allowed else (None, ""))
    if allowed:
        assert row.ranked_by == cast[role]
    ModelRequest.objects.filter(pk=scored.pk).update(manual_rank=1, rank_reason="x")
    unpinned = api_as(cast[role]).post(f"{API}{scored.pk}/unpin/")
    assert unpinned.status_code == (200 if allowed else 403)
    assert ModelRequest.objects.get(pk=scored.pk).manual_rank == (None if allowed else 1)


@pytest.mark.parametrize("role", ROLES)
def test_pin_and_unpin_all_through_the_backlog_form(client, browser_login, cast, scored, role):
    ModelRequest.objects.filter(pk=scored.pk).update(reach=10, impact=1, confidence=1, effort=1)
    other = ModelRequestFactory(
        requesting_team=cast.requesting,
        delivering_team=cast.delivering,
        reach=20,
        impact=1,
        confidence=1,
        effort=1,
    )
    browser_login(client, cast[role])
    allowed = role in RANKERS
    client.post(
        "/requests/backlog/rank/",
        {"delivering_team": cast.delivering.slug, "move": f"{scored.pk}:before:{other.pk}", "reason": "Peak"},
    )
    assert ModelRequest.objects.get(pk=scored.pk).manual_rank == (1 if allowed else None)
    ModelRequest.objects.filter(pk=other.pk).update(manual_rank=2, rank_reason="y")
    client.post("/requests/backlog/reset/", {"delivering_team": cast.delivering.slug})
    assert ModelRequest.objects.filter(manual_rank__isnull=False).count() == (0 if allowed else 1)


@pytest.mark.parametrize("role", ROLES)
def test_comment_through_the_api_and_the_form(client, browser_login, cast, scored, api_as, role):
    allowed = role in COMMENTERS
    response = api_as(cast[role]).post(f"{API}{scored.pk}/comments/", {"body": "By API"}, format="json")
    assert response.status_code == (201 if allowed else 403)
    browser_login(client, cast[role])
    page = client.post(f"/requests/{scored.pk}/comments/", {"body": "By form"}, follow=True).content.decode()
    bodies = set(RequestComment.objects.filter(request=scored).values_list("body", flat=True))
    assert bodies == ({"By API", "By form"} if allowed else set())
    assert ("Add comment" in page) is allowed
    if not allowed:
        assert "can comment on this request" in page


def test_the_filer_comments_though_in_neither_team(client, browser_login, cast, api_as):
    filer = cast["outsider"]
    request = ModelRequestFactory(
        requesting_team=cast.requesting, delivering_team=cast.delivering, created_by=filer
    )
    assert (
        api_as(filer).post(f"{API}{request.pk}/comments/", {"body": "Mine"}, format="json").status_code == 201
    )
    assert RequestComment.objects.get(request=request).author == filer
