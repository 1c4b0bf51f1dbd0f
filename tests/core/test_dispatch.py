"""Services enqueue tasks by name (apps.core.dispatch); every name they and beat use is a task an
app declares, and an unknown name fails the write instead of a message no worker understands."""

import pytest
from celery.exceptions import NotRegistered
from django.conf import settings
from django.db import transaction

from apps.core import dispatch
from apps.training import services as training_services
from portal.celery import app


def test_every_beat_entry_names_a_task_an_app_declares():
    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name
        assert entry["task"].startswith("apps.") and ".tasks." in entry["task"], name


@pytest.mark.parametrize(
    "name",
    [
        training_services.RUN_JOB_TASK,
        training_services.PROCESS_DATASET_TASK,
        "apps.practices.tasks.recompute_team_scorecard",
    ],
)
def test_the_names_services_enqueue_are_declared_tasks(name):
    assert dispatch._task(name).name == name


@pytest.mark.django_db
def test_an_unknown_task_name_fails_before_anything_is_queued():
    with pytest.raises(NotRegistered), transaction.atomic():
        dispatch.enqueue_on_commit("apps.nowhere.tasks.nothing", args=[1])
