"""Password reset by e-mail (Django's views and token, the portal's templates; the mail is read from
Django's outbox) and password change, in the browser forms and the API."""

import re

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from apps.audit.models import Action
from tests.audit.helpers import events_of
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "7tQ#zv9!Wm2$kx4P-8rJ"  # no word a random first or last name can resemble


@pytest.fixture(autouse=True)
def mail_in_outbox(settings, tasks_run_in_process):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` runs what the request enqueued on commit (the mail task) at the end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def reset_link() -> str:
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "[ML portal] Reset your password"
    found = re.search(r"https?://[^/\s]+(/account/password/reset/[^\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def assert_password_change_recorded_for(user, *, channel: str) -> None:
    """The reset's audit record names the user whose password changed: nobody is signed in, the
    mailed link is what identifies them."""
    *made_by_factory, change = [
        event for event in events_of(user, Action.UPDATE) if "password" in event.changes_dict
    ]
    assert [event.channel for event in made_by_factory] == ["shell"]
    assert (change.actor, change.channel) == (user, channel)
    assert change.changes_dict["password"] == ["(hidden)", "(hidden)"]


def test_the_login_page_links_to_the_reset(client):
    body = client.get("/login/").content.decode()
    assert 'href="/account/password/reset/"' in body


def test_reset_by_mail_in_the_browser_sets_a_new_password(outsider, committed):
    client = Client()
    page = client.get("/account/password/reset/")
    assert page.status_code == 200 and "Reset your password" in page.content.decode()
    with committed():
        response = client.post("/account/password/reset/", {"email": outsider.email})
    assert response.status_code == 302 and response["Location"] == "/account/password/reset/sent/"
    assert "Check your e-mail" in client.get(response["Location"]).content.decode()
    assert mail.outbox[0].to == [outsider.email]
    link = reset_link()
    form = client.get(link, follow=True)
    assert form.status_code == 200 and "Choose a new password" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/account/password/reset/done/"
    outsider.refresh_from_db()
    assert outsider.check_password(NEW_PASSWORD)
    assert_password_change_recorded_for(outsider, channel="ui")
    assert (
        Client().post("/login/", {"username": outsider.username, "password": NEW_PASSWORD}).status_code == 302
    )
    # the link works once
    again = client.get(link, follow=True)
    assert "This link no longer works" in again.content.decode()


def test_an_unknown_address_sends_nothing_and_says_the_same(client, committed):
    with committed():
        response = client.post("/account/password/reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302 and response["Location"] == "/account/password/reset/sent/"
    assert mail.outbox == []


def test_a_too_short_new_password_is_refused_naming_why(outsider, committed):
    client = Client()
    with committed():
        client.post("/account/password/reset/", {"email": outsider.email})
    form = client.get(reset_link(), follow=True)
    response = client.post(form.redirect_chain[-1][0], {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    outsider.refresh_from_db()
    assert outsider.check_password(PASSWORD)


def test_reset_through_the_api(outsider, committed):
    api = APIClient()
    with committed():
        response = api.post("/api/v1/auth/password-reset/", {"email": outsider.email}, format="json")
    assert response.status_code == 202
    uid, token = reset_link().rstrip("/").split("/")[-2:]
    bad = api.post(
        "/api/v1/auth/password-reset/confirm/",
        {"uid": uid, "token": token, "new_password": "short"},
        format="json",
    )
    assert bad.status_code == 400 and "too short" in bad.json()["new_password"][0]
    response = api.post(
        "/api/v1/auth/password-reset/confirm/",
        {"uid": uid, "token": token, "new_password": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code == 200, response.content
    outsider.refresh_from_db()
    assert outsider.check_password(NEW_PASSWORD)
    assert_password_change_recorded_for(outsider, channel="api")
    reused = api.post(
        "/api/v1/auth/password-reset/confirm/",
        {"uid": uid, "token": token, "new_password": NEW_PASSWORD + "x"},
        format="json",
    )
    assert reused.status_code == 400 and "token" in reused.json()
    forged = api.post(
        "/api/v1/auth/password-reset/confirm/",
        {"uid": "!!", "token": "nope", "new_password": NEW_PASSWORD},
        format="json",
    )
    assert forged.status_code == 400


def test_the_change_page_is_linked_from_the_user_box_and_changes_the_password(outsider, browser_login):
    client = browser_login(Client(), outsider)
    home = client.get("/teams/").content.decode()
    assert 'href="/account/password/change/"' in home
    wrong = client.post(
        "/account/password/change/",
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200 and "incorrectly" in wrong.content.decode()
    response = client.post(
        "/account/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/account/password/change/done/"
    outsider.refresh_from_db()
    assert outsider.check_password(NEW_PASSWORD)
    assert client.get("/teams/").status_code == 200  # this session stays signed in


def test_change_through_the_api(outsider, api_as):
    api = api_as(outsider)
    wrong = api.post(
        "/api/v1/auth/password/", {"old_password": "nope", "new_password": NEW_PASSWORD}, format="json"
    )
    assert wrong.status_code == 400 and "old_password" in wrong.json()
    response = api.post(
        "/api/v1/auth/password/", {"old_password": PASSWORD, "new_password": NEW_PASSWORD}, format="json"
    )
    assert response.status_code == 200
    outsider.refresh_from_db()
    assert outsider.check_password(NEW_PASSWORD)
    assert APIClient().post("/api/v1/auth/password/", {}, format="json").status_code == 401
