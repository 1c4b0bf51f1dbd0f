import pytest
from django.core.management import call_command

from apps.registry.feedback_loop import is_overdue
from apps.registry.models import Feedback, FeedbackStatus, RegisteredModel, StageChange
from apps.registry.prediction import predict

pytestmark = pytest.mark.django_db

SLUGS = {
    "fraud-scorer": ("fraud-signals", "fraud", "classification"),
    "upsell-recommender": ("checkout-experience", "checkout", "classification"),
    "demand-forecast": ("forecasting-science", "supply", "regression"),
    "delivery-eta": ("fulfilment", "supply", "regression"),
    "search-ranker": ("search-ranking", "growth", "classification"),
    "churn-predictor": ("lifecycle-marketing", "growth", "classification"),
}


def test_demo_loads_models_history_and_feedback_once():
    call_command("load_demo", verbosity=0)
    models = {m.slug: m for m in RegisteredModel.objects.select_related("owning_team", "value_stream")}
    for slug, (team, stream, task) in SLUGS.items():
        model = models[slug]
        assert (model.owning_team.slug, model.value_stream.slug, model.task) == (team, stream, task)
        in_production = model.versions.filter(stage="production").first()
        assert (in_production is None) == (slug == "churn-predictor")
    assert models["churn-predictor"].lifecycle == "experimental"
    assert set(models["churn-predictor"].versions.values_list("stage", flat=True)) == {"candidate"}
    assert StageChange.objects.filter(is_override=True).exists()
    assert StageChange.objects.filter(is_rollback=True, version__model__slug="fraud-scorer").count() == 2
    feedback = list(Feedback.objects.select_related("model"))
    assert {f.status for f in feedback} == set(FeedbackStatus.values)
    assert any(is_overdue(f) for f in feedback)
    counts = (RegisteredModel.objects.count(), Feedback.objects.count(), StageChange.objects.count())
    call_command("load_demo", verbosity=0)
    assert counts == (RegisteredModel.objects.count(), Feedback.objects.count(), StageChange.objects.count())


def test_demo_artefacts_serve_predictions():
    call_command("load_demo", verbosity=0)
    for model in RegisteredModel.objects.all():
        version = model.versions.order_by("-number").first()
        row = {
            c["name"]: {"number": 1.5, "integer": 2, "string": "web", "boolean": True}[c["type"]]
            for c in version.input_schema
        }
        result = predict(version=version, records=[row])
        assert len(result["predictions"]) == 1
