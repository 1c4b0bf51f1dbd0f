"""Datasets for the training tests: CSV bytes as an upload, and datasets stored through the service."""

import io
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from sklearn.datasets import load_breast_cancer, load_diabetes

from apps.training import services


def csv_upload(content: str | bytes, name: str = "data.csv") -> SimpleUploadedFile:
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/csv")


def frame_csv(frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue()


def tumour_frame(rows: int | None = None) -> pd.DataFrame:
    """Breast cancer with a text target, a categorical column with gaps and a boolean column."""
    frame = load_breast_cancer(as_frame=True).frame
    frame["diagnosis"] = np.where(frame.pop("target") == 1, "benign", "malignant")
    frame["clinic"] = np.where(frame["mean radius"] > 14, "north", "south")
    frame.loc[::9, "clinic"] = None
    frame["smoker"] = np.where(frame["mean texture"] > 19, "true", "false")
    return frame.head(rows) if rows else frame


def diabetes_frame() -> pd.DataFrame:
    return load_diabetes(as_frame=True, scaled=False).frame


def upload(*, actor, team, content: str | bytes, name: str = "tumours", description: str = ""):
    """Upload and process in this process, as a worker would: a ready dataset version."""
    uploaded = services.dataset_upload(
        actor=actor, team=team, name=name, description=description, file=csv_upload(content), enqueue=False
    )
    return services.dataset_process(dataset_id=uploaded.pk)


def upload_frame(*, actor, team, frame: pd.DataFrame, name: str = "tumours", description: str = ""):
    return upload(actor=actor, team=team, content=frame_csv(frame), name=name, description=description)


def stored_files() -> list[Path]:
    """Every file under platform storage's dataset and temporary folders."""
    root = Path(settings.PLATFORM_STORAGE_ROOT)
    return sorted(p for folder in ("datasets", "tmp") for p in (root / folder).rglob("*") if p.is_file())
