"""Concurrent promotions and registrations on real PostgreSQL, each thread on its own connection."""

import threading

import pytest
from django.db import connection, connections

from apps.registry import services
from apps.registry.models import ModelVersion, Stage
from tests.factories import StaffFactory
from tests.registry.factories import CompleteCardModelFactory, fitted_classifier, lineage, register

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def run_together(functions):
    """Start every function at the same moment in its own thread (own DB connection)."""
    barrier = threading.Barrier(len(functions))
    results, errors = [], []

    def worker(function):
        try:
            barrier.wait()
            results.append(function())
        except Exception as exc:  # collected and asserted by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(f,)) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_concurrent_promotions_leave_exactly_one_production_version():
    model = CompleteCardModelFactory()
    staff = StaffFactory()
    versions = [register(model, actor=staff) for _ in range(6)]
    results, errors = run_together(
        [
            lambda v=v: services.version_promote(version=v, actor=staff, to_stage="production", reason="race")
            for v in versions
        ]
    )
    assert not errors, errors
    assert len(results) == 6
    stages = list(ModelVersion.objects.filter(model=model).values_list("stage", flat=True))
    assert stages.count(Stage.PRODUCTION) == 1 and stages.count(Stage.ARCHIVED) == 5
    # every promotion and every archiving is in the history, in a consistent order
    production = ModelVersion.objects.get(model=model, stage=Stage.PRODUCTION)
    assert production.stage_changes.first().to_stage == Stage.PRODUCTION


def test_concurrent_registrations_get_distinct_numbers_and_one_per_source_key():
    model = CompleteCardModelFactory()
    staff = StaffFactory()

    def register_with(key):
        return services.version_register(
            registered_model=model,
            actor=staff,
            pipeline=fitted_classifier(),
            task="classification",
            lineage=lineage(),
            metrics={"roc_auc": 0.8},
            baseline_metrics={"roc_auc": 0.5},
            source_key=key,
        )

    fitted_classifier()  # fit once before the race
    results, errors = run_together([lambda k=k: register_with(k) for k in ["a", "b", "c", "a", "a"]])
    assert not errors, errors
    numbers = sorted(ModelVersion.objects.filter(model=model).values_list("number", flat=True))
    assert numbers == [1, 2, 3]
    assert len({v.pk for v in results if v.source_key == "a"}) == 1
