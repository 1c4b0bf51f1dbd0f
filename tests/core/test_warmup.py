"""A web worker loads what it serves when it starts (gunicorn's post_worker_init, portal/warmup.py):
the URLconf and its views, every template, skops, the Celery tasks and the broker's client, and then
freezes those objects out of the cyclic collector's way. Its first page, prediction or training job
then imports nothing of size (each imported 10-30 MB on first use, which the soak counted as growth)."""

import json
import os
import runpy
import subprocess
import sys

from tests.worker import ROOT

PROBE = """
import gc, json, sys
import django
django.setup()
before = set(sys.modules)
from portal.warmup import warm_web_worker
warm_web_worker()
from django.template import engines
from django.urls import get_resolver
loader = engines["django"].engine.template_loaders[0]
print(json.dumps({
    "imported": sorted(set(sys.modules) - before),
    "populated": get_resolver()._populated,
    "templates": len(loader.get_template_cache),
    "frozen": gc.get_freeze_count(),
}))
"""


def test_a_web_worker_loads_what_it_serves_before_its_first_request():
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "portal.settings", "DJANGO_DEBUG": "false",
                        "DJANGO_SECRET_KEY": "warm-up-only-" + "x" * 40}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    for module in ("portal.urls", "apps.registry.api.views", "skops.io", "apps.training.tasks",
                   "kombu.transport.redis"):  # fmt: skip
        assert module in loaded["imported"], module
    assert loaded["populated"]
    assert loaded["templates"] > 50  # every page's template compiled in the cached loader
    assert loaded["frozen"] > 100_000


def test_the_shipped_configuration_warms_each_worker_up():
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert callable(config["post_worker_init"])


def test_the_shipped_configuration_limits_malloc_arenas():
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["malloc_arena_max"] == int(os.environ.get("MALLOC_ARENA_MAX", 2))
