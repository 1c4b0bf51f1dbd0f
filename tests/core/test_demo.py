"""The full demo organisation (`load_demo`, what `make run` shows): loaded once for the class below,
whose tests each check one area's story on it and roll back what they write."""

import io

import pytest
import yaml
from django.core.management import call_command
from django.db.models import Count

from apps.outcomes.impact import Evidence, Verdict
from apps.practices.models import Engagement, ScorecardSnapshot, SelfAssessment, SurveyResponse, SurveyRound
from apps.registry.artefacts import pipeline_cache
from apps.registry.feedback_loop import is_overdue
from apps.registry.models import Feedback, FeedbackStatus, ModelVersion, RegisteredModel, StageChange
from apps.registry.prediction import predict
from apps.registry.serving import forget_serving_versions
from apps.teams.models import Interaction, MemberRole, Membership, Team, TeamType, ValueStream
from apps.training.models import DatasetVersion, JobStatus, RetrainingSchedule, TrainingJob
from tests.outcomes.test_demo import verdicts
from tests.registry.test_backstage import assert_valid_and_resolving, validators  # noqa: F401 (fixture)
from tests.shared_rows import shared_rows

pytestmark = pytest.mark.django_db

# slug -> (owning team, stream, task) as the registry's demo has them
REGISTRY_MODELS = {
    "fraud-scorer": ("fraud-signals", "fraud", "classification"),
    "upsell-recommender": ("checkout-experience", "checkout", "classification"),
    "demand-forecast": ("forecasting-science", "supply", "regression"),
    "delivery-eta": ("fulfilment", "supply", "regression"),
    "search-ranker": ("search-ranking", "growth", "classification"),
    "churn-predictor": ("lifecycle-marketing", "growth", "classification"),
}


def load_demo():
    call_command("load_demo", verbosity=0, stdout=io.StringIO())


def team_counts():
    return (
        ValueStream.objects.count(),
        Team.objects.count(),
        Membership.objects.count(),
        Interaction.objects.count(),
    )


def area_counts():
    return (
        team_counts(),
        RegisteredModel.objects.count(),
        ModelVersion.objects.count(),
        Feedback.objects.count(),
        StageChange.objects.count(),
        TrainingJob.objects.count(),
        SelfAssessment.objects.count(),
    )


@pytest.fixture(scope="class")
def shared_full_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    storage = tmp_path_factory.mktemp("demo-platform")
    with shared_rows(django_db_blocker, PLATFORM_STORAGE_ROOT=storage):
        pipeline_cache.clear()
        forget_serving_versions()
        load_demo()
        yield
    pipeline_cache.clear()
    forget_serving_versions()


