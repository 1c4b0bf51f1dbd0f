"""One view, two answers: the fragment htmx swaps into the page, or the whole page.

Pages are enhanced with htmx (django-htmx sets ``request.htmx``): a poll or an inline form asks the same
URL as the page, and the view renders the fragment template when htmx asks, the page otherwise. The
markup is always the server's; no script rebuilds it. ``Vary: HX-Request`` keeps a cache from handing
one answer for the other.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def wants_fragment(request: HttpRequest) -> bool:
    """An htmx request that is not a boosted page load (those want the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted


def page_or_fragment(
    request: HttpRequest, page: str, fragment_template: str, context: dict, *, status: int = 200
) -> HttpResponse:
    if wants_fragment(request):
        return fragment(request, fragment_template, context, status=status)
    response = render(request, page, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def fragment(request: HttpRequest, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    """The fragment alone (the answer to an htmx post, whose plain form posts redirect instead)."""
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response
