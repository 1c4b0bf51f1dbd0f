"""Every upload refusal names the problem and stores nothing; a good upload is versioned."""

import pytest
from django.core.exceptions import ValidationError

from apps.training import services
from apps.training.models import DatasetVersion
from tests.training.helpers import csv_upload, stored_files

pytestmark = pytest.mark.django_db

REFUSALS = [
    ("data.xlsx", b"a,b\n1,2\n", "Not a CSV file"),
    ("data.csv", b"a,b\n1,2\n\x00\x01\x02", "binary data"),
    ("data.csv", "a,b\ncaf\u00e9,2\n".encode("latin-1"), "Undecodable text on line 2"),
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
    first = services.dataset_upload(actor=scientist, team=team, name="sales", file=csv_upload("a,b\n1,x\n"))
    second = services.dataset_upload(
        actor=scientist, team=team, name="sales", file=csv_upload("a,b\n1,x\n2,y\n")
    )
    other = services.dataset_upload(actor=scientist, team=team, name="stock", file=csv_upload("a\n1\n"))
    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert second.row_count == 2 and second.column_count == 2
    assert first.sha256 != second.sha256 and len(second.sha256) == 64
    assert first.storage_key.startswith(f"datasets/{team.pk}/") and first.storage_key.endswith(".csv")
    assert len(stored_files()) == 3  # no temporary file left behind


def test_blank_lines_and_bom_are_tolerated(team, scientist):
    dataset = services.dataset_upload(
        actor=scientist, team=team, name="bom", file=csv_upload("\ufeffa,b\n1,2\n\n3,4\n\n")
    )
    assert dataset.column_names == ["a", "b"]
    assert dataset.row_count == 2


def test_only_team_members_or_staff_upload(team, outsider, staff_user, team_engineer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied, match="Only members of") as refused:
        services.dataset_upload(actor=outsider, team=team, name="x", file=csv_upload("a\n1\n"))
    assert str(refused.value).endswith(f"may upload datasets for {team.name}.")
    assert services.dataset_upload(actor=team_engineer, team=team, name="x", file=csv_upload("a\n1\n"))
    assert (
        services.dataset_upload(actor=staff_user, team=team, name="x", file=csv_upload("a\n1\n")).version == 2
    )
