"""A write through each channel (browser form, API, admin, a task, the identity provider sync, the
shell) is recorded with the right actor, channel, request id and changed fields (rows read back)."""

import pytest

from apps.accounts.models import ApiToken
from apps.audit.models import Action, AuditEvent
from apps.core import acting
from apps.modelrequests.models import ModelRequest
from apps.sso.config import sso_config
from apps.sso.models import IdentityLink
from apps.sso.services import sign_in_from_idp
from apps.teams.models import MemberRole, Membership, Team, ValueStream
from apps.training import services as training_services
from apps.training.models import DatasetStatus, DatasetVersion
from apps.training.tasks import process_dataset
from tests.audit.helpers import events_of, last_change
from tests.conftest import member_of
from tests.factories import PASSWORD, PlatformTeamFactory, TeamFactory, ValueStreamFactory
from tests.modelrequests.factories import ModelRequestFactory, rice_inputs
from tests.sso.conftest import ISSUER
from tests.training.helpers import csv_upload, frame_csv, tumour_frame

pytestmark = pytest.mark.django_db


def team_form(team, **changes):
    return {
        "name": team.name,
        "slug": team.slug,
        "team_type": team.team_type,
        "value_stream": team.value_stream_id,
        "capacity_points": team.capacity_points,
        "wip_limit": team.wip_limit,
        "focus": team.focus,
    } | changes


def test_a_browser_form_write_is_recorded_as_ui_with_old_and_new_values(
    client, browser_login, team, team_lead
):
    old_focus = team.focus
    browser_login(client, team_lead)
    response = client.post(f"/teams/{team.slug}/edit/", team_form(team, focus="Faster checkout"))
    assert response.status_code == 302
    event = last_change(team)
    assert (event.actor, event.actor_email, event.channel) == (team_lead, team_lead.email, "ui")
    assert event.changes_dict["focus"] == [old_focus, "Faster checkout"]
    assert set(event.changes_dict) == {"focus", "updated_at"} or set(event.changes_dict) == {"focus"}
    assert event.cid == response["X-Request-ID"] and len(event.cid) >= 32
    assert event.remote_addr == "127.0.0.1"


def test_an_api_write_is_recorded_as_api_with_the_token_user_and_the_callers_request_id(
    api_as, team, team_lead
):
    response = api_as(team_lead).patch(
        f"/api/v1/teams/{team.slug}/", {"wip_limit": 9}, format="json", HTTP_X_REQUEST_ID="ci-run-42"
    )
    assert response.status_code == 200, response.json()
    assert response["X-Request-ID"] == "ci-run-42"
    event = last_change(team)
    assert (event.actor, event.channel, event.cid) == (team_lead, "api", "ci-run-42")
    assert event.changes_dict["wip_limit"][1] == "9"


def test_a_request_id_that_is_not_a_plain_token_is_replaced(api_as, team, team_lead):
    response = api_as(team_lead).patch(
        f"/api/v1/teams/{team.slug}/", {"wip_limit": 7}, format="json", HTTP_X_REQUEST_ID="<script> x"
    )
    assert response.status_code == 200
    assert response["X-Request-ID"] != "<script> x" and last_change(team).cid == response["X-Request-ID"]


