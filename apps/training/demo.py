"""Demo data for self-service training: datasets from scikit-learn's bundled sets (and one synthetic
checkout dataset) owned by demo teams, with jobs run in-process through the same services and
runner as a worker, registering candidate versions. The basket-conversion model only barely beats
its one-rule baseline, as real ones sometimes do."""

import io
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.core.files.uploadedfile import SimpleUploadedFile
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine

from apps.registry.models import RegisteredModel
from apps.registry.services import registered_model_create
from apps.training import runner, services
from apps.training.engine import infer_task
from apps.training.models import DatasetVersion


@dataclass
class DemoModel:
    slug: str
    name: str
    team: str
    stream: str
    uploader: str
    dataset: str
    description: str
    frame: Callable[[], pd.DataFrame]
    target: str
    estimator: str
    parameters: dict = field(default_factory=dict)
    purpose: str = ""
    card: dict = field(default_factory=dict)


def tumour_frame() -> pd.DataFrame:
    frame = load_breast_cancer(as_frame=True).frame
    frame["diagnosis"] = np.where(frame.pop("target") == 1, "benign", "malignant")
    return frame


def wine_frame() -> pd.DataFrame:
    frame = load_wine(as_frame=True).frame
    frame["cultivar"] = frame.pop("target").map({0: "cultivar_a", 1: "cultivar_b", 2: "cultivar_c"})
    return frame


def diabetes_frame() -> pd.DataFrame:
    frame = load_diabetes(as_frame=True, scaled=False).frame
    return frame.rename(columns={"target": "progression"})


def basket_frame() -> pd.DataFrame:
    """Checkout sessions where conversion depends only weakly on what the session shows."""
    rng = np.random.default_rng(11)
    rows = 2000
    frame = pd.DataFrame(
        {
            "basket_value": rng.gamma(2.0, 30.0, rows).round(2),
            "items": rng.integers(1, 12, rows),
            "channel": rng.choice(["web", "app", "store"], rows),
            "returning_customer": rng.choice(["true", "false"], rows),
            "minutes_on_site": rng.exponential(8, rows).round(1),
        }
    )
    logit = -0.2 + 0.004 * (frame.basket_value - 60) + 0.15 * (frame.returning_customer == "true")
    frame["converted"] = np.where(rng.random(rows) < 1 / (1 + np.exp(-logit)), "yes", "no")
    return frame


DEMO_MODELS = [
    DemoModel(
        slug="tumour-screening-sample",
        name="Tumour screening (sample)",
        team="fraud-signals",
        stream="fraud",
        uploader="lead",
        dataset="breast-cancer-wisconsin",
        description="scikit-learn's breast cancer set: 30 cell-nucleus measurements per sample.",
        frame=tumour_frame,
        target="diagnosis",
        estimator="hist_gradient_boosting",
        parameters={"max_iter": 80},
        purpose="Sample screening classifier: flags malignant samples for review.",
        card={
            "card_model_details": "Histogram gradient boosting on 30 measurements.",
            "card_intended_use": "Demo of self-service training; not for clinical use.",
        },
    ),
    DemoModel(
        slug="wine-cultivar-sample",
        name="Wine cultivar (sample)",
        team="personalisation",
        stream="growth",
        uploader="platform",
        dataset="wine-chemistry",
        description="scikit-learn's wine set: chemical analysis of wines from three cultivars.",
        frame=wine_frame,
        target="cultivar",
        estimator="random_forest",
        parameters={"n_estimators": 120},
        purpose="Sample multi-class classifier recommending a wine's cultivar from its chemistry.",
    ),
    DemoModel(
        slug="diabetes-progression-sample",
        name="Diabetes progression (sample)",
        team="forecasting-science",
        stream="supply",
        uploader="scientist",
        dataset="diabetes-progression",
        description="scikit-learn's diabetes set: disease progression one year after baseline.",
        frame=diabetes_frame,
        target="progression",
        estimator="ridge",
        parameters={"alpha": 1.0},
        purpose="Sample regression forecasting a quantity a year ahead.",
    ),
    DemoModel(
        slug="basket-conversion-sample",
        name="Basket conversion (sample)",
        team="checkout-experience",
        stream="checkout",
        uploader="engineer",
        dataset="checkout-sessions",
        description="Synthetic checkout sessions; conversion barely depends on what a session shows.",
        frame=basket_frame,
        target="converted",
        estimator="logistic_regression",
        purpose="Predict basket conversion; barely beats a one-rule heuristic: is ML worth it here?",
    ),
]


def csv_file(frame: pd.DataFrame, name: str) -> SimpleUploadedFile:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return SimpleUploadedFile(f"{name}.csv", buffer.getvalue().encode(), content_type="text/csv")


def registered_model(demo: DemoModel, org, task: str) -> RegisteredModel:
    existing = RegisteredModel.objects.filter(slug=demo.slug).first()
    if existing:
        return existing
    team = org.teams[demo.team]
    return registered_model_create(
        actor=org.users["platform"],
        data={
            "name": demo.name,
            "slug": demo.slug,
            "owning_team": team,
            "value_stream": team.value_stream or org.streams[demo.stream],
            "purpose": demo.purpose,
            "task": task,
            "primary_metric": "roc_auc" if task == "classification" else "r2",
            **demo.card,
        },
    )


def load(org) -> None:
    """Upload the demo datasets and train one registered candidate per dataset (about 10 s)."""
    platform = org.users["platform"]
    for demo in DEMO_MODELS:
        team = org.teams[demo.team]
        uploader = org.users.get(demo.uploader, platform)
        uploaded = services.dataset_upload(
            actor=uploader,
            team=team,
            name=demo.dataset,
            description=demo.description,
            file=csv_file(demo.frame(), demo.dataset),
            enqueue=False,
        )
        dataset = services.dataset_process(dataset_id=uploaded.pk)  # small: profiled in this process
        task = infer_task(dataset.column(demo.target))
        job = services.training_job_create(
            actor=platform,
            data={
                "dataset_version": dataset,
                "target": demo.target,
                "estimator": demo.estimator,
                "parameters": demo.parameters,
                "cv_folds": 5,
                "registered_model": registered_model(demo, org, task),
            },
            enqueue=False,
        )
        job = runner.execute(
            job.pk, task_id=job.celery_task_id, worker="demo loader (in-process)", heartbeat=False
        )
        if demo.slug == "tumour-screening-sample":  # retrained weekly on the newest upload
            services.retraining_schedule_from_job(actor=platform, job=job, interval_hours=24 * 7)
    # A job someone changed their mind about, to show the cancelled state.
    tumours = DatasetVersion.objects.get(name="breast-cancer-wisconsin")
    queued = services.training_job_create(
        actor=platform,
        data={"dataset_version": tumours, "target": "diagnosis", "estimator": "knn"},
        enqueue=False,
    )
    services.training_job_cancel(actor=platform, job=queued)
