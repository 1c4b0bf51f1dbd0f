"""Scheduled retraining: a due schedule starts a job on the newest dataset version."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from apps.training import runner, services
from apps.training.models import RetrainingSchedule
from tests.factories import TeamFactory
from tests.registry.factories import RegisteredModelFactory
from tests.training.helpers import tumour_frame, upload_frame

pytestmark = pytest.mark.django_db


@pytest.fixture
def schedule(team, scientist, tumours):
    model = RegisteredModelFactory(owning_team=team, task="classification")
    return services.retraining_schedule_save(
        actor=scientist,
        data={
            "registered_model": model,
            "dataset_team": team,
            "dataset_name": "tumours",
            "target": "diagnosis",
            "estimator": "logistic_regression",
            "parameters": {"C": 2},
            "cv_folds": 3,
            "interval_hours": 24,
        },
    )


def test_a_due_schedule_retrains_on_the_newest_version_and_registers(schedule, team, scientist):
    newest = upload_frame(actor=scientist, team=team, frame=tumour_frame(300))
    [job] = services.schedules_run_due(now=timezone.now() + datetime.timedelta(minutes=1))
    assert job.dataset_version == newest and job.schedule == schedule and job.parameters == {"C": 2.0}
    schedule.refresh_from_db()
    assert schedule.last_run_at and schedule.next_run_at > timezone.now() + datetime.timedelta(hours=23)
    assert services.schedules_run_due() == []  # not due again yet
    done = runner.execute(job.pk, task_id=job.celery_task_id)
    assert done.registered_version.model == schedule.registered_model
    assert done.registered_version.dataset_version == newest.version


def test_the_admin_retrains_now_through_the_service(client, admin_user, schedule, team, scientist):
    newest = upload_frame(actor=scientist, team=team, frame=tumour_frame(300))
    client.force_login(admin_user)
    response = client.post(
        "/admin/training/retrainingschedule/",
        {"action": "run_now", "_selected_action": [schedule.pk]},
        follow=True,
    )
    assert "Started 1 job(s)." in response.content.decode()
    [job] = schedule.jobs.all()
    assert job.dataset_version == newest


def test_a_schedule_that_cannot_start_records_why(schedule):
    schedule.target = "gone"
    schedule.save()
    assert services.schedules_run_due(now=timezone.now() + datetime.timedelta(minutes=1)) == []
    schedule.refresh_from_db()
    assert "Choose a column" in schedule.last_error


def test_only_members_schedule_retraining(team, outsider):
    model = RegisteredModelFactory(owning_team=team)
    with pytest.raises(PermissionDenied):
        services.retraining_schedule_save(
            actor=outsider,
            data={
                "registered_model": model,
                "dataset_team": team,
                "dataset_name": "x",
                "target": "y",
                "estimator": "knn",
            },
        )


def test_a_schedule_trains_only_on_datasets_of_teams_the_actor_belongs_to(schedule, scientist, staff_user):
    """The schedule runs as its creator; pointing it at another team's dataset needs that team's say."""
    other = TeamFactory()
    upload_frame(actor=staff_user, team=other, frame=tumour_frame())
    with pytest.raises(PermissionDenied):
        services.retraining_schedule_save(actor=scientist, data={"dataset_team": other}, schedule=schedule)
    schedule.refresh_from_db()
    assert schedule.dataset_team_id != other.pk
    moved = services.retraining_schedule_save(
        actor=staff_user, data={"dataset_team": other}, schedule=schedule
    )
    assert moved.dataset_team == other


def test_schedules_through_the_api(api_as, team, scientist, outsider, tumours):
    model = RegisteredModelFactory(owning_team=team, task="classification")
    body = {
        "registered_model": model.slug,
        "dataset_team": team.slug,
        "dataset_name": "tumours",
        "target": "diagnosis",
        "estimator": "knn",
        "parameters": {"n_neighbors": 9},
        "interval_hours": 12,
    }
    assert api_as(outsider).post("/api/v1/retraining-schedules/", body, format="json").status_code == 403
    response = api_as(scientist).post("/api/v1/retraining-schedules/", body, format="json")
    assert response.status_code == 201, response.json()
    again = api_as(scientist).post("/api/v1/retraining-schedules/", body, format="json")
    assert again.status_code == 400 and "registered_model" in again.json()
    bad = api_as(scientist).patch(
        f"/api/v1/retraining-schedules/{response.json()['id']}/", {"parameters": {"k": 1}}, format="json"
    )
    assert bad.status_code == 400 and "Unknown parameter 'k'" in " ".join(bad.json()["parameters"])
    schedule = RetrainingSchedule.objects.get()  # the refused create and edit left no trace
    assert (schedule.registered_model, schedule.parameters) == (model, {"n_neighbors": 9})
    listed = api_as(outsider).get("/api/v1/retraining-schedules/").json()
    assert listed["count"] == 1 and listed["results"][0]["interval_hours"] == 12
