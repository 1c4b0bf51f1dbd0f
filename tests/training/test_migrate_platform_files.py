"""``manage.py migrate_platform_files``: local datasets and artefacts into a real S3 bucket
(SeaweedFS), verified against their recorded sha256, and safe to run again."""

import hashlib
import io
import shutil

import pytest
from django.core.management import CommandError, call_command

from apps.core import storage
from apps.registry.artefacts import load_pipeline, pipeline_cache
from tests.registry.factories import RegisteredModelFactory, register
from tests.training.helpers import tumour_frame, upload_frame


@pytest.fixture
def local_files(settings, team, scientist):
    """A dataset version and a registered artefact in the local platform folder, then a copy of
    that folder (the platform folder becomes the S3 store's scratch folder)."""
    dataset = upload_frame(actor=scientist, team=team, frame=tumour_frame(60))
    version = register(RegisteredModelFactory(owning_team=team))
    return dataset, version, settings.PLATFORM_STORAGE_ROOT


def migrate(*args) -> str:
    out = io.StringIO()
    call_command("migrate_platform_files", *args, stdout=out)
    return out.getvalue()


def test_files_are_copied_verified_and_a_second_run_copies_nothing(request, local_files, tmp_path):
    dataset, version, root = local_files
    source = tmp_path / "old-platform"
    shutil.copytree(root, source)
    s3 = request.getfixturevalue("s3_platform")
    assert s3.keys() == []

    assert "2 copied, 0 already there, 0 problems" in migrate("--source", str(source))
    assert s3.keys() == sorted([dataset.storage_key, version.artefact_key])
    assert hashlib.sha256(s3.object(dataset.storage_key)).hexdigest() == dataset.sha256
    assert hashlib.sha256(s3.object(version.artefact_key)).hexdigest() == version.artefact_sha256
    pipeline_cache.clear()
    assert load_pipeline(version) is not None  # served from the bucket now

    assert "0 copied, 2 already there, 0 problems" in migrate("--source", str(source))

    s3.server.client().put_object(Bucket=s3.bucket, Key=f"{s3.prefix}/{dataset.storage_key}", Body=b"torn")
    assert "1 copied, 1 already there, 0 problems" in migrate("--source", str(source))
    assert hashlib.sha256(s3.object(dataset.storage_key)).hexdigest() == dataset.sha256


def test_a_file_missing_locally_is_named_and_the_rest_still_copied(request, local_files, tmp_path):
    dataset, version, root = local_files
    source = tmp_path / "old-platform"
    shutil.copytree(root, source)
    (source / dataset.storage_key).unlink()
    s3 = request.getfixturevalue("s3_platform")
    with pytest.raises(CommandError, match=f"{dataset.storage_key} .*is missing from {source}"):
        migrate("--source", str(source))
    assert s3.keys() == [version.artefact_key]


def test_it_refuses_to_run_without_a_bucket(local_files):
    with pytest.raises(CommandError, match="set PORTAL_S3_BUCKET"):
        migrate()
    assert storage.is_local()
