"""The one CSV writer: every export streams through ``apps.core.csvexport`` and its formula guard."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.http import StreamingHttpResponse

from apps.core.csvexport import csv_response

APPS = Path(__file__).resolve().parents[2] / "apps"


def test_no_module_but_csvexport_writes_csv():
    """A second writer would be a second place to forget the formula guard (as the outcome charts did)."""
    writers = re.compile(r"\b(writer|DictWriter)\(")  # csv.writer, csv.DictWriter, or imported by name
    offenders = sorted(
        str(path.relative_to(APPS))
        for path in APPS.rglob("*.py")
        if path != APPS / "core" / "csvexport.py" and writers.search(path.read_text())
    )
    assert offenders == []


@pytest.mark.parametrize("cell", ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"])
def test_a_cell_a_spreadsheet_would_run_is_quoted_header_and_rows(cell):
    response = csv_response([cell], [[cell, 3, -2]], filename="x.csv")
    assert isinstance(response, StreamingHttpResponse)  # rows are read lazily, never built in memory
    text = b"".join(response.streaming_content).decode()
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["'" + cell],
        ["'" + cell, "3", "-2"],
    ]  # numbers pass
