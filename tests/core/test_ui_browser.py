"""The portal as a person sees it in Chromium: its error pages, the dark theme (pages and charts) and
the charts fixed in issue 16. Screenshots go to test-artifacts/."""

import pytest

from tests.demo_snapshot import committed_demo
from tests.factories import UserFactory
from tests.outcomes.conftest import build_demo_org, build_org
from tests.registry.factories import CompleteCardModelFactory, register

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Relative luminance of the page background (0 black .. 1 white), and one chart's tick label colour.
BACKGROUND = """() => {
  const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}"""
TICK_COLOUR = """(id) => {
  const tick = document.querySelector(`[data-chart="${id}"] .ytick text`);
  return tick && getComputedStyle(tick).fill;
}"""
PAGE_TEXT_COLOUR = "() => getComputedStyle(document.body).color"


@pytest.fixture
def outcomes_demo(db):
    """The outcomes demo, as tests/outcomes' ``demo_org`` (built once, restored for later tests)."""
    return committed_demo("outcomes", build_demo_org, build_org)


def test_error_page_is_the_portals_in_both_themes(login_page, screenshot):
    page = login_page(UserFactory())
    response = page.goto("/no-such-page/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Not found"
    assert page.locator("nav[aria-label=Main]").is_visible()
    assert "Django tried these URL patterns" not in page.content()
    screenshot(page, "error-404-light")
    page.emulate_media(color_scheme="dark")
    assert page.evaluate(BACKGROUND) < 0.15
    screenshot(page, "error-404-dark")


def test_dark_preference_darkens_pages_and_charts_and_the_toggle_switches_back(
    outcomes_demo, login_page, screenshot
):
    page = login_page(UserFactory())
    pages = [
        ("/outcomes/streams/supply/", "figure-impact"),
        ("/outcomes/", "figure-portfolio"),
        ("/teams/", None),
    ]
    for scheme, dark in (("light", False), ("dark", True)):
        page.emulate_media(color_scheme=scheme)
        for path, chart in pages:
            page.goto(path)
            luminance = page.evaluate(BACKGROUND)
            assert (luminance < 0.15) if dark else (luminance > 0.85), (path, scheme, luminance)
            if chart:
                page.wait_for_selector(f'[data-chart="{chart}"] .main-svg')
                # the chart's text takes the page's text colour (plotly's default is dark grey)
                assert page.evaluate(TICK_COLOUR, chart) == page.evaluate(PAGE_TEXT_COLOUR), path
            name = path.strip("/").replace("/", "-")
            screenshot(page, f"theme-{scheme}-{name}")

    # dark preference, then the toggle: the page and the drawn charts turn light without a reload
    page.goto("/outcomes/streams/supply/")
    page.wait_for_selector('[data-chart="figure-impact"] .main-svg')
    dark_text = page.evaluate(TICK_COLOUR, "figure-impact")
    page.click("[data-theme-toggle]")
    assert page.evaluate(BACKGROUND) > 0.85
    page.wait_for_function(
        "([id, before]) => getComputedStyle(document.querySelector(`[data-chart='${id}'] .ytick text`)).fill"
        " !== before",
        arg=["figure-impact", dark_text],
    )
    assert page.evaluate(TICK_COLOUR, "figure-impact") == page.evaluate(PAGE_TEXT_COLOUR)


def test_ml_vs_alternative_starts_at_zero_with_its_legend_clear_of_the_labels(
    outcomes_demo, login_page, screenshot
):
    page = login_page(UserFactory())
    page.goto("/outcomes/streams/supply/")
    chart = '[data-chart="figure-ml-vs-alternative"]'
    page.wait_for_selector(f"{chart} .main-svg")
    assert page.evaluate(f"document.querySelector('{chart}')._fullLayout.yaxis.range[0]") == 0
    legend = page.locator(f"{chart} .legend").bounding_box()
    ticks = [page.locator(f"{chart} .xtick").nth(i).bounding_box() for i in range(2)]
    plot = page.locator(f"{chart} .bglayer rect").first.bounding_box()
    assert legend["y"] + legend["height"] <= plot["y"]  # above the plot
    assert all(tick["y"] >= plot["y"] + plot["height"] - 1 for tick in ticks)  # labels below it
    page.locator("#chart-ml-vs-alternative").screenshot(path="test-artifacts/chart-ml-vs-alternative.png")


def test_version_comparison_opens_on_the_two_latest_versions(login_page, screenshot):
    model = CompleteCardModelFactory(name="Fraud scorer", slug="fraud-scorer")
    for score in (0.7, 0.74, 0.79):
        register(model, score=score, baseline=0.58)
    page = login_page(UserFactory())
    page.goto("/models/fraud-scorer/")
    screenshot(page, "registry-model-page-compare-form")
    page.click("form[action$='/compare/'] button[type=submit]")
    page.wait_for_url("**/compare/**")
    assert page.locator("h1").inner_text() == "Compare versions: v2 vs v3"
    assert page.locator("#compare-a").input_value() == "2" and page.locator("#compare-b").input_value() == "3"
    assert page.locator("table.table tbody tr").count() >= 2  # metrics and lineage rows
    page.select_option("#compare-a", "1")
    page.click("form.inline-form button[type=submit]")
    assert page.locator("h1").inner_text() == "Compare versions: v1 vs v3"
    screenshot(page, "version-compare")


def test_the_theme_toggle_is_a_named_toggle_button_at_both_widths(login_page, screenshot):
    page = login_page(UserFactory())
    page.emulate_media(color_scheme="light")
    page.goto("/teams/")
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 800})
        toggle = page.get_by_role("button", name="Dark theme", exact=True)
        assert toggle.is_visible() and toggle.inner_text().strip().endswith("Dark theme")
        pressed = toggle.get_attribute("aria-pressed")
        toggle.click()
        assert toggle.get_attribute("aria-pressed") == ("true" if pressed == "false" else "false")
        assert page.evaluate("document.documentElement.dataset.theme") == (
            "dark" if pressed == "false" else "light"
        )
        screenshot(page, f"theme-toggle-{width}")


