"""plotly.js: the vendored cartesian bundle, at the version the plotly package was built for, with its
style rules as a stylesheet (the CSP refuses plotly's own <style> element), and the compressed copies
collectstatic makes."""

import re
from pathlib import Path

import plotly
from django.contrib.staticfiles import finders

from apps.core.staticfiles import PLOTLY_DIR, _FastBrotliCompressor, plotly_stylesheet, plotly_version

PLOTLY_JS = PLOTLY_DIR / "plotly-cartesian.min.js"
ROOT = Path(__file__).resolve().parents[2]


def test_plotly_style_rules_become_a_stylesheet():
    css = plotly_stylesheet(PLOTLY_JS.read_text(encoding="utf-8"))
    rules = css.splitlines()
    assert len(rules) > 40
    assert ".js-plotly-plot .plotly .modebar { position:absolute;top:2px;right:2px; }" in rules
    assert any(rule.startswith(".plotly-notifier") for rule in rules)
    assert "X " not in css and '":' not in css  # every placeholder and JS quote resolved


def test_the_bundle_is_the_plotly_js_the_plotly_package_was_built_for():
    package_bundle = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    with package_bundle.open(encoding="utf-8") as bundle:
        built_for = re.search(r"plotly\.js v(\S+)", bundle.read(200)).group(1)
    assert plotly_version() == built_for


def test_the_bundle_has_every_trace_type_the_portal_draws():
    used = set()
    for source in (ROOT / "apps").rglob("*.py"):
        used |= {name.lower() for name in re.findall(r"\bgo\.([A-Z][a-z]+)\(", source.read_text())}
    used.discard("figure")
    assert used == {"bar", "scatter", "heatmap"}  # a new trace type: check the bundle has it
    bundle = PLOTLY_JS.read_text(encoding="utf-8")
    for trace in used:
        assert f'moduleType:"trace",name:"{trace}"' in bundle, trace


def test_only_the_bundle_and_its_stylesheet_are_served_from_the_vendor_folder():
    assert finders.find("vendor/plotly/plotly-cartesian.min.js") == str(PLOTLY_JS)
    assert Path(finders.find("vendor/plotly/plotly.css")).read_text().startswith(".js-plotly-plot")
    assert finders.find("vendor/plotly/README.md") is None
    assert finders.find("vendor/plotly/plotly.min.js") is None  # the full bundle is not served


def test_brotli_copy_of_plotly_is_under_a_third_of_its_size_and_decodes(tmp_path):
    import brotli

    data = PLOTLY_JS.read_bytes()
    packed = _FastBrotliCompressor.compress_brotli(data)
    assert len(packed) < len(data) * 0.35
    assert brotli.decompress(packed) == data
