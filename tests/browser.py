"""Headless Chromium (Debian's package) driven by Playwright against pytest-django's live server.
Screenshots go to test-artifacts/ and are kept by CI."""

import shutil
from pathlib import Path

import pytest

from tests.factories import PASSWORD

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
# axe-core comes from the npm registry for the tests only (tests/js/package.json, installed by
# `make test`); it is injected into the test browser and never served to users.
AXE_SCRIPT = Path(__file__).resolve().parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail(
            "Debian's chromium is not installed; `make test` installs it (scripts/install-chromium.sh)"
        )
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login_page(page):
    """``login_page(user)``: the browser page, signed in through the login form."""

    def login(user):
        page.goto("/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)
        return page

    return login


@pytest.fixture
def screenshot():
    """``screenshot(page, name)`` keeps a full-page PNG under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_SCRIPT.exists():
        pytest.fail("axe-core is not installed; `make test` installs it (npm ci --prefix tests/js)")
    return AXE_SCRIPT.read_text()


@pytest.fixture
def axe(axe_source):
    """``axe(page)``: the page's critical and serious axe-core violations, as readable lines."""

    def run(page) -> list[str]:
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            # Evaluated by the browser's debugging protocol, which the Content-Security-Policy does not
            # govern; an inline <script> tag would be blocked by it (script-src 'self').
            page.evaluate(f"{axe_source}\n;true")
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        return [
            f"{page.url} {violation['impact']} {violation['id']}: {node['target']} {violation['help']}"
            for violation in result["violations"]
            if violation["impact"] in ("critical", "serious")
            for node in violation["nodes"]
        ]

    return run
