"""The Content-Security-Policy (django-csp): the portal's own origin only, no inline script or style,
on pages and the API; the docs page adds data: images and nothing else; no template has inline
script, style element or style attribute."""

import re
from pathlib import Path

import pytest
from django.test import Client

from tests.csp import csp_directives

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
STATIC_JS = Path(__file__).resolve().parents[2] / "static" / "js"


def directives(response) -> dict[str, list[str]]:
    return csp_directives(response["Content-Security-Policy"])


@pytest.mark.parametrize("path", ["/login/", "/teams/", "/api/v1/teams/", "/account/"])
def test_every_answer_allows_only_the_portal_itself(path, outsider, browser_login):
    client = browser_login(Client(), outsider)
    policy = directives(client.get(path))
    for name in ("default-src", "script-src", "style-src", "img-src", "font-src", "connect-src"):
        assert policy[name] == ["'self'"], (name, policy[name])
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_the_docs_page_adds_data_images_only(outsider, browser_login):
    client = browser_login(Client(), outsider)
    policy = directives(client.get("/api/docs/", HTTP_ACCEPT="text/html"))
    assert policy["img-src"] == ["'self'", "data:"]
    for name in ("script-src", "style-src", "connect-src", "font-src"):
        assert policy[name] == ["'self'"]


def test_a_page_with_a_chart_adds_blob_and_data_images_only(outsider, browser_login):
    """plotly.js draws a chart's PNG download through a blob: (or data:) image; only pages with a chart
    allow them."""
    from tests.registry.factories import CompleteCardModelFactory, register

    model = CompleteCardModelFactory()
    for score in (0.7, 0.8):
        register(model, score=score)
    client = browser_login(Client(), outsider)
    response = client.get(model.get_absolute_url())
    assert b'data-chart="metric-chart-data"' in response.content
    policy = directives(response)
    assert policy["img-src"] == ["'self'", "blob:", "data:"]
    for name in ("default-src", "script-src", "style-src", "font-src", "connect-src"):
        assert policy[name] == ["'self'"], name
    assert directives(client.get("/teams/"))["img-src"] == ["'self'"]


def test_no_template_has_inline_script_or_style():
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        for script in re.finditer(r"<script(?P<attrs>[^>]*)>", text):
            attrs = script.group("attrs")
            if "src=" not in attrs and 'type="application/json"' not in attrs:
                offenders.append(f"{template}: inline script")
        if re.search(r"<style\b", text) or re.search(r"\sstyle=", text):
            offenders.append(f"{template}: inline style")
        if re.search(r"\son[a-z]+=", text):
            offenders.append(f"{template}: inline event handler")
        if "javascript:" in text:
            offenders.append(f"{template}: javascript: URL")
    assert offenders == []


def test_no_script_evaluates_strings():
    for script in STATIC_JS.glob("*.js"):
        text = script.read_text()
        assert "eval(" not in text and "new Function" not in text, script


def test_pages_name_the_plotly_styles_to_skip(outsider, browser_login):
    from apps.core.staticfiles import served_plotly_skipped_style_ids

    ids = served_plotly_skipped_style_ids()
    assert ids, "plotly.js no longer adds a style of its own at load: drop data-plotly-skip-styles"
    page = browser_login(Client(), outsider).get("/teams/").content.decode()
    assert f'data-plotly-skip-styles="{" ".join(ids)}"' in page
