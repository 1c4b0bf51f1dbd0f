"""Every upload refusal names the problem and stores nothing; a good upload is versioned. The web
process only runs cheap checks; a worker checks every row and profiles the file (``dataset_process``)."""

import codecs
import datetime
import time

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.training import selectors, services
from apps.training.csvfile import SAMPLE_BYTES
from apps.training.models import DatasetStatus, DatasetVersion
from tests.training.helpers import csv_upload, stored_files, upload

pytestmark = pytest.mark.django_db

REFUSALS = [
    ("data.xlsx", b"a,b\n1,2\n", "Not a CSV file"),
    ("data.csv", b"a,b\n1,2\n\x00\x01\x02", "binary data"),
    ("data.csv", "a,b\ncaf\u00e9,2\n".encode("latin-1"), "Undecodable text on line 2"),
    ("data.csv", "a,b\ncaf\u00e9,2\n".encode("cp1252"), "Windows-1252 or ISO-8859-1 (Latin-1)"),
    ("data.csv", "a,b\n1,2\n".encode("utf-16"), "The file is UTF-16 (little-endian) text, not UTF-8"),
    ("data.csv", "a,b\n1,2\n".encode("utf-16-be"), "UTF-16 (big-endian, no byte-order mark) text"),
    ("data.csv", "a,b\n1,2\n".encode("utf-16-le"), "UTF-16 (little-endian, no byte-order mark) text"),
    ("data.csv", codecs.BOM_UTF16_BE + "a,b\n1,2\n".encode("utf-16-be"), "UTF-16 (big-endian) text"),
    ("data.csv", "a,b\n1,2\n".encode("utf-32"), "The file is UTF-32 (little-endian) text"),
    ("data.csv", b"", "The file is empty"),
    ("data.csv", b"\n\n\n", "No header row"),
    ("data.csv", b"1,2,3\n4,5,6\n", "No header row: the first row holds only numbers"),
    ("data.csv", b"a,b,a\n1,2,3\n", "Duplicate column names in the header row: a"),
    ("data.csv", b"a,,c\n1,2,3\n", "Empty column name: column 2"),
    ("data.csv", b"a,b,c\n1,2,3\n4,5\n6,7,8\n", "Ragged row on line 3: it has 2 values, the header has 3"),
    ("data.csv", b"a,b,c\n", "No data rows"),
    ("data.csv", b'a,b\n"unclosed,2\n', "Not a readable CSV file"),
]


@pytest.mark.parametrize(("filename", "content", "message"), REFUSALS)
def test_upload_refusals_name_the_problem_and_store_nothing(team, scientist, filename, content, message):
    with pytest.raises(ValidationError) as caught:
        services.dataset_upload(actor=scientist, team=team, name="bad", file=csv_upload(content, filename))
    assert message in " ".join(caught.value.message_dict["file"])
    assert not DatasetVersion.objects.exists()
    assert stored_files() == []


def test_over_the_size_limit_is_refused_while_streaming(team, scientist, settings):
    settings.PORTAL_MAX_UPLOAD_BYTES = 1024
    content = b"a,b\n" + b"1,2\n" * 1000
    with pytest.raises(ValidationError) as caught:
        services.dataset_upload(actor=scientist, team=team, name="big", file=csv_upload(content))
    assert "larger than the upload limit" in str(caught.value)
    assert stored_files() == []


def test_reupload_under_the_same_name_adds_a_version(team, scientist):
    first = upload(actor=scientist, team=team, name="sales", content="a,b\n1,x\n")
    second = upload(actor=scientist, team=team, name="sales", content="a,b\n1,x\n2,y\n")
    other = upload(actor=scientist, team=team, name="stock", content="a\n1\n")
    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert second.row_count == 2 and second.column_count == 2
    assert first.sha256 != second.sha256 and len(second.sha256) == 64
    assert first.storage_key.startswith(f"datasets/{team.pk}/") and first.storage_key.endswith(".csv")
    assert len(stored_files()) == 3  # no temporary file left behind


def test_blank_lines_and_bom_are_tolerated(team, scientist):
    dataset = upload(actor=scientist, team=team, name="bom", content="\ufeffa,b\n1,2\n\n3,4\n\n")
    assert dataset.column_names == ["a", "b"]
    assert dataset.row_count == 2


def test_only_team_members_or_staff_upload(team, outsider, staff_user, team_engineer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied, match="Only members of") as refused:
        services.dataset_upload(actor=outsider, team=team, name="x", file=csv_upload("a\n1\n"))
    assert str(refused.value).endswith(f"can upload datasets for {team.name}.")
    assert services.dataset_upload(actor=team_engineer, team=team, name="x", file=csv_upload("a\n1\n"))
    assert (
        services.dataset_upload(actor=staff_user, team=team, name="x", file=csv_upload("a\n1\n")).version == 2
    )


def wide_csv(columns: int, rows: int = 1) -> bytes:
    names = [f"c{index}" for index in range(columns)]
    return ("\n".join([",".join(names), *[",".join("1" for _ in names)] * rows]) + "\n").encode()


def test_ten_thousand_columns_are_refused_at_once_naming_the_limit(team, scientist):
    """79 KB, 10,000 columns and one row: it used to be profiled in the web process for 14-31 s."""
    content = wide_csv(10_000)
    assert len(content) < 80 * 1024
    started = time.monotonic()
    with pytest.raises(ValidationError) as caught:
        services.dataset_upload(actor=scientist, team=team, name="wide", file=csv_upload(content))
    assert caught.value.message_dict["file"] == [
        "Too many columns: the header row names 10,000 columns; at most 2,000 are allowed."
    ]
    assert time.monotonic() - started < 10  # cheap checks only (a generous bound, not a benchmark)
    assert not DatasetVersion.objects.exists() and stored_files() == []


