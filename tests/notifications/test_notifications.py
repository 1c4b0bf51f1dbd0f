"""Who is told what: watchers by default (filer, requesting team, owning team), explicit watch and mute,
@mentions, never the actor; and the inbox, bell, preferences and watches in the UI and the API."""

import pytest
from django.core import mail
from django.urls import reverse

from apps.modelrequests import services as request_services
from apps.modelrequests.models import RequestStatus as S
from apps.notifications import services
from apps.notifications.models import EmailChoice, Notification, Preference, Watch
from apps.registry import services as registry_services
from apps.registry.models import Stage
from apps.teams.models import MemberRole
from tests.conftest import member_of
from tests.factories import UserFactory
from tests.modelrequests.factories import ModelRequestFactory
from tests.querycount import assert_queries_independent_of_rows
from tests.registry.factories import ModelVersionFactory, RegisteredModelFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_in_process")]


@pytest.fixture
def cast(team):
    """A request from ``team`` to a platform team, filed by a user outside both teams."""
    filer = UserFactory(username="filer")
    request = ModelRequestFactory(requesting_team=team, created_by=filer, status=S.SUBMITTED)
    return {
        "request": request,
        "filer": filer,
        "requester": member_of(team, MemberRole.ENGINEER),
        "requesting_lead": member_of(team, MemberRole.LEAD),
        "deliver_pm": member_of(request.delivering_team, MemberRole.PRODUCT_MANAGER),
        "outsider": UserFactory(username="outsider"),
    }


def move(cast, django_capture_on_commit_callbacks, to=S.TRIAGED):
    with django_capture_on_commit_callbacks(execute=True):
        request_services.request_transition(
            actor=cast["deliver_pm"], request=cast["request"], to_status=to, note="ok"
        )


def told(**filters) -> dict[str, str]:
    return dict(Notification.objects.filter(**filters).values_list("user__username", "reason"))


def test_a_move_tells_the_filer_and_the_requesting_team_but_not_the_actor(
    cast, django_capture_on_commit_callbacks
):
    move(cast, django_capture_on_commit_callbacks)
    assert told(event_type="request.moved") == {
        "filer": "you filed this request",
        cast["requester"].username: "your team filed this request",
        cast["requesting_lead"].username: "your team filed this request",
    }
    notification = Notification.objects.get(user=cast["filer"])
    assert notification.url == f"/requests/{cast['request'].pk}/" and "Triaged" in notification.summary
    assert notification.read_at is None


def test_muting_stops_the_default_and_watching_adds_anyone(cast, django_capture_on_commit_callbacks):
    services.watch_set(actor=cast["requester"], request=cast["request"], watching=False)
    services.watch_set(actor=cast["outsider"], request=cast["request"], watching=True)
    move(cast, django_capture_on_commit_callbacks)
    names = set(told(event_type="request.moved"))
    assert cast["requester"].username not in names
    assert {"outsider", "filer", cast["requesting_lead"].username} <= names


def test_a_mention_reaches_the_person_even_when_muted(cast, django_capture_on_commit_callbacks):
    services.watch_set(actor=cast["outsider"], request=cast["request"], watching=False)
    with django_capture_on_commit_callbacks(execute=True):
        request_services.comment_create(
            actor=cast["requester"], request=cast["request"], body="@outsider can you check this? cc @nobody"
        )
    mentions = told(event_type="request.commented")
    assert mentions["outsider"] == "you were mentioned"
    assert cast["requester"].username not in mentions  # the author
    assert "nobody" not in mentions


def test_a_promotion_tells_the_owning_team(team, django_capture_on_commit_callbacks):
    lead = member_of(team, MemberRole.LEAD)
    engineer = member_of(team, MemberRole.ENGINEER)
    version = ModelVersionFactory(
        model=RegisteredModelFactory(owning_team=team, value_stream=team.value_stream)
    )
    with django_capture_on_commit_callbacks(execute=True):
        registry_services.version_promote(
            version=version, actor=lead, to_stage=Stage.STAGING, reason="try it"
        )
    assert told(event_type="version.promoted") == {engineer.username: "your team owns this model"}


def test_immediate_mail_by_default_none_and_daily_send_nothing_at_once(
    cast, django_capture_on_commit_callbacks
):
    services.preference_set(actor=cast["requester"], email=EmailChoice.NONE)
    services.preference_set(actor=cast["requesting_lead"], email=EmailChoice.DAILY)
    cast["filer"].email = "filer@example.com"
    cast["filer"].save()
    move(cast, django_capture_on_commit_callbacks)
    assert [message.to for message in mail.outbox] == [["filer@example.com"]]
    assert "you filed this request" in mail.outbox[0].body
    assert Notification.objects.get(user=cast["filer"]).emailed_at is not None
    assert Notification.objects.get(user=cast["requesting_lead"]).emailed_at is None


def test_the_daily_digest_collects_unread_notifications_once(cast, django_capture_on_commit_callbacks):
    services.preference_set(actor=cast["requesting_lead"], email=EmailChoice.DAILY)
    move(cast, django_capture_on_commit_callbacks)
    move(cast, django_capture_on_commit_callbacks, to=S.ACCEPTED)
    mail.outbox.clear()
    assert services.email_daily_digests() == 1
    (digest,) = mail.outbox
    assert digest.to == [cast["requesting_lead"].email] and "2 unread notifications" in digest.subject
    assert services.email_daily_digests() == 0  # nothing twice


