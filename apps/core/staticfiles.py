"""Static files as the portal serves them: hashed names (far-future caching) with gzip and brotli copies
made by WhiteNoise at collectstatic, and plotly.js taken from the plotly package (no CDN).

Brotli runs at quality 5 instead of its default 11: on plotly.min.js (4.8 MB) quality 11 takes ~14 s on
one core for 1.11 MB, quality 5 takes 0.2 s for 1.29 MB (gzip -9: 1.47 MB). `make run` collects the
files at every start, so the first run stays fast.
"""

from pathlib import Path

import brotli
import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage
from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage

BROTLI_QUALITY = 5

PLOTLY_PREFIX = "vendor/plotly"
# The one file the pages load; the package's folder also holds a 5 MB widget bundle and data sets.
PLOTLY_FILES = ("plotly.min.js",)


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
        self.storage = FileSystemStorage(location=Path(plotly.__file__).parent / "package_data")
        self.storage.prefix = PLOTLY_PREFIX

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        name = path.removeprefix(PLOTLY_PREFIX + "/")
        if name == path or name not in PLOTLY_FILES:
            return [] if find_all or kwargs.get("all") else None
        found = self.storage.path(name)
        return [found] if find_all or kwargs.get("all") else found

    def list(self, ignore_patterns):
        for name in PLOTLY_FILES:
            yield name, self.storage
