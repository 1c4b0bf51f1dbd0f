import datetime

import pytest
from django.utils import timezone

from apps.registry.models import RegisteredModel
from apps.teams import demo as teams_demo
from tests.demo_snapshot import committed_demo
from tests.registry.factories import ModelVersionFactory, RegisteredModelFactory, stage_change
from tests.shared_rows import shared_rows

# slug -> (stream, owning team) as the registry's demo has them
REGISTRY_MODELS = {
    "fraud-scorer": ("fraud", "fraud-signals"),
    "upsell-recommender": ("growth", "personalisation"),
    "demand-forecast": ("supply", "demand-planning"),
    "delivery-eta": ("supply", "fulfilment"),
    "search-ranker": ("checkout", "search-ranking"),
    "churn-predictor": ("growth", "lifecycle-marketing"),
}


def build_org():
    """The teams demo with the registry demo's models, each with a version long in production."""
    org = teams_demo.load()
    for slug, (stream, team) in REGISTRY_MODELS.items():
        if RegisteredModel.objects.filter(slug=slug).exists():
            continue
        model = RegisteredModelFactory(
            slug=slug, name=slug, value_stream=org.streams[stream], owning_team=org.teams[team]
        )
        version = ModelVersionFactory(in_production=True, model=model, number=1)
        stage_change(version, at=timezone.now() - datetime.timedelta(days=300))
    return org


def build_demo_org():
    from apps.outcomes import demo

    org = build_org()
    demo.load(org)
    return org


@pytest.fixture
def org(db):
    return build_org()


@pytest.fixture
def demo_org(db):
    """The outcomes demo, for a single test (or one that needs committed rows, like a browser test:
    then built once per session and restored for later ones, tests/demo_snapshot.py)."""
    return committed_demo("outcomes", build_demo_org, build_org)


@pytest.fixture(scope="class")
def shared_demo_org(django_db_setup, django_db_blocker):
    """The outcomes demo, loaded once for every test of a class (see tests/shared_rows.py)."""
    with shared_rows(django_db_blocker):
        yield build_demo_org()
