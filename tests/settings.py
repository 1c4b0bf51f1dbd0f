"""The portal's settings in a test process (pytest's DJANGO_SETTINGS_MODULE).

Run by pytest-xdist (``make test``: two processes), each xdist worker gets a broker and a var folder
of its own before the portal's settings read them: the Celery worker, files and remote-control
broadcasts of one never reach another's. The broker is the configured Redis database plus the worker's
number (gw0 the configured one, gw1 the next), or the embedded broker in the worker's var folder;
pytest-django already gives each worker its own test database (``test_<name>_gw0``, ...). The
processes the tests start (Celery workers, gunicorn, the identity provider) inherit the same
environment. Without xdist this is exactly ``portal.settings``."""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
# The folders the portal's settings read from the environment (defaults under PORTAL_VAR_DIR).
FOLDER_VARIABLES = ("PORTAL_VAR_DIR", "PORTAL_MEDIA_ROOT", "PORTAL_PLATFORM_STORAGE")
REDIS_VARIABLES = ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")


def redis_url_for_worker(url: str, index: int) -> str:
    """``redis://host:port/N`` -> the same server, database N + index."""
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0) + index
    return urlunsplit(parts._replace(path=f"/{database}"))


def isolate_xdist_worker(environ, worker: str) -> None:
    index = int(worker.removeprefix("gw"))
    environ.setdefault("PORTAL_VAR_DIR", str(Path(__file__).resolve().parent.parent / "var"))
    for name in FOLDER_VARIABLES:
        if environ.get(name):
            environ[name] = str(Path(environ[name]) / worker)
    for name in REDIS_VARIABLES:
        url = environ.get(name, "")
        if url.startswith(("redis://", "rediss://")):
            environ[name] = redis_url_for_worker(url, index)
        elif url and not url.startswith("filesystem://"):
            raise RuntimeError(f"{name}={url}: parallel tests need Redis or the embedded broker")


if XDIST_WORKER and os.environ.get("PORTAL_TEST_ISOLATED") != XDIST_WORKER:
    isolate_xdist_worker(os.environ, XDIST_WORKER)
    os.environ["PORTAL_TEST_ISOLATED"] = XDIST_WORKER

from portal.settings import *  # noqa: E402, F403
