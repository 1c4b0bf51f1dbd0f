"""The demo organisation, assembled from the apps without core knowing them.

An app that ships demo data names it on its ``AppConfig``:

- ``demo_organisation``: dotted path of a function building the organisation (people, teams) and
  returning a handle to it; idempotent, so it runs on every ``load_demo``. One app provides it.
- ``demo_logins``: dotted path of a function returning ``(password, [(login, what it shows), ...])``
  for ``make run`` to print.
- ``demo``: dotted path of ``load(org)``, run once per app (``DemoLoad`` records it), in
  ``INSTALLED_APPS`` order, which is the layer order: an app's demo may use the demos below it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps as django_apps
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class DemoArea:
    label: str  # the app label, recorded in DemoLoad.area
    load: Callable[[Any], None]


def _providers(attribute: str) -> list[Callable]:
    return [
        import_string(path)
        for config in django_apps.get_app_configs()
        if (path := getattr(config, attribute, None))
    ]


def _single(attribute: str) -> Callable:
    found = _providers(attribute)
    if len(found) != 1:
        raise LookupError(f"Exactly one installed app must set AppConfig.{attribute}; found {len(found)}.")
    return found[0]


def organisation_loader() -> Callable[[], Any]:
    return _single("demo_organisation")


def areas() -> list[DemoArea]:
    return [
        DemoArea(label=config.label, load=import_string(config.demo))
        for config in django_apps.get_app_configs()
        if getattr(config, "demo", None)
    ]


def logins() -> tuple[str, list[tuple[str, str]]]:
    return _single("demo_logins")()
