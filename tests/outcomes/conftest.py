import datetime

import pytest
from django.utils import timezone

from apps.registry.models import RegisteredModel
from apps.teams import demo as teams_demo
from tests.outcomes.factories import OutcomeModelFactory, OutcomeVersionFactory, promote

# slug -> (stream, owning team) as the registry's demo has them
REGISTRY_MODELS = {
    "fraud-scorer": ("fraud", "fraud-signals"),
    "upsell-recommender": ("growth", "personalisation"),
    "demand-forecast": ("supply", "demand-planning"),
    "delivery-eta": ("supply", "fulfilment"),
    "search-ranker": ("checkout", "search-ranking"),
    "churn-predictor": ("growth", "lifecycle-marketing"),
}


@pytest.fixture
def org(db):
    org = teams_demo.load()
    for slug, (stream, team) in REGISTRY_MODELS.items():
        if RegisteredModel.objects.filter(slug=slug).exists():
            continue
        model = OutcomeModelFactory(
            slug=slug, name=slug, value_stream=org.streams[stream], owning_team=org.teams[team]
        )
        version = OutcomeVersionFactory(model=model, number=1)
        promote(version, timezone.now() - datetime.timedelta(days=300))
    return org


@pytest.fixture
def demo_org(org):
    from apps.outcomes import demo

    demo.load(org)
    return org
