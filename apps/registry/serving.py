"""Which version serves a prediction request, remembered per process for a moment.

The prediction endpoint's latency budget is a few milliseconds; a database round trip per request
to find the production version is a large share of it on a busy machine. A stage change in this
process (or any save of a version or model, e.g. a test fixture) forgets the lookup at once (and again
on commit); other processes pick it up within
``REGISTRY_SERVING_CACHE_SECONDS`` (default 2 s; 0 turns the cache off). Only found versions are
remembered, so unknown models and versions always ask the database.
"""

from django.conf import settings

from apps.core.ttlcache import TtlCache
from apps.registry import selectors
from apps.registry.models import ModelVersion


def cache_seconds() -> float:
    return float(getattr(settings, "REGISTRY_SERVING_CACHE_SECONDS", 2.0))


_serving = TtlCache(cache_seconds)


def serving_version(*, slug: str, number: int | None = None) -> ModelVersion | None:
    """The production version of ``slug`` (or version ``number``), as ``selectors.production_version``."""
    key = (slug, number)
    version = _serving.get(key)
    if version is None:
        version = selectors.production_version(slug=slug, number=number)
        if version is not None:
            _serving.put(key, version)
    return version


def forget_serving_versions(**_signal_kwargs) -> None:
    _serving.clear()


def connect_invalidation() -> None:
    """Any saved or deleted version or model (services, admin, fixtures) forgets the lookups too."""
    from django.db.models.signals import post_delete, post_save

    from apps.registry.models import RegisteredModel

    for model in (ModelVersion, RegisteredModel):
        for signal in (post_save, post_delete):
            signal.connect(
                forget_serving_versions, sender=model, dispatch_uid=f"serving-{model.__name__}-{signal}"
            )
