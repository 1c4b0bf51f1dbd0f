"""Rows for list and query-count tests (no file behind them; the upload tests use the service)."""

import factory

from apps.training.models import DatasetVersion, JobStatus, TrainingJob
from tests.factories import TeamFactory, UserFactory

SCHEMA = [
    {
        "name": "x",
        "type": "number",
        "missing_share": 0,
        "distinct_count": 3,
        "examples": ["1"],
        "summary": {},
    },
    {
        "name": "y",
        "type": "string",
        "missing_share": 0,
        "distinct_count": 2,
        "examples": ["a"],
        "summary": {},
    },
]


class DatasetVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DatasetVersion

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"dataset-{n}")
    version = 1
    storage_key = factory.Sequence(lambda n: f"datasets/0/factory-{n}.csv")
    sha256 = "b" * 64
    size_bytes = 100
    row_count = 3
    column_count = 2
    schema = SCHEMA
    preview = [["1", "a"]]
    uploaded_by = factory.SubFactory(UserFactory)


class TrainingJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingJob

    dataset_version = factory.SubFactory(DatasetVersionFactory)
    team = factory.LazyAttribute(lambda job: job.dataset_version.team)
    target = "y"
    features = ["x"]
    task = "classification"
    estimator = "knn"
    status = JobStatus.SUCCEEDED
    progress = 100
    metrics = {"roc_auc": 0.8}
    baseline_metrics = {"dummy": {"roc_auc": 0.5}, "one_rule": {"roc_auc": 0.7}}
    lift = {"metric": "roc_auc", "absolute": 0.1, "best_baseline": "one_rule"}
    created_by = factory.SubFactory(UserFactory)
