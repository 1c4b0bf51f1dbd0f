"""The portal's own 404, 403 and 500 pages (templates/404.html ...): styled like the portal, in words,
with no settings and no traceback; JSON under /api/."""

import pytest
from django.conf import settings
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.error_urls")]


def page(response) -> str:
    text = response.content.decode()
    assert "Traceback" not in text and "SECRET_KEY" not in text and "DJANGO_SETTINGS_MODULE" not in text
    assert "Django tried these URL patterns" not in text
    assert 'class="topbar"' in text and "css/portal.css" in text  # the portal's layout
    return text


def test_unknown_address_shows_the_portal_404_page(client, team_lead):
    client.force_login(team_lead)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    text = page(response)
    assert "Not found" in text and "There is nothing at this address" in text
    assert 'aria-label="Main"' in text  # the navigation of a signed-in person


def test_unknown_api_address_is_json(client, team_lead):
    client.force_login(team_lead)
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_refusal_shows_the_portal_403_page_naming_it(client, team_lead):
    client.force_login(team_lead)
    response = client.get("/test-errors/forbidden/")
    assert response.status_code == 403
    text = page(response)
    assert "Not allowed" in text
    assert "Only the owning team&#x27;s leads may archive this model." in text


def test_failure_shows_the_portal_500_page_without_details(team_lead):
    client = Client(raise_request_exception=False)
    client.force_login(team_lead)
    response = client.get("/test-errors/crash/")
    assert response.status_code == 500
    text = page(response)
    assert "Something went wrong on our side" in text
    assert "a bug in a view" not in text and "RuntimeError" not in text
    assert settings.SECRET_KEY not in text


def test_failure_under_api_is_json(team_lead):
    client = Client(raise_request_exception=False)
    client.force_login(team_lead)
    response = client.get("/api/v1/test-errors/crash/")
    assert response.status_code == 500
    assert response.json() == {"detail": "The server failed to answer this request."}


def test_expired_form_shows_the_portal_csrf_page(team_lead):
    client = Client(enforce_csrf_checks=True)
    client.force_login(team_lead)
    response = client.post("/logout/")
    assert response.status_code == 403
    text = page(response)
    assert "This form has expired" in text


def test_too_many_form_fields_under_api_is_a_json_400_naming_the_limit(api_as, team_lead, settings):
    """Django refuses the body before any view runs (a SuspiciousOperation): the API still answers in
    JSON, as its schema documents, not with the HTML page."""
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = api_as(team_lead).post("/api/v1/notifications/mark-read/", {"ids": list(range(20))})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "DATA_UPLOAD_MAX_NUMBER_FIELDS" in response.json()["detail"]
