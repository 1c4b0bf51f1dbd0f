"""A 1,000-row prediction frees what it parsed as soon as it ends: nothing it allocated waits in a
reference cycle for the cyclic garbage collector (web processes grew by ~100 MB under such traffic
while they did; benchmarks/prediction_memory.py measures the process)."""

import gc
import tracemalloc

import orjson
import pytest
from django.test import RequestFactory
from django.test.client import ClientHandler

from apps.registry import services
from tests.factories import StaffFactory, api_token
from tests.registry.factories import CompleteCardModelFactory, register

pytestmark = pytest.mark.django_db

ROW = {"basket_value": 42.5, "items": 3, "channel": "web", "is_member": True}


@pytest.fixture
def model(team):
    model = CompleteCardModelFactory(owning_team=team, slug="basket-scorer")
    version = register(model)
    services.version_promote(version=version, actor=StaffFactory(), to_stage="production", reason="ship")
    return model


def serve(handler, environ) -> tuple[int, bytes]:
    """One request through Django's handler (the test client's, which leaves the test's database
    connection open), without the test client, which keeps each response and request of its own."""
    response = handler(environ)  # closes the response itself
    return response.status_code, response.content


def test_a_large_prediction_leaves_no_cycle_holding_its_rows(outsider, model):
    token = api_token(outsider)
    body = orjson.dumps({"records": [dict(ROW, items=index) for index in range(1000)]})

    def environ():
        request = RequestFactory().generic(
            "POST",
            f"/api/v1/models/{model.slug}/predict/",
            data=body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
        )
        return request.environ

    handler = ClientHandler()
    assert serve(handler, environ())[0] == 200  # warm caches (and the handler's middleware)
    request_environ = environ()
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        status, content = serve(handler, request_environ)
        before = tracemalloc.get_traced_memory()[0]
        gc.collect()
        freed_by_the_collector = before - tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
        gc.enable()
    assert status == 200 and len(orjson.loads(content)["predictions"]) == 1000
    # 424 KB before: the parsed rows and the result, kept by DRF's request and view cycle
    assert freed_by_the_collector < 250_000, freed_by_the_collector
