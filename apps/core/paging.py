"""Paging of the browser list pages, and the page-number parsing the API's pagination shares."""

import sys

from django.core.paginator import Paginator

PAGE_SIZE = 25


def whole_number(raw: str | None) -> int | None:
    """``raw`` as a whole number >= 1 (plain ASCII digits), else None. Numbers too long for any
    list count as past its end (``int()`` refuses 4300+ digits)."""
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit() and raw.strip("0")):
        return None
    return int(raw) if len(raw) < 19 else sys.maxsize


def paginate(request, queryset, *, per_page: int = PAGE_SIZE):
    """The requested page of a queryset. A page that is not a whole number from 1 (``abc``, ``0``,
    ``-1``) shows the first page; one past the end shows the last (a bookmark outlives rows)."""
    return Paginator(queryset, per_page).get_page(whole_number(request.GET.get("page")) or 1)
