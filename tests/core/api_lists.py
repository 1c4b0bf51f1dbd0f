"""Every API list endpoint (found in the URL conf, so a new one is covered without editing tests)."""

from django.urls import URLResolver, get_resolver, reverse


def _walk(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns)
        else:
            yield pattern


def list_views() -> dict[str, type]:
    """``{url: view class}`` of every ``GET`` list endpoint that takes no path argument."""
    found = {}
    for pattern in _walk(get_resolver().url_patterns):
        view = getattr(pattern.callback, "cls", None)
        actions = getattr(pattern.callback, "actions", None) or {}
        if view and actions.get("get") == "list" and not pattern.pattern.regex.groupindex:
            found[reverse(pattern.name)] = view
    return found
