"""/api/docs/ and /api/schema/: an anonymous browser goes to the login page and comes back after
signing in; an API client gets a 401 JSON."""

import pytest
from django.test import Client

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.mark.parametrize("path", ["/api/docs/", "/api/schema/"])
def test_an_anonymous_browser_is_sent_to_sign_in_and_back(path, outsider):
    client = Client()
    response = client.get(path, **BROWSER)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={path}"
    back = client.post(
        "/login/", {"username": outsider.username, "password": PASSWORD, "next": path}, **BROWSER
    )
    assert back.status_code == 302 and back["Location"] == path
    assert client.get(path, **BROWSER).status_code == 200


def test_the_login_page_carries_the_docs_as_next(client):
    page = client.get("/login/?next=/api/docs/").content.decode()
    assert 'name="next" value="/api/docs/"' in page


@pytest.mark.parametrize("path", ["/api/docs/", "/api/schema/"])
def test_an_api_client_still_gets_a_401_json(path):
    response = Client().get(path, HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert response.json()["detail"]
    assert Client().get(path).status_code == 401  # no Accept at all


def test_the_docs_page_has_no_inline_script_or_style(outsider, browser_login):
    client = browser_login(Client(), outsider)
    page = client.get("/api/docs/", **BROWSER).content.decode()
    assert "<style" not in page
    assert "<script>" not in page
    script = client.get("/api/docs/?script=", **BROWSER)
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
