"""plotly.js from the plotly package, with its style rules as a stylesheet (the CSP refuses plotly's
own <style> element), and the compressed copies collectstatic makes."""

from pathlib import Path

import plotly
from django.contrib.staticfiles import finders

from apps.core.staticfiles import _FastBrotliCompressor, plotly_stylesheet

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def test_plotly_style_rules_become_a_stylesheet():
    css = plotly_stylesheet(PLOTLY_JS.read_text(encoding="utf-8"))
    rules = css.splitlines()
    assert len(rules) > 40
    assert ".js-plotly-plot .plotly .modebar { position:absolute;top:2px;right:2px; }" in rules
    assert any(rule.startswith(".plotly-notifier") for rule in rules)
    assert "X " not in css and '":' not in css  # every placeholder and JS quote resolved


def test_only_plotly_js_and_its_stylesheet_are_served_from_the_package():
    assert finders.find("vendor/plotly/plotly.min.js") == str(PLOTLY_JS)
    assert Path(finders.find("vendor/plotly/plotly.css")).read_text().startswith(".js-plotly-plot")
    assert finders.find("vendor/plotly/widgetbundle.js") is None


def test_brotli_copy_of_plotly_is_a_quarter_of_its_size_and_decodes(tmp_path):
    import brotli

    data = PLOTLY_JS.read_bytes()
    packed = _FastBrotliCompressor.compress_brotli(data)
    assert len(packed) < len(data) * 0.3
    assert brotli.decompress(packed) == data