@pytest.mark.usefixtures("shared_full_demo")
class TestFullDemo:
    def test_loads_once(self):
        first = area_counts()
        load_demo()
        assert area_counts() == first
        assert TrainingJob.objects.count() == 5

    def test_organisation_is_full(self):
        streams, teams, _, _ = team_counts()
        assert streams >= 3
        assert teams >= 10
        assert set(Team.objects.values_list("team_type", flat=True)) == set(TeamType.values)
        assert set(Membership.objects.values_list("role", flat=True)) == set(MemberRole.values)
        assert Interaction.objects.current().exists()
        assert Interaction.objects.planned().exists()
        assert Interaction.objects.overdue().exists()

    def test_logins_work(self, client):
        from apps.teams.demo import DEMO_LOGINS, DEMO_PASSWORD

        for login, *_ in DEMO_LOGINS:  # through the login page, as people do (and past the lockout check)
            response = client.post("/login/", {"username": login, "password": DEMO_PASSWORD})
            assert response.status_code == 302, login
            assert client.session["_auth_user_id"], login
            client.post("/logout/")

    def test_fraud_signals_has_a_service_account(self, client):
        from apps.accounts.models import ServiceAccount

        account = ServiceAccount.objects.select_related("team", "user", "created_by").get()
        assert (account.team.slug, account.user.username, account.created_by.username) == (
            "fraud-signals",
            "fraud-scoring-bot",
            "lead",
        )
        assert Membership.objects.get(user=account.user).role == account.role == MemberRole.ML_ENGINEER
        client.force_login(account.created_by)
        assert "fraud-scoring-bot" in client.get("/teams/fraud-signals/").content.decode()

    def test_registry_models_history_and_feedback(self):
        models = {m.slug: m for m in RegisteredModel.objects.select_related("owning_team", "value_stream")}
        for slug, (team, stream, task) in REGISTRY_MODELS.items():
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

    def test_artefacts_serve_predictions(self):
        for model in RegisteredModel.objects.all():
            version = model.versions.order_by("-number").first()
            row = {
                c["name"]: {"number": 1.5, "integer": 2, "string": "web", "boolean": True}[c["type"]]
                for c in version.input_schema
            }
            result = predict(version=version, records=[row])
            assert len(result["predictions"]) == 1

    def test_training_trained_and_registered_sample_models(self):
        assert DatasetVersion.objects.count() == 4
        succeeded = TrainingJob.objects.filter(status=JobStatus.SUCCEEDED)
        assert succeeded.count() == 4
        assert TrainingJob.objects.filter(status=JobStatus.CANCELLED).count() == 1
        slugs = set(ModelVersion.objects.values_list("model__slug", flat=True))
        assert {"tumour-screening-sample", "wine-cultivar-sample", "diabetes-progression-sample"} <= slugs
        lifts = {
            job.registered_model.slug: job.lift["absolute"]
            for job in succeeded.select_related("registered_model")
        }
        assert all(lift > 0 for lift in lifts.values()), lifts
        assert lifts["basket-conversion-sample"] < 0.1 < lifts["tumour-screening-sample"]  # barely beats it
        assert RetrainingSchedule.objects.get().registered_model.slug == "tumour-screening-sample"

    def test_outcomes_tell_the_story_on_the_registry_demo_models(self):
        impacts = verdicts()
        assert impacts["fraud-scorer"].verdict == Verdict.PAYS_OFF
        assert impacts["search-ranker"].verdict == Verdict.NOT_PROVEN
        assert impacts["delivery-eta"].verdict == Verdict.SIMPLER
        assert impacts["demand-forecast"].evidence == Evidence.BEFORE_AFTER
        drift = Feedback.objects.filter(model__slug="fraud-scorer", dedupe_key__startswith="drift:")
        assert drift.count() == 1

    def test_practices_have_assessments_surveys_engagements_and_history(self):
        assessed = SelfAssessment.objects.values("team").distinct().count()
        assert assessed > Team.objects.count() / 2
        assert any(a.is_expired for a in SelfAssessment.objects.all())
        assert SurveyRound.objects.count() == 2
        assert SurveyResponse.objects.values("round").distinct().count() == 2
        completed = Engagement.objects.get(completed_at__isnull=False)
        assert completed.before_snapshot.computed_at < completed.after_snapshot.computed_at
        assert completed.after_snapshot.level > completed.before_snapshot.level
        assert Engagement.objects.filter(completed_at__isnull=True).exists()
        history = ScorecardSnapshot.objects.filter(subject_type="team").values("team").annotate(n=Count("id"))
        assert max(row["n"] for row in history) >= 3
        latest = ScorecardSnapshot.objects.filter(is_latest=True, team__isnull=False)
        assert latest.count() == Team.objects.count()

    def test_backstage_export_is_valid(self, validators):  # noqa: F811 (the fixture)
        out = io.StringIO()
        call_command("export_backstage", stdout=out)
        entities = list(yaml.safe_load_all(out.getvalue()))
        assert_valid_and_resolving(entities, validators)
        assert {e["metadata"]["name"] for e in entities if e["kind"] == "Component"} >= {
            "fraud-scorer",
            "search-ranker",
        }


def test_teams_demo_reloads_after_a_team_and_a_stream_changed_their_slugs():
    from apps.teams import demo

    demo.load()
    first = team_counts()
    Team.objects.filter(slug="payments").update(slug="payments-renamed")
    ValueStream.objects.filter(slug="checkout").update(slug="checkout-renamed")
    org = demo.load()  # raised IntegrityError on the unique names: `make run` could not start
    assert team_counts() == first and org.teams["payments"].slug == "payments-renamed"


def test_each_app_names_its_demo_on_its_app_config_and_they_load_in_layer_order():
    from apps.core import demo

    assert [area.label for area in demo.areas()] == [
        "accounts",
        "registry",
        "training",
        "modelrequests",
        "outcomes",
        "practices",
    ]
    password, logins = demo.logins()
    assert password and ("admin", "superuser: everything, including the admin console") in logins
