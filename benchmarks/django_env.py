"""Imported first by the benchmarks that run the portal in process: production-like settings (no query
logging, no HTTPS redirect for the test client's plain HTTP), a throwaway platform storage folder,
then ``django.setup()``."""

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("PORTAL_PLATFORM_STORAGE", tempfile.mkdtemp(prefix="bench-platform-"))

import django  # noqa: E402

django.setup()