def test_inbox_open_and_mark_all_read_in_the_browser(
    client, browser_login, cast, django_capture_on_commit_callbacks
):
    move(cast, django_capture_on_commit_callbacks)
    move(cast, django_capture_on_commit_callbacks, to=S.ACCEPTED)
    browser_login(client, cast["filer"])
    assert client.get(reverse("notifications:unread")).json() == {"unread": 2}
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "Mark all 2 as read" in page and "you filed this request".capitalize() in page
    first = Notification.objects.filter(user=cast["filer"]).first()
    response = client.post(reverse("notifications:open", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == first.url
    first.refresh_from_db()
    assert first.read_at is not None
    client.post(reverse("notifications:mark-read"))
    assert not Notification.objects.filter(user=cast["filer"], read_at__isnull=True).exists()


def test_someone_elses_notification_cannot_be_opened(
    client, browser_login, cast, django_capture_on_commit_callbacks
):
    move(cast, django_capture_on_commit_callbacks)
    theirs = Notification.objects.get(user=cast["filer"])
    browser_login(client, cast["outsider"])
    assert client.post(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_watch_button_and_preference_form_write_rows(client, browser_login, cast):
    browser_login(client, cast["outsider"])
    page = client.get(cast["request"].get_absolute_url()).content.decode()
    assert ">Watch</button>" in page
    client.post(reverse("notifications:watch-request", args=[cast["request"].pk]), {"watching": "true"})
    assert Watch.objects.get(user=cast["outsider"], request=cast["request"]).watching is True
    assert "Watching · Mute" in client.get(cast["request"].get_absolute_url()).content.decode()
    client.post(reverse("notifications:preference"), {"email": "daily"})
    assert Preference.objects.get(user=cast["outsider"]).email == "daily"
    client.post(reverse("notifications:preference"), {"email": "hourly"})
    assert Preference.objects.get(user=cast["outsider"]).email == "daily"


def test_pages_need_sign_in(client):
    for name in ("notifications:inbox", "notifications:unread"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_api_lists_only_my_notifications_and_marks_them_read(
    api_as, cast, django_capture_on_commit_callbacks
):
    move(cast, django_capture_on_commit_callbacks)
    api = api_as(cast["filer"])
    response = api.get("/api/v1/notifications/?unread=true")
    assert response.status_code == 200, response.content
    listed = response.json()["results"]
    assert [n["reason"] for n in listed] == ["you filed this request"]
    assert api_as(cast["outsider"]).get("/api/v1/notifications/").json()["results"] == []
    assert api.get("/api/v1/notifications/unread/").json() == {"unread": 1}
    assert api.post("/api/v1/notifications/mark-read/", {"ids": [listed[0]["id"]]}, format="json").json() == {
        "marked": 1
    }
    assert Notification.objects.get(pk=listed[0]["id"]).read_at is not None
    unknown = api.post("/api/v1/notifications/mark-read/", {"all": True}, format="json")
    assert unknown.status_code == 400 and "all" in unknown.json()
    bad = api.post("/api/v1/notifications/mark-read/", {"ids": ["x"]}, format="json")
    assert bad.status_code == 400 and "ids" in bad.json()


def test_api_preference_and_watches(api_as, cast):
    api = api_as(cast["outsider"])
    assert api.get("/api/v1/notification-preference/").json() == {"email": "immediate"}
    assert api.put("/api/v1/notification-preference/", {"email": "none"}, format="json").status_code == 200
    assert Preference.objects.get(user=cast["outsider"]).email == "none"
    assert api.put("/api/v1/notification-preference/", {"email": "hourly"}, format="json").status_code == 400
    created = api.post("/api/v1/watches/", {"request": cast["request"].pk, "watching": True}, format="json")
    assert created.status_code == 201
    again = api.post("/api/v1/watches/", {"request": cast["request"].pk, "watching": False}, format="json")
    assert again.status_code == 201
    (watch,) = Watch.objects.filter(user=cast["outsider"])
    assert watch.watching is False
    both = api.post("/api/v1/watches/", {"request": cast["request"].pk, "model": "x"}, format="json")
    assert both.status_code == 400
    assert api.delete(f"/api/v1/watches/{watch.pk}/").status_code == 204
    assert not Watch.objects.filter(user=cast["outsider"]).exists()


def test_a_watch_without_watching_follows_as_the_field_default_says(api_as, cast):
    """``watching`` is optional in the schema (default true): leaving it out watches, not a 500."""
    created = api_as(cast["outsider"]).post(
        "/api/v1/watches/", {"request": cast["request"].pk}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["watching"] is True
    assert Watch.objects.get(user=cast["outsider"], request=cast["request"]).watching is True


def test_inbox_and_api_list_queries_do_not_grow_with_rows(client, api_as, browser_login, cast):
    user = cast["filer"]
    browser_login(client, user)

    def add():
        for i in range(3):
            Notification.objects.create(
                user=user,
                event_type="ping",
                event_id=f"e-{Notification.objects.count()}-{i}",
                summary="s",
                reason="r",
            )

    assert_queries_independent_of_rows(client, reverse("notifications:inbox"), add, expected=6)
    assert_queries_independent_of_rows(api_as(user), "/api/v1/notifications/", add, expected=3)
