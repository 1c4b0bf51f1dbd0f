"""Notification e-mails go through a real Celery worker to a real SMTP server: a mail server that
is down never fails the move that caused the mail, and the worker delivers once it is back."""

import socket
import time

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse

from apps.modelrequests.models import ModelRequest
from apps.modelrequests.models import RequestStatus as S
from apps.notifications.models import Notification
from apps.teams.models import MemberRole
from tests.conftest import member_of
from tests.modelrequests.factories import ModelRequestFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


class Inbox:
    """aiosmtpd handler: keeps every message the portal sends."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 60):
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(self.messages) >= count, f"{len(self.messages)} message(s) after {timeout} s"
        return self.messages


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def mail_worker(session_worker_aside, worker_factory, smtp_port):
    """A worker whose mail goes over SMTP to 127.0.0.1:smtp_port and retries after about a second;
    the only one that may take the mail."""
    worker_factory(
        queues="default",
        extra_env={
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "DJANGO_EMAIL_HOST": "127.0.0.1",
            "DJANGO_EMAIL_PORT": str(smtp_port),
            "PORTAL_MAIL_RETRY_BASE_SECONDS": "1",
        },
    )


def test_a_mail_server_that_is_down_never_fails_the_move_and_the_mail_arrives_later(
    mail_worker, smtp_port, client, browser_login, team
):
    request = ModelRequestFactory(delivering_team=team, status=S.SUBMITTED)
    requester = member_of(request.requesting_team, MemberRole.ENGINEER)
    pm = member_of(team, MemberRole.PRODUCT_MANAGER)
    browser_login(client, pm)
    # nothing listens on smtp_port yet: the worker's first attempts are refused
    response = client.post(
        reverse("modelrequests:request-transition", args=[request.pk]), {"to": S.TRIAGED, "note": "ok"}
    )
    assert response.status_code == 302
    assert ModelRequest.objects.get(pk=request.pk).status == S.TRIAGED
    time.sleep(2)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        (message,) = inbox.wait_for(1)
    finally:
        controller.stop()
    assert message.rcpt_tos == [requester.email]
    content = message.content.decode()
    assert "Triaged" in content and request.title in content and "your team filed this request" in content
    assert Notification.objects.get(user=requester).emailed_at is not None