def test_every_chart_downloads_as_png_and_as_csv(outcomes_demo, login_page, tmp_path):
    """Above each chart: PNG (plotly draws it; the page's policy lets it load the blob: image it
    goes through) and CSV, the page's own export where it has one, else the figure's points."""
    page = login_page(UserFactory())
    page.goto("/outcomes/streams/supply/")
    page.wait_for_function(
        "[...document.querySelectorAll('[data-chart]')].every(el => el.hasAttribute('data-chart-drawn'))"
    )
    charts = page.locator("[data-chart]")
    assert charts.count() >= 2
    for i in range(charts.count()):
        chart_id = charts.nth(i).get_attribute("data-chart")
        tools = page.locator(f'[data-chart-export="{chart_id}"]')
        assert tools.get_by_role("button", name="PNG").is_visible(), chart_id
        assert tools.get_by_text("CSV").is_visible(), chart_id

    tools = page.locator('[data-chart-export="figure-ml-vs-alternative"]')
    with page.expect_download() as png:
        tools.get_by_role("button", name="PNG").click()
    assert png.value.suggested_filename == "figure-ml-vs-alternative.png"
    assert (tmp_path / "chart.png").write_bytes(png.value.path().read_bytes()) > 1000
    assert (tmp_path / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with page.expect_download() as csv:
        tools.get_by_role("link", name="Download ML vs the simplest alternative as CSV").click()
    rows = csv.value.path().read_text().splitlines()
    assert rows[0].startswith("model,kpi,direction,alternative") and len(rows) > 1

    # a chart without an export of its own: the figure's points, one row each
    model = CompleteCardModelFactory(name="Basket scorer", slug="basket-scorer")
    for score in (0.7, 0.74, 0.79):
        register(model, score=score, baseline=0.58)
    page.goto("/models/basket-scorer/")
    page.wait_for_selector('[data-chart="metric-chart-data"][data-chart-drawn]')
    tools = page.locator('[data-chart-export="metric-chart-data"]')
    with page.expect_download() as csv:
        tools.get_by_role("button", name="CSV").click()
    assert csv.value.suggested_filename == "metric-chart-data.csv"
    rows = csv.value.path().read_text().splitlines()
    assert rows[0] == "series,x,y"
    assert any(row.endswith(",0.79") for row in rows) and any(row.endswith(",0.7") for row in rows), rows
