"""Static files as the portal serves them: hashed names (far-future caching) with gzip and brotli copies
made by WhiteNoise at collectstatic, and plotly.js taken from the plotly package (no CDN) with its
style rules as a stylesheet.

Brotli runs at quality 5 instead of its default 11: on plotly.min.js (4.8 MB) quality 11 takes ~14 s on
one core for 1.11 MB, quality 5 takes 0.2 s for 1.29 MB (gzip -9: 1.47 MB). `make run` collects the
files at every start, so the first run stays fast.
"""

import re
from functools import cache
from pathlib import Path

import brotli
import plotly
from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage
from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage

BROTLI_QUALITY = 5

PLOTLY_PREFIX = "vendor/plotly"
PLOTLY_JS = "plotly.min.js"
PLOTLY_CSS = "plotly.css"
# The two files the pages load; the package's folder also holds a 5 MB widget bundle and data sets.
PLOTLY_FILES = (PLOTLY_JS, PLOTLY_CSS)

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
    bundle = Path(plotly.__file__).parent / "package_data" / PLOTLY_JS
    return tuple(plotly_skipped_style_ids(bundle.read_text(encoding="utf-8")))


class _FastBrotliCompressor(Compressor):
    @staticmethod
    def compress_brotli(data: bytes) -> bytes:
        return brotli.compress(data, quality=BROTLI_QUALITY)


class CompressedStaticStorage(CompressedManifestStaticFilesStorage):
    def create_compressor(self, **kwargs) -> Compressor:
        return _FastBrotliCompressor(**kwargs)


class PlotlyFinder(BaseFinder):
    """Finds plotly.js inside the installed plotly package under ``vendor/plotly/``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        package = Path(plotly.__file__).parent / "package_data"
        self.storage = FileSystemStorage(location=package)
        self.storage.prefix = PLOTLY_PREFIX
        # The stylesheet is written beside the other generated files, once per plotly version.
        generated = Path(settings.VAR_DIR) / "generated" / f"plotly-{plotly.__version__}"
        if not (generated / PLOTLY_CSS).exists():
            generated.mkdir(parents=True, exist_ok=True)
            css = plotly_stylesheet((package / PLOTLY_JS).read_text(encoding="utf-8"))
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
