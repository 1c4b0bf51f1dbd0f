"""axe-core on every page of the navigation and the main detail pages, as four roles (each sees other
buttons and forms): no critical and no serious violation. And the keyboard: a skip link first, and
focus that can be seen."""

import pytest

from tests.core.ui_pages import ROLES, open_page, pages_of, sign_in

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.mark.timeout(1500)
def test_no_critical_or_serious_axe_violation_on_any_page_as_four_roles(full_demo, browser, live_server, axe):
    violations = []
    checked = expected = 0
    for role in ROLES:
        pages = pages_of(role)
        expected += len(pages)
        context = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=live_server.url)
        page = context.new_page()
        sign_in(page, role)
        for path in pages:
            open_page(page, path)
            violations += [f"{role}: {line}" for line in axe(page)]
            checked += 1
        context.close()
    assert checked == expected
    assert violations == [], "\n".join(violations)


def test_the_signed_out_pages_pass_axe_too(transactional_db, page, axe):
    for path in ("/login/", "/no-such-page/"):
        page.goto(path)
        assert axe(page) == [], path


def test_keyboard_users_get_a_skip_link_and_a_visible_focus(transactional_db, login_page):
    from tests.factories import UserFactory

    page = login_page(UserFactory())
    open_page(page, "/models/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to content"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    page.keyboard.press("Tab")
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth]; })()"
    )
    assert outline[0] != "none" and outline[1] != "0px", outline
