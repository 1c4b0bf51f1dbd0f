"""htmx on every page: served by the portal (django-htmx's copy, no CDN), configured for the
Content-Security-Policy (no eval, no style element, no script from a fragment), the CSRF token in the
headers it sends; templates use no htmx feature that evaluates strings; a fragment request whose
session has ended takes the whole page to the sign-in page."""

import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_pages_load_htmx_from_the_portal_configured_for_the_policy(outsider, browser_login):
    page = browser_login(Client(), outsider).get("/teams/").content.decode()
    script = re.search(r'<script src="(?P<src>[^"]*htmx-2\.min\.js)" defer>', page)
    assert script and script.group("src").startswith("/static/django_htmx/"), page[:2000]
    assert finders.find("django_htmx/htmx-2.min.js"), "django-htmx ships htmx.min.js"
    meta = re.search(r"<meta name=\"htmx-config\" content='(?P<config>[^']*)'>", page)
    config = json.loads(meta.group("config"))
    assert config["allowEval"] is False and config["includeIndicatorStyles"] is False
    assert config["allowScriptTags"] is False and config["selfRequestsOnly"] is True
    # htmx settles no style attribute (the policy refuses those when set as markup)
    assert "style" not in config["attributesToSettle"]
    headers = re.search(r"<body hx-headers='(?P<headers>[^']*)'>", page)
    assert json.loads(headers.group("headers"))["X-CSRFToken"]


def test_the_sign_in_page_sends_no_token_header():
    page = Client().get("/login/").content.decode()
    assert "hx-headers" not in page


def test_no_template_uses_htmx_features_that_evaluate_strings():
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        if re.search(r"\s(data-)?hx-on", text):
            offenders.append(f"{template}: hx-on")
        if re.search(r"hx-(vals|vars|headers)='?\"?js:", text) or "hx-vars" in text:
            offenders.append(f"{template}: js: values")
        if re.search(r'hx-trigger="[^"]*\[', text):
            offenders.append(f"{template}: a trigger filter")
        if re.search(r"hx-(get|post|put|patch|delete)=\"https?:", text):
            offenders.append(f"{template}: a request to another origin")
    assert offenders == []
