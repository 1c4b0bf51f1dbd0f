"""Paging of every list: the browser's list pages (``paginate``) and the API's (``PortalPagination``).

Browser pages are forgiving: a page that is not a whole number from 1 shows the first page, one past
the end the last. The API is strict: ``?page=`` is a whole number from 1 (or ``last``);
``?page_size=`` a whole number from 1, capped at ``max_page_size``. Anything else is a 400 naming
the parameter (DRF answers 404 "Invalid page" or ignores a bad page size). A page past the last one
is a 404 saying how many pages there are.
"""

import sys

from django.core.paginator import Paginator
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination

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


def positive_int(params, name: str, *, allowed: str) -> int | None:
    """The query parameter ``name`` as a whole number >= 1, None when absent or empty; otherwise a
    400 naming the parameter and what is allowed."""
    raw = params.get(name, "").strip()
    number = whole_number(raw)
    if raw and number is None:
        raise ValidationError({name: [f"“{raw[:40]}” is not a valid {name}. Allowed: {allowed}."]})
    return number


class PortalPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500
    page_query_description = (
        "A page number from 1, or `last`; anything else is a 400, a page past the end a 404."
    )
    page_size_query_description = "Results per page: a whole number from 1 (more than 500 gives 500)."

    def get_page_size(self, request):
        allowed = f"a whole number from 1 (a page holds at most {self.max_page_size})"
        size = positive_int(request.query_params, self.page_size_query_param, allowed=allowed)
        return self.page_size if size is None else min(size, self.max_page_size)

    def get_page_number(self, request, paginator):
        self.last_page = paginator.num_pages
        if request.query_params.get(self.page_query_param, "").strip() in self.last_page_strings:
            return paginator.num_pages
        allowed = "a whole number from 1, or “last”"
        return positive_int(request.query_params, self.page_query_param, allowed=allowed) or 1

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:
            # only a page past the end gets here: get_page_number refused every malformed one
            number = request.query_params.get(self.page_query_param)
            raise NotFound(f"Page {number} does not exist; the last page is {self.last_page}.") from None
