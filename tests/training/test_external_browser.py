"""Chromium: a team member registers a model trained elsewhere from the model page's button, the
real worker evaluates it, and the model page says where the version came from."""

import pytest
import skops.io

from apps.training.models import JobKind, JobStatus, TrainingJob
from tests.registry.factories import RegisteredModelFactory
from tests.training.helpers import tumour_frame, upload_frame
from tests.training.test_external_versions import FEATURES, notebook_pipeline

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_registers_a_notebook_pipeline_and_sees_where_it_came_from(
    celery_worker_process, login_page, screenshot, axe, team, scientist, tmp_path
):
    model = RegisteredModelFactory(owning_team=team, name="Tumour screening", slug="tumour-screening")
    dataset = upload_frame(actor=scientist, team=team, frame=tumour_frame())
    artefact = tmp_path / "screening.skops"
    artefact.write_bytes(skops.io.dumps(notebook_pipeline()))

    page = login_page(scientist)
    page.goto(model.get_absolute_url())
    page.click("[data-register-external]")
    page.wait_for_url("**/training/jobs/external/?model=tumour-screening")
    assert page.locator("#id_registered_model").input_value() == str(model.pk)
    page.set_input_files("#id_artefact", str(artefact))
    page.select_option("#id_dataset_version", str(dataset.pk))
    page.fill("#id_target", "diagnosis")
    page.fill("#id_features", ", ".join(FEATURES))
    page.fill("#id_source_repository", "https://git.example.com/oncology/screening")
    page.fill("#id_source_commit", "0f3c2a9d1e")
    page.fill("#id_framework", "scikit-learn")
    page.fill("#id_training_data", "Clinic extract of 2026-10.")
    screenshot(page, "training-external-version-form")
    assert axe(page) == []
    page.click("main button.primary")
    page.wait_for_url("**/training/jobs/*/")
    assert (
        "trained elsewhere (skops artefact screening.skops)" in page.locator("[data-evaluation]").inner_text()
    )
    page.locator("[data-registered-version]").wait_for(timeout=120_000)
    job = TrainingJob.objects.get()
    assert (job.kind, job.status) == (JobKind.EVALUATE, JobStatus.SUCCEEDED)
    assert page.get_by_text("Holdout metrics beside the baselines").is_visible()
    screenshot(page, "training-external-version-job")

    page.click("[data-registered-version]")
    origin = page.locator("[data-origin]").inner_text()
    assert origin.startswith("Trained elsewhere: https://git.example.com/oncology/screening @ 0f3c2a9d1e")
    assert "scikit-learn" in origin and "Clinic extract" in origin
    screenshot(page, "registry-model-external-version")
    assert axe(page) == []


def test_a_refused_artefact_is_named_on_the_form(login_page, team, scientist, tmp_path):
    model = RegisteredModelFactory(owning_team=team, slug="tumour-screening")
    dataset = upload_frame(actor=scientist, team=team, frame=tumour_frame())
    artefact = tmp_path / "notes.onnx"
    artefact.write_bytes(b"just some notes")
    page = login_page(scientist)
    page.goto(f"/training/jobs/external/?model={model.slug}")
    page.set_input_files("#id_artefact", str(artefact))
    page.select_option("#id_dataset_version", str(dataset.pk))
    page.fill("#id_target", "diagnosis")
    page.click("main button.primary")
    assert "The artefact is not a readable ONNX model" in page.locator("main").inner_text()
    assert not TrainingJob.objects.exists()
