"""What every web worker loads sooner or later, loaded when the worker starts (gunicorn's
``post_worker_init``, gunicorn.conf.py), so a worker's memory at start is what it needs to serve and
its first requests do not pay for it: a page, a prediction or a training job's first message each
imported 10-30 MB of modules on first use, which the soak measured as growth
(benchmarks/README.md, "Soak")."""

import contextlib
import gc
import logging
from pathlib import Path

logger = logging.getLogger(__name__)


def load_urls() -> None:
    """The URLconf and every view module it names (Django imports them on the first request)."""
    from django.urls import get_resolver

    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports the URLconf and its includes
    resolver._populate()  # the reverse lookup tables the first reverse() builds


def load_templates() -> None:
    """Every template compiled into the cached loader, and the tag libraries they load."""
    from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
    from django.template.utils import get_app_template_dirs

    for backend in engines.all():
        engine = getattr(backend, "engine", None)
        if engine is None:
            continue
        folders = [Path(folder) for folder in engine.dirs]
        if engine.app_dirs:
            folders += [Path(folder) for folder in get_app_template_dirs("templates")]
        for folder in folders:
            for path in folder.rglob("*.html"):
                with contextlib.suppress(TemplateDoesNotExist, TemplateSyntaxError, UnicodeDecodeError):
                    backend.get_template(path.relative_to(folder).as_posix())


def load_libraries() -> None:
    """What first predictions and first task messages import: skops (the artefact format), the Celery
    tasks and the broker's client."""
    import skops.io  # noqa: F401
    from celery import current_app
    from kombu.transport import redis  # noqa: F401

    current_app.loader.import_default_modules()


def warm_web_worker() -> None:
    """Load all of the above, then move what is loaded out of the cyclic collector's way: with the
    start-up objects frozen, a full collection only walks what requests left behind, so it runs often
    and cheaply instead of rarely, and garbage in reference cycles is freed soon (it waited for a full
    collection, whose threshold grows with every object the process holds)."""
    for step in (load_urls, load_templates, load_libraries):
        try:
            step()
        except Exception:  # a warm-up that fails leaves the work to the first request, never the worker down
            logger.exception("web worker warm-up: %s failed", step.__name__)
    gc.collect()
    gc.freeze()
    gc.collect()  # counts the long-lived objects anew: now only the few not frozen
