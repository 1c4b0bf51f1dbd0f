"""Pin that a page or endpoint issues the same number of queries however many rows it lists."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return len(context.captured_queries)


def assert_queries_independent_of_rows(client, url: str, add_rows, *, expected: int | None = None) -> int:
    """Call ``add_rows()`` twice; the query count of ``url`` must not change as rows are added."""
    add_rows()
    first = count_queries(client, url)
    add_rows()
    add_rows()
    second = count_queries(client, url)
    assert first == second, f"{url}: {first} queries with few rows, {second} with more (N+1?)"
    if expected is not None:
        assert second == expected, f"{url}: expected {expected} queries, got {second}"
    return second
