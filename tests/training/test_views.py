"""Browser pages: lists, dataset detail, upload form, train form (server-side), job page, cancel."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.training import services
from apps.training.models import DatasetVersion, JobStatus, RetrainingSchedule, TrainingJob
from tests.querycount import assert_queries_independent_of_rows
from tests.registry.factories import RegisteredModelFactory
from tests.training.factories import DatasetVersionFactory, TrainingJobFactory
from tests.training.helpers import csv_upload, frame_csv, tumour_frame

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url", ["/training/", "/training/jobs/", "/training/jobs/new/", "/training/datasets/new/"]
)
def test_pages_require_login(client, url):
    assert client.get(url)["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("url", "factory"), [("/training/", DatasetVersionFactory), ("/training/jobs/", TrainingJobFactory)]
)
def test_list_pages_query_count_is_independent_of_rows(client, browser_login, outsider, url, factory):
    browser_login(client, outsider)
    assert_queries_independent_of_rows(client, url, lambda: factory.create_batch(3), expected=5)


def test_upload_form_stores_a_version_and_shows_refusals_on_the_field(client, browser_login, team, scientist):
    browser_login(client, scientist)
    bad = client.post(
        "/training/datasets/new/",
        {"team": team.pk, "name": "shop", "file": csv_upload("a,a\n1,2\n")},
    )
    assert bad.status_code == 200
    assert "Duplicate column names in the header row: a" in bad.content.decode()
    good = client.post(
        "/training/datasets/new/",
        {"team": team.pk, "name": "tumours", "file": csv_upload(frame_csv(tumour_frame(40)))},
    )
    dataset = DatasetVersion.objects.get()
    assert good["Location"] == dataset.get_absolute_url()
    processing = client.get(dataset.get_absolute_url()).content.decode()
    assert 'id="dataset-progress"' in processing and "Processing 0%" in processing
    assert "Schema and column summaries" not in processing and "Train a model" not in processing
    # htmx follows it: the card polls the page for its fragment (badge out of band)
    assert f'hx-get="{dataset.get_absolute_url()}" hx-trigger="every 1s"' in processing
    with CaptureQueriesContext(connection) as queries:
        poll = client.get(dataset.get_absolute_url(), headers={"HX-Request": "true"})
    assert len(queries.captured_queries) == 3  # session, user, the dataset with its team
    card = poll.content.decode()
    assert card.lstrip().startswith('<section class="card" id="dataset-progress"') and "<html" not in card
    assert '<span id="dataset-status" hx-swap-oob="true">' in card and "Processing 0%" in card
    services.dataset_process(dataset_id=dataset.pk)  # what the worker does
    done = client.get(dataset.get_absolute_url(), headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"  # the page shows the schema: refreshed once
    page = client.get(dataset.get_absolute_url()).content.decode()
    for text in [
        "Schema and column summaries",
        "Preview (first 10 rows)",
        "mean radius",
        "benign",
        "Train a model",
    ]:
        assert text in page


def test_upload_form_offers_only_the_users_teams(client, browser_login, team, scientist):
    other = DatasetVersionFactory().team
    page = browser_login(client, scientist).get("/training/datasets/new/").content.decode()
    assert team.name in page and other.name not in page


def test_train_form_offers_only_the_chosen_datasets_columns(client, browser_login, scientist, tumours):
    other = DatasetVersionFactory(
        team=tumours.team, schema=[{"name": "zebra", "type": "number", "distinct_count": 3}]
    )
    page = browser_login(client, scientist).get(f"/training/jobs/new/?dataset={tumours.pk}").content.decode()
    target_options = re.search(r'<select name="target".*?</select>', page, re.S).group(0)
    assert "mean radius" in target_options and "zebra" not in target_options
    assert 'data-estimator="random_forest"' in page and 'name="param__random_forest__n_estimators"' in page
    assert "training-form-config" in page and "js/training.js" in page
    other_page = client.get(f"/training/jobs/new/?dataset={other.pk}").content.decode()
    assert "zebra" in other_page and "mean radius" not in other_page


def test_train_form_posts_a_job_server_side(client, browser_login, scientist, tumours):
    browser_login(client, scientist)
    response = client.post(
        f"/training/jobs/new/?dataset={tumours.pk}",
        {
            "dataset_version": tumours.pk,
            "target": "diagnosis",
            "features": ["mean radius", "clinic"],
            "estimator": "knn",
            "param__knn__n_neighbors": "7",
            "param__knn__weights": "distance",
            "param__random_forest__n_estimators": "5000",  # another estimator's field: ignored
            "cv_folds": "3",
            "holdout_share": "0.2",
            "seed": "1",
            "search_budget": "0",
            "time_limit_seconds": "600",
        },
    )
    job = TrainingJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert job.parameters == {"n_neighbors": 7, "weights": "distance"}
    assert job.features == ["mean radius", "clinic"]


def test_train_form_shows_parameter_errors(client, browser_login, scientist, tumours):
    browser_login(client, scientist)
    response = client.post(
        f"/training/jobs/new/?dataset={tumours.pk}",
        {
            "dataset_version": tumours.pk,
            "target": "diagnosis",
            "estimator": "knn",
            "param__knn__n_neighbors": "0",
            "cv_folds": "3",
            "holdout_share": "0.2",
            "seed": "1",
            "search_budget": "0",
            "time_limit_seconds": "600",
        },
    )
    assert response.status_code == 200
    assert "n_neighbors: must be between 1 and 200" in response.content.decode()
    assert not TrainingJob.objects.exists()


def test_job_page_shows_progress_metrics_chart_and_cancel(client, browser_login, scientist, tumours):
    running = TrainingJobFactory(
        dataset_version=tumours,
        status=JobStatus.RUNNING,
        progress=40,
        metrics={},
        stage="Cross-validation: fold 2 of 5",
    )
    browser_login(client, scientist)
    page = client.get(running.get_absolute_url()).content.decode()
    assert 'data-progress="40"' in page and "Cross-validation: fold 2 of 5" in page and "Cancel job" in page
    # htmx follows it: the progress card polls the job's own page for its fragment.
    assert f'hx-get="{running.get_absolute_url()}" hx-trigger="every 1s"' in page
    response = client.post(f"/training/jobs/{running.pk}/cancel/")
    assert response["Location"] == running.get_absolute_url()
    assert TrainingJob.objects.get(pk=running.pk).status == JobStatus.CANCELLED
    again = client.post(f"/training/jobs/{running.pk}/cancel/", follow=True).content.decode()
    assert "only queued or running jobs can be cancelled" in again

    done = TrainingJobFactory(
        dataset_version=tumours,
        metrics={"accuracy": 0.9, "roc_auc": 0.95, "log_loss": 0.2, "f1": 0.9, "balanced_accuracy": 0.9},
        baseline_metrics={"dummy": {"roc_auc": 0.5}, "one_rule": {"roc_auc": 0.8}},
        lift={
            "metric": "roc_auc",
            "absolute": 0.15,
            "best_baseline": "one_rule",
            "per_metric": {"roc_auc": 0.15},
        },
    )
    page = client.get(done.get_absolute_url()).content.decode()
    assert "metrics-figure" in page and "plotly-cartesian.min.js" in page and "Cancel job" not in page
    assert "Lift on ROC AUC over the best baseline (One-rule baseline)" in page


def test_htmx_poll_gets_the_progress_card_with_the_badge_and_log_out_of_band(
    client, browser_login, scientist, tumours
):
    running = TrainingJobFactory(
        dataset_version=tumours,
        status=JobStatus.RUNNING,
        progress=40,
        metrics={},
        stage="Fitting",
        registered_model=RegisteredModelFactory(owning_team=tumours.team),
    )
    running.log = ["Loaded 40 rows", "Fitting <model>"]
    running.save(update_fields=["log"])
    browser_login(client, scientist)
    url = running.get_absolute_url()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers={"HX-Request": "true"})
    # session, user, the job with its relations, the model's retraining schedule
    assert len(queries.captured_queries) == 4, [q["sql"] for q in queries.captured_queries]
    fragment = response.content.decode()
    assert response.status_code == 200 and "HX-Request" in response["Vary"]
    assert "<html" not in fragment and "Holdout metrics" not in fragment
    assert fragment.lstrip().startswith('<section class="card" id="job-progress"')
    assert f'hx-get="{url}" hx-trigger="every 1s"' in fragment
    assert 'data-progress="40"' in fragment and "40%" in fragment and "Fitting" in fragment
    assert '<span id="job-status" hx-swap-oob="true">' in fragment and "Running" in fragment
    assert '<ol id="job-log" data-job-log hx-swap-oob="true"><li>Loaded 40 rows</li>' in fragment
    assert "<li>Fitting &lt;model&gt;</li>" in fragment  # escaped like the page
    # Without htmx the same URL is the whole page, with the same card.
    page = client.get(url).content.decode()
    assert "<html" in page and f'hx-get="{url}" hx-trigger="every 1s"' in page


def test_htmx_poll_of_an_ended_job_refreshes_the_page_and_the_page_stops_polling(
    client, browser_login, scientist, tumours
):
    job = TrainingJobFactory(dataset_version=tumours, status=JobStatus.RUNNING, progress=90, metrics={})
    browser_login(client, scientist)
    TrainingJob.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, progress=100)
    response = client.get(job.get_absolute_url(), headers={"HX-Request": "true"})
    assert response.status_code == 200 and response["HX-Refresh"] == "true"
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'data-progress="100"' in page and "hx-trigger" not in page and "hx-get" not in page


def test_htmx_poll_after_the_session_ended_sends_the_whole_page_to_sign_in(client, tumours):
    job = TrainingJobFactory(dataset_version=tumours, status=JobStatus.RUNNING)
    response = client.get(
        job.get_absolute_url(),
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{job.get_absolute_url()}"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/login/?next={job.get_absolute_url()}"


def test_outsider_sees_no_cancel_button_and_cannot_cancel(client, browser_login, outsider, tumours):
    job = TrainingJobFactory(dataset_version=tumours, status=JobStatus.QUEUED)
    browser_login(client, outsider)
    assert "Cancel job" not in client.get(job.get_absolute_url()).content.decode()
    assert client.post(f"/training/jobs/{job.pk}/cancel/").status_code == 403
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    assert client.get("/training/datasets/new/").status_code == 200  # the form lists no team to pick


def test_team_page_lists_the_teams_datasets_and_jobs(client, browser_login, team, scientist, tumours):
    upload_again = DatasetVersionFactory(team=team, name="tumours", version=2)
    TrainingJobFactory(dataset_version=tumours)
    page = browser_login(client, scientist).get(team.get_absolute_url()).content.decode()
    assert "Datasets and training" in page and "Latest training jobs" in page
    assert upload_again.get_absolute_url() in page and tumours.get_absolute_url() in page  # job row links v1
    assert page.count(">v2<") == 1 and ">v1<" not in page


def test_a_member_who_may_not_create_models_gets_a_form_error(client, browser_login, scientist, tumours):
    browser_login(client, scientist)
    form = client.get(f"/training/jobs/new/?dataset={tumours.pk}").content.decode()
    assert (
        f"New models are registered by a lead or product manager of {tumours.team}, or platform staff."
        in form
    )
    response = client.post(
        f"/training/jobs/new/?dataset={tumours.pk}",
        {
            "dataset_version": tumours.pk,
            "target": "diagnosis",
            "estimator": "knn",
            "cv_folds": "3",
            "holdout_share": "0.2",
            "seed": "1",
            "search_budget": "0",
            "time_limit_seconds": "600",
            "new_model_name": "Mine",
            "new_model_slug": "mine",
        },
    )
    assert response.status_code == 200
    assert "can register models for" in response.content.decode()
    assert not TrainingJob.objects.exists()


def test_schedule_retraining_from_a_succeeded_job(client, browser_login, scientist, tumours):
    from tests.registry.factories import RegisteredModelFactory

    model = RegisteredModelFactory(owning_team=tumours.team)
    job = TrainingJobFactory(
        dataset_version=tumours, registered_model=model, target="diagnosis", features=["clinic"]
    )
    browser_login(client, scientist)
    assert "Schedule retraining" in client.get(job.get_absolute_url()).content.decode()
    refused = client.post(f"/training/jobs/{job.pk}/schedule/", {"interval_hours": "0"}, follow=True)
    assert "greater than or equal to 1" in refused.content.decode()
    assert not RetrainingSchedule.objects.exists()
    client.post(f"/training/jobs/{job.pk}/schedule/", {"interval_hours": "24"})
    schedule = model.retraining_schedule
    assert (schedule.dataset_name, schedule.target, schedule.interval_hours) == ("tumours", "diagnosis", 24)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "retrains every 24 h" in page and "Update schedule" in page


def test_browser_upload_over_the_limit_is_refused_before_reading(
    client, browser_login, team, scientist, settings
):
    settings.PORTAL_MAX_UPLOAD_BYTES = 1000
    browser_login(client, scientist)
    response = client.post(
        "/training/datasets/new/",
        {"team": team.pk, "name": "big", "file": csv_upload("a\n" + "1\n" * 50_000)},
    )
    assert response.status_code == 413
    assert "larger than the upload limit" in response.content.decode()
    assert not DatasetVersion.objects.exists()
