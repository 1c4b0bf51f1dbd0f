"""Static files as the portal serves them: hashed names (far-future caching) with gzip and brotli copies
made by WhiteNoise at collectstatic, and plotly.js (no CDN) with its style rules as a stylesheet.

plotly.js is the "cartesian" partial bundle (vendor/plotly/README.md): the portal draws only bar,
scatter and heatmap traces, all in it, and it is 1.5 MB against the full bundle's 4.8 MB in the
plotly package. Its version is the one the plotly package was built for (a test checks).

Brotli runs at quality 5 instead of its default 11: on the full plotly.min.js (4.8 MB) quality 11 took
~14 s on one core for 1.11 MB, quality 5 0.2 s for 1.29 MB. `make run` collects the files at every
start, so the first run stays fast.
"""

import re
from functools import cache
from pathlib import Path

import brotli
from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage
from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage

BROTLI_QUALITY = 5

PLOTLY_PREFIX = "vendor/plotly"
PLOTLY_JS = "plotly-cartesian.min.js"
PLOTLY_CSS = "plotly.css"
# The two files the pages load (the folder also holds the bundle's licence and where it comes from).
PLOTLY_FILES = (PLOTLY_JS, PLOTLY_CSS)
PLOTLY_DIR = Path(__file__).resolve().parent / "vendor" / "plotly"
_VERSION = re.compile(r"plotly\.js \(cartesian - minified\) v(\S+)")


@cache
def plotly_version() -> str:
    """The version of the served bundle, from its header comment."""
    with (PLOTLY_DIR / PLOTLY_JS).open(encoding="utf-8") as bundle:
        found = _VERSION.search(bundle.read(200))
    if not found:
        raise ValueError(f"no plotly.js version in the header of {PLOTLY_JS}")
    return found.group(1)


# plotly.js keeps its own style rules (modebar position, hover boxes, notifier) in one object literal,
# {"X .modebar": "position:absolute;...", ...}, and adds them to a <style> element at load, which the
# Content-Security-Policy (style-src 'self') refuses. The same rules, written out as a stylesheet the
# portal serves, keep the charts' controls in place.
_RULES = re.compile(r"""\{("X,X div":.*?)\};for\(""", re.S)
_RULE = re.compile(r""""((?:[^"\\]|\\.)*)":(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")


def plotly_stylesheet(script: str) -> str:
    """plotly.js's built-in style rules (from the text of plotly.min.js) as CSS."""
    found = _RULES.search(script)
    if not found:
        raise ValueError("plotly.js style rules not found: the plotly package changed its bundle")
    lines = []
    for selector, double, single in _RULE.findall(found.group(1)):
        selector = re.sub(r"^,", " ,", selector).replace("X", ".js-plotly-plot .plotly")
        lines.append(f"{selector.replace('Y', '.plotly-notifier')} {{ {double or single} }}")
    return "\n".join(lines) + "\n"


# Besides, the bundle adds the map traces' style (maplibre) in a <style> element of its own unless an
# element with that style's id is on the page; the portal draws no maps, so charts.js puts an empty
# element with each such id in place first (ids read from the bundle: they change with its version).
_OWN_STYLE_ID = re.compile(
    r'getElementById\("([0-9a-f]{32,})"\)\)\{var \w+=document\.createElement\("style"\)'
)


def plotly_skipped_style_ids(script: str) -> list[str]:
    return list(dict.fromkeys(_OWN_STYLE_ID.findall(script)))


@cache
def served_plotly_skipped_style_ids() -> tuple[str, ...]:
    return tuple(plotly_skipped_style_ids((PLOTLY_DIR / PLOTLY_JS).read_text(encoding="utf-8")))


class _FastBrotliCompressor(Compressor):
    @staticmethod
    def compress_brotli(data: bytes) -> bytes:
        return brotli.compress(data, quality=BROTLI_QUALITY)


class CompressedStaticStorage(CompressedManifestStaticFilesStorage):
    def create_compressor(self, **kwargs) -> Compressor:
        return _FastBrotliCompressor(**kwargs)


class PlotlyFinder(BaseFinder):
    """Finds the vendored plotly.js bundle and its generated stylesheet under ``vendor/plotly/``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=PLOTLY_DIR)
        self.storage.prefix = PLOTLY_PREFIX
        # The stylesheet is written beside the other generated files, once per plotly.js version.
        generated = Path(settings.VAR_DIR) / "generated" / f"plotly-cartesian-{plotly_version()}"
        if not (generated / PLOTLY_CSS).exists():
            generated.mkdir(parents=True, exist_ok=True)
            css = plotly_stylesheet((PLOTLY_DIR / PLOTLY_JS).read_text(encoding="utf-8"))
            (generated / f"{PLOTLY_CSS}.part").write_text(css, encoding="utf-8")
            (generated / f"{PLOTLY_CSS}.part").replace(generated / PLOTLY_CSS)
        self.generated = FileSystemStorage(location=generated)
        self.generated.prefix = PLOTLY_PREFIX

    def _storage(self, name: str) -> FileSystemStorage:
        return self.generated if name == PLOTLY_CSS else self.storage

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        name = path.removeprefix(PLOTLY_PREFIX + "/")
        if name == path or name not in PLOTLY_FILES:
            return []  # what Django's finders answer for a miss, with or without find_all
        found = self._storage(name).path(name)
        return [found] if find_all or kwargs.get("all") else found

    def list(self, ignore_patterns):
        for name in PLOTLY_FILES:
            yield name, self._storage(name)
