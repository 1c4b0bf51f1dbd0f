"""The platform store (apps.core.storage): the same tests against the local folder and against a real
S3 server (SeaweedFS, tests/s3.py)."""

import hashlib
from pathlib import Path

import pytest
from botocore.config import Config
from django.core.files.storage import FileSystemStorage

from apps.core import storage
from portal.storage import s3_entry
from tests.servers import free_port


@pytest.fixture(params=["filesystem", "s3"])
def store(request, settings, tmp_path):
    """The platform store of one test: its own folder, or its own bucket."""
    if request.param == "s3":
        return request.getfixturevalue("s3_platform")
    settings.PLATFORM_STORAGE_ROOT = tmp_path / "platform"
    return None


def stored_keys(store) -> list[str]:
    if store is not None:
        return store.keys()
    root = storage.platform_storage().location
    return sorted(str(p.relative_to(root)) for p in Path(root).rglob("*") if p.is_file())


def test_bytes_round_trip_with_sha256_and_delete(store):
    storage.save_bytes("registry/1/abc.skops", b"artefact bytes")
    assert storage.exists("registry/1/abc.skops")
    assert storage.read_bytes("registry/1/abc.skops") == b"artefact bytes"
    assert storage.sha256_of("registry/1/abc.skops") == hashlib.sha256(b"artefact bytes").hexdigest()
    assert stored_keys(store) == ["registry/1/abc.skops"]
    storage.delete("registry/1/abc.skops")
    assert not storage.exists("registry/1/abc.skops") and stored_keys(store) == []
    storage.delete("registry/1/abc.skops")  # deleting twice is harmless


def test_a_local_file_is_stored_and_read_back_through_a_local_copy(store, tmp_path):
    source = tmp_path / "upload.csv"
    source.write_bytes(b"a,b\n1,2\n" * 100_000)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    storage.save_file("datasets/3/f00d.csv", source, move=True)
    assert stored_keys(store) == ["datasets/3/f00d.csv"]
    with storage.local_copy("datasets/3/f00d.csv", sha256=digest) as path:
        assert path.read_bytes().startswith(b"a,b\n1,2\n") and path.stat().st_size == 800_000
        copy = path
    if store is not None:  # a downloaded copy goes when read; nothing stays in the local folder
        assert not copy.exists() and store.local_files() == []


def test_a_missing_object_is_named(store):
    with pytest.raises(storage.StorageMissing, match="datasets/9/gone.csv is missing from platform storage"):
        storage.read_bytes("datasets/9/gone.csv")
    with (
        pytest.raises(storage.StorageMissing, match="datasets/9/gone.csv"),
        storage.local_copy("datasets/9/gone.csv"),
    ):
        pass
    assert not storage.exists("datasets/9/gone.csv")


def test_a_download_that_does_not_match_its_sha256_is_refused(s3_platform):
    storage.save_bytes("datasets/1/aa.csv", b"x,y\n1,2\n")
    refused = pytest.raises(storage.StorageError, match="does not match its recorded sha256")
    with refused, storage.local_copy("datasets/1/aa.csv", sha256="0" * 64):
        pass
    assert s3_platform.local_files() == []


def test_a_key_is_never_overwritten(store):
    storage.save_bytes("registry/1/once.skops", b"first")
    with pytest.raises(storage.StorageError, match="refusing to overwrite"):
        storage.save_bytes("registry/1/once.skops", b"second")
    assert storage.read_bytes("registry/1/once.skops") == b"first"
    assert stored_keys(store) == ["registry/1/once.skops"]


@pytest.mark.parametrize(
    "key", ["../x.csv", "/etc/passwd", "datasets/../../x.csv", "datasets/", "", "a b.csv"]
)
def test_keys_that_could_leave_the_store_are_refused(store, key):
    with pytest.raises(storage.StorageError, match="not a platform storage key"):
        storage.read_bytes(key)


def test_an_unreachable_bucket_is_unavailable_not_missing(settings, tmp_path):
    settings.PLATFORM_STORAGE_ROOT = tmp_path
    entry = s3_entry(bucket="nowhere", endpoint_url=f"http://127.0.0.1:{free_port()}", access_key_id="k")
    entry["OPTIONS"]["client_config"] = Config(connect_timeout=1, retries={"max_attempts": 1})
    settings.STORAGES = settings.STORAGES | {"platform": entry}
    with pytest.raises(storage.StorageUnavailable, match="could not be reached for registry/1/a.skops"):
        storage.read_bytes("registry/1/a.skops")


def test_the_quick_start_store_is_the_platform_folder(settings, tmp_path):
    settings.PLATFORM_STORAGE_ROOT = tmp_path / "here"
    assert isinstance(storage.platform_storage(), FileSystemStorage) and storage.is_local()
    assert storage.describe() == str(tmp_path / "here")
