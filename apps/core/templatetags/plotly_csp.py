"""plotly.js under the Content-Security-Policy. Its bundle adds a style element for map traces when it
loads, unless an element with that style's id is on the page already; the portal draws no maps, so
``{% plotly_skipped_style_ids %}`` gives those ids (read from the bundle the portal serves, so an
upgrade of plotly keeps working) for templates/core/_plotly.html to put placeholders under."""

import re
from functools import cache
from pathlib import Path

import plotly
from django import template

register = template.Library()

BUNDLE = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
STYLE_ID_CHECK = re.compile(
    r'getElementById\("([0-9a-f]{32,})"\)\)\{var \w+=document\.createElement\("style"\)'
)


@cache
def skipped_style_ids() -> tuple[str, ...]:
    return tuple(dict.fromkeys(STYLE_ID_CHECK.findall(BUNDLE.read_text(encoding="utf-8"))))


@register.simple_tag
def plotly_skipped_style_ids() -> tuple[str, ...]:
    return skipped_style_ids()