@pytest.mark.parametrize(
    ("setting", "value", "content", "message"),
    [
        (
            "PORTAL_MAX_HEADER_BYTES",
            1024,
            ",".join(f"column{i}" for i in range(300)) + "\n" + "1," * 299 + "1\n",
            "Header row too long: its first line is longer than 1 KB.",
        ),
        (
            "PORTAL_MAX_DATASET_ROWS",
            3,
            "a\n1\n2\n3\n4\n",
            "Too many rows: the file has 4 lines under its header; at most 3 rows.",
        ),
        (
            "PORTAL_MAX_DATASET_COLUMNS",
            2,
            "a,b,c\n1,2,3\n",
            "Too many columns: the header row names 3 columns; at most 2",
        ),
    ],
)
def test_shape_limits_are_refused_naming_the_limit(
    team, scientist, settings, setting, value, content, message
):
    setattr(settings, setting, value)
    with pytest.raises(ValidationError) as caught:
        services.dataset_upload(actor=scientist, team=team, name="x", file=csv_upload(content))
    assert message in caught.value.message_dict["file"][0]
    assert not DatasetVersion.objects.exists() and stored_files() == []


def test_a_column_name_longer_than_a_job_target_is_refused(team, scientist):
    with pytest.raises(ValidationError, match="Column name too long: column 2"):
        services.dataset_upload(
            actor=scientist, team=team, name="x", file=csv_upload(f"a,{'b' * 201}\n1,2\n")
        )
    assert stored_files() == []


def test_upload_stores_the_file_and_leaves_the_profile_to_a_worker(
    team, scientist, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        dataset = services.dataset_upload(
            actor=scientist, team=team, name="shop", file=csv_upload("a,b\n1,x\n2,y\n"), enqueue=False
        )
    assert callbacks == []  # enqueue=False: the caller processes it
    dataset.refresh_from_db()
    assert (dataset.status, dataset.progress, dataset.row_count, dataset.schema) == (
        "processing",
        0,
        None,
        [],
    )
    assert dataset.column_count == 2 and len(stored_files()) == 1
    assert not selectors.datasets_for_training(user=scientist).exists()
    ready = services.dataset_process(dataset_id=dataset.pk)
    assert (ready.status, ready.progress, ready.row_count, ready.error) == ("ready", 100, 2, "")
    assert ready.column_names == ["a", "b"] and ready.processed_at is not None
    assert list(selectors.datasets_for_training(user=scientist)) == [ready]
    assert services.dataset_process(dataset_id=dataset.pk) is None  # a second delivery does nothing


def test_a_bad_row_past_the_head_fails_processing_and_deletes_the_file(team, scientist):
    filler = b"a,b\n" + b"1,2\n" * (SAMPLE_BYTES // 4 + 10)
    dataset = services.dataset_upload(
        actor=scientist, team=team, name="late", file=csv_upload(filler + b"3\n4,5\n"), enqueue=False
    )
    assert dataset.status == "processing" and len(stored_files()) == 1
    failed = services.dataset_process(dataset_id=dataset.pk)
    bad_line = filler.count(b"\n") + 1
    assert failed.status == "failed"
    assert failed.error == f"Ragged row on line {bad_line}: it has 1 values, the header has 2 columns."
    assert failed.row_count is None and failed.schema == [] and stored_files() == []


def test_training_waits_for_a_ready_dataset(team, scientist):
    dataset = services.dataset_upload(
        actor=scientist, team=team, name="shop", file=csv_upload("a,b\n1,x\n2,y\n"), enqueue=False
    )
    data = {"dataset_version": dataset, "target": "b", "estimator": "knn"}
    with pytest.raises(ValidationError) as caught:
        services.training_job_create(actor=scientist, data=data, enqueue=False)
    assert "still being processed" in caught.value.message_dict["dataset_version"][0]
    DatasetVersion.objects.filter(pk=dataset.pk).update(
        status=DatasetStatus.FAILED, error="Ragged row on line 9"
    )
    dataset.refresh_from_db()
    with pytest.raises(ValidationError, match="failed processing: Ragged row on line 9"):
        services.training_job_create(actor=scientist, data=data | {"dataset_version": dataset}, enqueue=False)


def test_silent_processing_is_requeued_then_failed(
    team, scientist, settings, django_capture_on_commit_callbacks
):
    dataset = services.dataset_upload(
        actor=scientist, team=team, name="shop", file=csv_upload("a,b\n1,x\n"), enqueue=False
    )
    later = timezone.now() + datetime.timedelta(seconds=settings.TRAINING_STALE_AFTER_SECONDS + 1)
    with django_capture_on_commit_callbacks() as callbacks:
        outcome = services.datasets_recover_stale(now=later)
    assert outcome == {"requeued": [dataset.pk], "failed": []} and len(callbacks) == 1
    DatasetVersion.objects.filter(pk=dataset.pk).update(attempts=settings.TRAINING_MAX_ATTEMPTS)
    much_later = later + datetime.timedelta(seconds=settings.TRAINING_STALE_AFTER_SECONDS + 1)
    assert services.datasets_recover_stale(now=much_later) == {"requeued": [], "failed": [dataset.pk]}
    dataset.refresh_from_db()
    assert dataset.status == "failed" and "stopped on each of 3 attempts" in dataset.error
    assert stored_files() == []