def test_an_admin_write_is_recorded_as_admin(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/admin/teams/valuestream/add/",
        {
            "name": "Payments",
            "slug": "payments",
            "description": "Card payments",
            "teams-TOTAL_FORMS": "0",
            "teams-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    stream = ValueStream.objects.get(slug="payments")
    (created,) = events_of(stream, Action.CREATE)
    assert (created.actor, created.channel) == (admin_user, "admin")
    assert created.changes_dict["name"] == [None, "Payments"] or created.changes_dict["name"][1] == "Payments"


def test_a_delete_is_recorded_with_what_was_deleted(api_as, staff_user):
    team = TeamFactory(name="Short-lived")
    response = api_as(staff_user).delete(f"/api/v1/teams/{team.slug}/")
    assert response.status_code == 204
    assert not Team.objects.filter(pk=team.pk).exists()
    (deleted,) = events_of(team, Action.DELETE)
    assert (deleted.actor, deleted.channel, deleted.object_repr) == (staff_user, "api", "Short-lived")


def test_a_task_run_in_process_is_recorded_as_task_for_the_sender(tasks_run_in_process, team, team_lead):
    uploaded = training_services.dataset_upload(
        actor=team_lead,
        team=team,
        name="tumours",
        description="",
        file=csv_upload(frame_csv(tumour_frame(40))),
        enqueue=False,
    )
    with acting.acting(channel=acting.UI, actor=team_lead, request_id="req-1"):
        process_dataset.apply_async(args=[uploaded.pk], task_id=uploaded.celery_task_id)
    dataset = DatasetVersion.objects.get(pk=uploaded.pk)
    assert dataset.status == DatasetStatus.READY
    claimed, ready = events_of(dataset, Action.UPDATE)
    assert (claimed.actor, claimed.channel, claimed.cid) == (team_lead, "task", "req-1")
    assert claimed.changes_dict["attempts"] == ["0", "1"]
    # The guarded status update (apps.core.changes.update_rows) is recorded like a save.
    assert (ready.actor, ready.channel, ready.cid) == (team_lead, "task", "req-1")
    assert ready.changes_dict["status"] == [DatasetStatus.PROCESSING.value, DatasetStatus.READY.value]
    assert ready.changes_dict["row_count"] == ["None", "40"]


def test_the_identity_provider_sync_is_recorded_as_idp_sync(sso_settings, ml_platform):
    claims = {"sub": "idp-ann", "preferred_username": "ann", "email": "ann@example.com", "groups": []}
    user = sign_in_from_idp(claims=claims | {"groups": ["ml-platform-leads"]}, config=sso_config())
    membership = Membership.objects.get(user=user, team=ml_platform)
    (added,) = events_of(membership, Action.CREATE)
    assert (added.actor, added.channel) == (user, "idp-sync")
    assert added.changes_dict["role"][1] == "lead"
    (user_created,) = events_of(user, Action.CREATE)
    assert user_created.channel == "idp-sync"
    assert IdentityLink.objects.get(user=user).issuer == ISSUER

    sign_in_from_idp(claims=claims, config=sso_config())  # the group was removed at the provider
    (removed,) = events_of(membership, Action.DELETE)
    assert (removed.actor, removed.channel) == (user, "idp-sync")
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_a_write_outside_any_request_or_task_is_recorded_as_shell():
    stream = ValueStreamFactory(name="Shell stream")
    (created,) = events_of(stream, Action.CREATE)
    assert (created.actor, created.channel) == (None, "shell") and created.cid


def test_secrets_are_recorded_as_changed_never_with_their_values(client, browser_login, team_lead):
    team_lead.set_password("a new long password 123")
    team_lead.save()
    change = last_change(team_lead)
    assert change.changes_dict["password"] == ["(hidden)", "(hidden)"]
    recorded = " ".join(str(event.changes) for event in AuditEvent.objects.all())
    assert team_lead.password not in recorded


def test_a_re_rank_records_every_pin_it_shifts_with_the_actor(api_as):
    """Ranking writes the shifted pins in one bulk update; each changed row still gets its record."""
    team = PlatformTeamFactory()
    pm = member_of(team, MemberRole.PRODUCT_MANAGER)
    a, b, c = (
        ModelRequestFactory(title=title, delivering_team=team, **rice_inputs(1000 - 100 * i))
        for i, title in enumerate("ABC")
    )
    client = api_as(pm)
    for moved, anchor in ((c, a), (b, c)):  # pins C first, then B before it: C shifts to 2
        response = client.post(
            f"/api/v1/model-requests/{moved.pk}/rank/",
            {"before": anchor.pk, "reason": "deadline"},
            format="json",
        )
        assert response.status_code == 200, response.json()

    assert list(
        ModelRequest.objects.filter(manual_rank__isnull=False)
        .order_by("manual_rank")
        .values_list("title", "manual_rank")
    ) == [("B", 1), ("C", 2)]
    shifted = [event for event in events_of(c, Action.UPDATE) if "manual_rank" in event.changes_dict]
    assert [event.changes_dict["manual_rank"] for event in shifted] == [["None", "1"], ["1", "2"]]
    assert {(event.actor, event.channel) for event in shifted} == {(pm, "api")}
    assert shifted[1].cid == response["X-Request-ID"]
    assert not [event for event in events_of(a, Action.UPDATE) if "manual_rank" in event.changes_dict]


def test_a_token_made_at_sign_in_is_recorded_for_the_user_who_signed_in(anon_api, team_lead):
    """``POST /api/v1/auth/token/`` authenticates inside the view: its token's record named no actor."""
    response = anon_api.post(
        "/api/v1/auth/token/", {"username": team_lead.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    token = ApiToken.objects.get(user=team_lead)
    (created,) = events_of(token, Action.CREATE)
    assert (created.actor, created.channel) == (team_lead, "api")
