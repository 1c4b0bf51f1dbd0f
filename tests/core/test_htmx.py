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


def test_a_refused_htmx_request_gets_the_refusal_in_words_for_the_page_alert(outsider, browser_login):
    from tests.registry.factories import FeedbackFactory

    feedback = FeedbackFactory()
    client = browser_login(Client(), outsider)
    url = f"/models/feedback/{feedback.pk}/acknowledge/"
    response = client.post(url, {}, headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#page-answer", "innerHTML")
    text = response.content.decode()
    assert text.startswith('<p class="msg msg-error">') and "<html" not in text
    feedback.refresh_from_db()
    assert feedback.status == "open"
    # the page without htmx: the portal's 403 page
    assert "<html" in client.post(url, {}).content.decode()
    missing = client.get("/models/feedback/0/acknowledge/nothing/", headers={"HX-Request": "true"})
    assert missing.status_code == 404 and missing["HX-Retarget"] == "#page-answer"


def test_an_expired_form_sent_by_htmx_says_so_in_words(outsider, browser_login):
    from tests.registry.factories import FeedbackFactory

    feedback = FeedbackFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(outsider)
    url = f"/models/feedback/{feedback.pk}/acknowledge/"
    response = client.post(url, {}, headers={"HX-Request": "true"})
    assert response.status_code == 403 and response["HX-Retarget"] == "#page-answer"
    assert "This form has expired" in response.content.decode()
    assert "This form has expired" in client.post(url, {}).content.decode()  # the page, without htmx
