"""Chromium: upload a CSV, train from the form (only the dataset's columns, only the estimator's own
parameters), and watch the job's progress bar reach 100% through a real worker: htmx swaps in the
server-rendered progress card while the job runs, and stops once it has ended."""

import time

import pytest

from apps.training.models import JobStatus, TrainingJob
from tests.registry.factories import RegisteredModelFactory
from tests.training.helpers import frame_csv, tumour_frame
from tests.worker import queue_paused

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_scientist_uploads_trains_and_watches_progress_reach_100(
    celery_worker_process, login_page, screenshot, team, scientist, tmp_path
):
    model = RegisteredModelFactory(owning_team=team, name="Tumour screening", slug="tumour-screening")
    csv_path = tmp_path / "tumours.csv"
    csv_path.write_text(frame_csv(tumour_frame()))

    page = login_page(scientist)
    page.goto("/training/datasets/new/")
    page.select_option("#id_team", str(team.pk))
    page.fill("#id_name", "tumours")
    page.set_input_files("#id_file", str(csv_path))
    # The worker holds off while the page is looked at, so it is seen before the file is processed.
    with queue_paused("training"):
        page.click("main button.primary")
        page.wait_for_url("**/training/datasets/*/")
        assert page.locator("[data-dataset-status]").inner_text().startswith("Processing")
        assert page.locator("#dataset-progress").get_by_role("progressbar").is_visible()
        assert not page.get_by_text("Train a model").count()
        screenshot(page, "training-dataset-processing")
    # The page follows the worker and shows the schema by itself once the dataset is ready.
    page.get_by_text("Schema and column summaries").wait_for(timeout=120_000)
    assert page.locator("[data-dataset-status]").inner_text() == "Ready"
    screenshot(page, "training-dataset")

    page.click("text=Train a model")
    page.wait_for_url("**/training/jobs/new/**")
    page.select_option("#id_target", "diagnosis")
    target_box = page.locator('input[name=features][value="diagnosis"]')
    assert target_box.is_disabled() and not target_box.is_checked()
    assert page.locator('input[name=features][value="smoker"]').is_checked()  # the old default target
    page.select_option("#id_estimator", "hist_gradient_boosting")
    assert page.locator('.param-group[data-estimator="hist_gradient_boosting"]').is_visible()
    assert not page.locator('.param-group[data-estimator="knn"]').is_visible()
    assert "inferred task: classification" in page.locator("[data-task-hint]").inner_text()
    # Regression-only estimators are not offered for a classification target.
    assert page.locator('#id_estimator option[value="ridge"]').is_disabled()
    page.fill("#id_param__hist_gradient_boosting__max_iter", "1000")  # seconds long: several polls
    page.fill("#id_cv_folds", "5")
    page.select_option("#id_registered_model", str(model.pk))
    screenshot(page, "training-form")
    page.click("text=Start training")
    page.wait_for_url("**/training/jobs/*/")

    # htmx follows the job: the progress card polls the page's URL for its fragment (HX-Request) and
    # swaps it in, so the page itself is not reloaded until the job has ended (the marker stays).
    polls: list[str] = []
    refused: list[str] = []  # what the Content-Security-Policy refused (htmx must need nothing it forbids)
    page.on(
        "console", lambda message: "Content Security Policy" in message.text and refused.append(message.text)
    )
    page.on("request", lambda request: request.headers.get("hx-request") and polls.append(request.url))
    page.evaluate("() => { window.portalTestMarker = 'the page that started the job'; }")
    seen: list[str] = []
    in_place: list[tuple[str, str, int]] = []  # (text, bar width, log lines) while on the same page
    deadline = time.monotonic() + 240  # generous: CI shares two cores with other work
    while time.monotonic() < deadline:
        progress = page.locator("[data-job-progress]").inner_text()
        if progress not in seen:
            seen.append(progress)
            state = page.evaluate(
                """() => window.portalTestMarker && [
                    document.querySelector("[data-job-progress]").textContent,
                    document.querySelector("#job-progress .progress-bar").style.width,
                    document.querySelectorAll("#job-log li").length]"""
            )
            if state:
                in_place.append(tuple(state))
            if len(seen) == 2:  # mid-run: the bar has moved
                screenshot(page, "training-job-running")
        if page.locator("[data-registered-version]").count():
            break
        page.wait_for_timeout(200)
    job = TrainingJob.objects.get()
    assert job.status == JobStatus.SUCCEEDED, job.error
    # The card showed the bar below 100% and then at 100%.
    assert seen[-1] == "100%" and len(seen) >= 2, seen
    # At least one update was swapped in without reloading the page, bar and log drawn from it.
    assert len(in_place) >= 2, (in_place, seen)
    moved = in_place[1]
    assert moved[0] != in_place[0][0] and moved[1] == moved[0] and moved[2] >= 1, in_place
    assert polls and all(url.endswith(job.get_absolute_url()) for url in polls), polls
    assert page.locator("[data-job-progress]").inner_text() == "100%"
    page.wait_for_selector("[data-chart=metrics-figure] .main-svg", timeout=15000)  # plotly drew the chart
    # The job ended: the server's answer refreshed the page once (metrics, chart) and nothing polls.
    assert page.evaluate("() => window.portalTestMarker === undefined")
    assert page.locator("#job-progress").get_attribute("hx-trigger") is None
    assert not refused, refused
    link = page.locator("[data-registered-version]")
    assert link.inner_text() == str(job.registered_version)
    assert link.get_attribute("href") == model.get_absolute_url()
    screenshot(page, "training-job-done")
    page.goto("/training/jobs/")
    assert page.locator("table.table tbody tr").count() == 1
    screenshot(page, "training-job-list")
    page.goto(team.get_absolute_url())
    assert page.locator("#team-training").get_by_text("tumours").count() >= 1
    screenshot(page, "training-team-block")
