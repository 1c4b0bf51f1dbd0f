"""Pin the number of queries a page or endpoint issues: exactly ``expected``, however many rows it
lists (so an N+1 and a creeping extra query are both caught)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return len(context.captured_queries)


def assert_queries_independent_of_rows(client, url: str, add_rows, *, expected: int) -> int:
    """Call ``add_rows()`` once, then twice more; ``url`` must issue ``expected`` queries both times."""
    add_rows()
    first = count_queries(client, url)
    add_rows()
    add_rows()
    second = count_queries(client, url)
    assert first == second, f"{url}: {first} queries with few rows, {second} with more (N+1?)"
    assert second == expected, f"{url}: expected {expected} queries, got {second}"
    return second
