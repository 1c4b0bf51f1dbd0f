"""The audit log for platform staff (page, CSV, API with its filters), each object's History section,
and that nothing changes or deletes an audit record."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.core import acting
from tests.audit.helpers import events_of, last_change
from tests.factories import TeamFactory, ValueStreamFactory
from tests.querycount import assert_queries_independent_of_rows

pytestmark = pytest.mark.django_db

API = "/api/v1/audit-events/"


def write_some(actor=None, channel=acting.UI):
    with acting.acting(channel=channel, actor=actor):
        team = TeamFactory()
        team.focus = "changed focus"
        team.save()
    return team


def test_staff_list_events_with_actor_channel_request_id_and_changes(api_as, staff_user, team_lead):
    team = write_some(team_lead)
    body = api_as(staff_user).get(API, {"object_type": "teams.team", "object_id": team.pk}).json()
    assert body["count"] == 2
    change, created = body["results"]
    assert (change["action"], created["action"]) == ("update", "create")
    assert change["actor"] == team_lead.username and change["channel"] == "ui"
    assert change["object_type"] == "teams.team" and change["object_id"] == str(team.pk)
    focus = next(row for row in change["changes"] if row["field"] == "focus")
    assert focus["new"] == "changed focus" and focus["old"] != "changed focus"
    assert change["request_id"] == last_change(team).cid


def test_api_filters_by_actor_type_channel_and_time(api_as, staff_user, team_lead, team_pm):
    write_some(team_lead)
    write_some(team_pm, channel=acting.API)
    ValueStreamFactory()
    client = api_as(staff_user)

    def listed(**params):
        return client.get(API, params).json()["results"]

    assert {row["actor"] for row in listed(actor=team_lead.username)} == {team_lead.username}
    assert {row["object_type"] for row in listed(object_type="teams.valuestream")} == {"teams.valuestream"}
    assert {row["actor"] for row in listed(channel="api", object_type="teams.team")} == {team_pm.username}
    assert {row["action"] for row in listed(action="update", object_type="teams.team")} == {"update"}
    future = (timezone.now() + datetime.timedelta(hours=1)).isoformat()
    past = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    assert listed(since=future) == []
    # the fixtures' team, then two teams created and changed
    assert len(listed(since=past, until=future, object_type="teams.team")) == 5
    assert listed(until=past) == []


def test_api_names_a_bad_filter_value(api_as, staff_user):
    response = api_as(staff_user).get(API, {"object_type": "teams.nothing", "since": "yesterday"})
    assert response.status_code == 400
    body = response.json()
    assert "object_type" in str(body) and "since" in str(body)
    assert "teams.team" in str(body)  # the allowed values are named


def test_api_is_for_platform_staff_only(api_as, anon_api, team_lead, outsider):
    write_some(team_lead)
    assert anon_api.get(API).status_code == 401
    for user in (team_lead, outsider):
        response = api_as(user).get(API)
        assert response.status_code == 403
        assert "platform staff" in response.json()["detail"]


def test_api_has_no_write_method(api_as, staff_user):
    write_some()
    event = AuditEvent.objects.first()
    client = api_as(staff_user)
    assert client.post(API, {"object_repr": "forged"}, format="json").status_code == 405
    assert client.patch(f"{API}{event.pk}/", {"object_repr": "forged"}, format="json").status_code == 405
    assert client.delete(f"{API}{event.pk}/").status_code == 405
    event.refresh_from_db()
    assert event.object_repr != "forged"


def test_audit_records_cannot_be_changed_or_deleted_through_the_models():
    write_some()
    event = AuditEvent.objects.first()
    event.object_repr = "forged"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exclude(object_repr="forged").exists()


def test_the_schema_documents_the_list_and_its_filters(api_as, staff_user):
    schema = api_as(staff_user).get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/audit-events/"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"actor", "object_type", "object_id", "since", "until", "channel"} <= names
    assert set(schema["paths"]["/api/v1/audit-events/"]) == {"get"}


def test_api_list_query_count_does_not_grow_with_events(api_as, staff_user):
    assert_queries_independent_of_rows(api_as(staff_user), API, write_some, expected=3)


def test_audit_page_filters_and_query_count(client, browser_login, staff_user, team_lead):
    browser_login(client, staff_user)
    team = write_some(team_lead)
    page = client.get("/audit/", {"actor": team_lead.username}).content.decode()
    assert team.name in page and "changed focus" in page and "Browser" in page
    assert "No event matches" in client.get("/audit/", {"actor": "nobody"}).content.decode()
    assert_queries_independent_of_rows(client, "/audit/", write_some, expected=4)


def test_audit_page_is_for_platform_staff_only(client, browser_login, team_lead):
    browser_login(client, team_lead)
    assert client.get("/audit/").status_code == 403


def test_csv_export_has_every_filtered_event(client, browser_login, staff_user, team_lead):
    team = write_some(team_lead)
    browser_login(client, staff_user)
    response = client.get("/audit/", {"object_type": "teams.team", "object_id": team.pk, "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["time", "action", "object type"]
    assert [row[1] for row in rows[1:]] == ["update", "create"]
    assert rows[1][6] == team_lead.username and rows[1][8] == "ui"
    assert "focus: " in rows[1][5] and "-> changed focus" in rows[1][5]


def test_team_page_shows_its_history(client, browser_login, outsider, team_lead):
    team = write_some(team_lead)
    browser_login(client, outsider)
    page = client.get(f"/teams/{team.slug}/").content.decode()
    assert 'id="history"' in page and "changed focus" in page and "Browser" in page
    assert "Every change in the audit log" not in page  # the log itself is for platform staff


def test_history_names_related_rows_not_their_ids(client, browser_login, outsider, team_lead):
    """django-auditlog records a foreign key as an id: the page shows the stream's name, the one it
    moved from as well as the current one, and leaves out the row's id and timestamps."""
    before, after = ValueStreamFactory(name="Before stream"), ValueStreamFactory(name="After stream")
    with acting.acting(channel=acting.UI, actor=team_lead):
        team = TeamFactory(value_stream=before)
        team.value_stream = after
        team.save()
    browser_login(client, outsider)
    page = client.get(f"/teams/{team.slug}/").content.decode()
    history = page[page.index('id="history"') :]
    assert "<del>Before stream</del> → <ins>After stream</ins>" in history
    assert f"<strong>Value stream</strong>: {before.pk}<" not in history
    assert "<strong>ID</strong>" not in history and "<strong>Created at</strong>" not in history


def test_admin_lists_events_read_only(client, admin_user):
    write_some()
    event = AuditEvent.objects.first()
    client.force_login(admin_user)
    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 200
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_deleted_object_keeps_its_history():
    team = write_some()
    pk = team.pk
    team.delete()
    team.pk = pk
    assert [event.action for event in events_of(team)] == [0, 1, 2]
