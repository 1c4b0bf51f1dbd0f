"""Every page names its icon, so browsers do not ask for /favicon.ico (a 404 in every console)."""

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_pages_link_an_icon_that_exists(client):
    page = client.get("/login/").content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg"' in page
    assert finders.find("img/favicon.svg")


def test_favicon_ico_redirects_to_the_icon_for_pages_without_a_link(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/img/favicon.svg"
