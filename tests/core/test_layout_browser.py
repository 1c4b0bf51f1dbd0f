"""Every page in the navigation at a laptop's and a phone's width: no horizontal page scroll, and on
the phone the navigation folds into a menu button that opens and closes it."""

import pytest

from tests.core.ui_pages import name_of, open_page, pages_of, sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.slow, pytest.mark.browser]

WIDTHS = {"desktop": 1440, "phone": 390}


def login(page, user):
    page.goto("/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.timeout(900)
def test_every_nav_page_fits_a_laptop_and_a_phone_without_horizontal_scroll(
    full_demo, browser, live_server, screenshot
):
    too_wide, no_export = [], []
    pages = pages_of("platform")
    for label, width in WIDTHS.items():
        context = browser.new_context(viewport={"width": width, "height": 900}, base_url=live_server.url)
        page = context.new_page()
        sign_in(page, "platform")
        for path in pages:
            open_page(page, path)
            if page_width(page) > width:
                too_wide.append(f"{path} is {page_width(page)} px wide at {width} px")
            # every chart offers its PNG and CSV downloads
            for chart_id in page.eval_on_selector_all("[data-chart]", "els => els.map(e => e.dataset.chart)"):
                tools = page.locator(f'[data-chart-export="{chart_id}"]')
                if not (tools.get_by_text("PNG").is_visible() and tools.get_by_text("CSV").is_visible()):
                    no_export.append(f"{path}: {chart_id} at {width} px")
            screenshot(page, f"layout-{label}-{name_of(path)}")
        context.close()
    assert too_wide == []
    assert no_export == [], "charts without their PNG and CSV downloads: " + ", ".join(no_export)


def test_the_phone_menu_button_opens_and_closes_the_navigation(
    transactional_db, browser, live_server, screenshot
):
    from tests.factories import UserFactory

    user = UserFactory()
    context = browser.new_context(viewport={"width": 390, "height": 800}, base_url=live_server.url)
    page = context.new_page()
    login(page, user)
    open_page(page, "/models/")
    menu = page.get_by_role("button", name="Menu")
    nav_link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Training")
    assert menu.is_visible() and menu.get_attribute("aria-expanded") == "false"
    assert not nav_link.is_visible()

    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    assert nav_link.is_visible()
    current = page.locator(".mainnav [aria-current=page]")
    assert current.inner_text() == "Models"
    screenshot(page, "layout-phone-menu-open")

    page.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false" and not nav_link.is_visible()
    menu.click()
    nav_link.click()
    page.wait_for_url("**/training/")
    assert page.get_by_role("heading", level=1).first.is_visible()
    context.close()

    wide = browser.new_context(viewport={"width": 1440, "height": 800}, base_url=live_server.url)
    page = wide.new_page()
    login(page, user)
    open_page(page, "/models/")
    assert not page.get_by_role("button", name="Menu").is_visible()
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Training").is_visible()
    wide.close()


def test_the_staff_navigation_fits_one_row_at_a_laptops_width(
    transactional_db, browser, live_server, screenshot
):
    """Platform staff see the most links (audit log, admin, users); at 1440 px the header stays one
    row: the staff links are one "Staff" menu, which opens on click and names its links."""
    from tests.factories import StaffFactory

    context = browser.new_context(viewport={"width": 1440, "height": 800}, base_url=live_server.url)
    page = context.new_page()
    login(page, StaffFactory())
    open_page(page, "/models/")
    header = page.locator("header.topbar")
    tops = page.evaluate(
        "[...document.querySelectorAll('.topbar .brand, .mainnav > *, .header-search, .userbox > *')]"
        ".filter(e => e.offsetParent !== null).map(e => Math.round(e.getBoundingClientRect().top"
        " + e.getBoundingClientRect().height / 2))"
    )
    screenshot(page, "layout-desktop-staff-nav")
    assert max(tops) - min(tops) <= 8, f"the header wraps: item centres at {sorted(set(tops))}"
    assert header.bounding_box()["height"] < 70
    staff = page.get_by_role("navigation", name="Main").locator("summary", has_text="Staff")
    audit = page.get_by_role("link", name="Audit log")
    assert not audit.is_visible()
    staff.click()
    assert audit.is_visible() and page.get_by_role("link", name="Admin").is_visible()
    assert page.get_by_role("link", name="Users").is_visible()
    screenshot(page, "layout-desktop-staff-menu-open")
    audit.click()
    page.wait_for_url("**/audit/")
    assert page.locator(".mainnav summary[aria-current=page]", has_text="Staff").count() == 1
    context.close()
