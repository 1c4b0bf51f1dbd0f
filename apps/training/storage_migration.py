"""Copy the platform files a local folder holds (every dataset version and model artefact the
database knows) into the configured platform store, an S3 bucket, and check each copy against the
sha256 the database recorded. Safe to run again: an object already stored with the right sha256 is
left alone, so an interrupted run just carries on."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.storage import FileSystemStorage

from apps.core import storage
from apps.registry.models import ModelVersion
from apps.training.models import DatasetStatus, DatasetVersion


@dataclass
class MigrationReport:
    copied: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # missing locally, or a copy that does not verify

    @property
    def ok(self) -> bool:
        return not self.problems


def platform_files() -> Iterator[tuple[str, str, str]]:
    """(key, recorded sha256, what it is) of every file the platform must keep."""
    datasets = DatasetVersion.objects.exclude(status=DatasetStatus.FAILED).select_related("team")
    for dataset in datasets.order_by("pk").iterator():
        yield dataset.storage_key, dataset.sha256, f"dataset {dataset}"
    for version in ModelVersion.objects.select_related("model").order_by("pk").iterator():
        yield version.artefact_key, version.artefact_sha256, f"artefact of {version}"


def platform_files_migrate(
    *, source_root: Path, report: Callable[[str], None] = lambda line: None
) -> MigrationReport:
    """Copy every platform file from ``source_root`` into the platform store, verifying each."""
    target = storage.platform_storage()
    if isinstance(target, FileSystemStorage):
        raise storage.StorageError(
            "The platform store is a local folder: set PORTAL_S3_BUCKET (and the other PORTAL_S3_* "
            "variables) to the bucket the files should move to."
        )
    source = FileSystemStorage(location=str(source_root))
    outcome = MigrationReport()
    for key, sha256, what in platform_files():
        if storage.exists(key) and storage.sha256_of(key) == sha256:
            outcome.already_there.append(key)
            report(f"already there  {key} ({what})")
            continue
        if not source.exists(key):
            outcome.problems.append(f"{key} ({what}) is missing from {source_root}")
            report(f"MISSING        {key} ({what})")
            continue
        storage.copy_between(key, source, target)
        copied_sha256 = storage.sha256_of(key)
        if copied_sha256 != sha256:
            outcome.problems.append(
                f"{key} ({what}) does not match its recorded sha256 after copying "
                f"(expected {sha256[:12]}…, found {copied_sha256[:12]}…)"
            )
            report(f"MISMATCH       {key} ({what})")
            continue
        outcome.copied.append(key)
        report(f"copied         {key} ({what})")
    return outcome
