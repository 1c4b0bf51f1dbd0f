"""Receive an uploaded CSV without ever holding it in memory: stream it in chunks to a local scratch
file (``apps.core.storage.scratch_dir``) while hashing it, counting its lines and checking it is
UTF-8 text, then check its head (header length, column names, column count, the first rows). These
checks are cheap (a few passes of C code over the bytes, whatever the width of the file), so the
web process never spends long on an upload; the full row-by-row check (``check_rows``) and the
profile run on a worker. Every refusal names the problem; a refused file is deleted."""

import codecs
import csv
import hashlib
import io
import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

from apps.core import storage
from apps.core.chunked import body_limit
from apps.core.validation import detected_encoding

CHUNK_BYTES = 1024 * 1024
ALLOWED_SUFFIXES = (".csv", ".txt")
NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
csv.field_size_limit(16 * 1024 * 1024)
# The head checked in the web process: the header row and the rows within the first MiB.
SAMPLE_BYTES = 1024 * 1024
MAX_COLUMN_NAME_CHARS = 200  # a column name becomes a job's target (200 characters)


class UploadTooLarge(ValidationError):
    """The file is over ``settings.PORTAL_MAX_UPLOAD_BYTES`` (HTTP 413 in the API)."""


@dataclass(frozen=True)
class ReceivedCsv:
    path: Path
    sha256: str
    size_bytes: int
    header: list[str]
    line_count: int  # lines after the header: an upper bound of the rows (a quoted value may span lines)


def declared_too_large(request) -> bool:
    """True when the request says (Content-Length) it is over the upload limit: refuse it before
    reading the body at all."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > body_limit()
    except ValueError:
        return False


def limit_text() -> str:
    return f"{settings.PORTAL_MAX_UPLOAD_BYTES / 1024 / 1024:g} MB"


def refuse(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def receive_csv(upload, *, max_bytes: int | None = None) -> ReceivedCsv:
    """Stream ``upload`` (a Django UploadedFile or any object with ``name`` and ``chunks()``) to a
    temporary file and validate it; the caller owns the file afterwards (move it or delete it)."""
    limit = settings.PORTAL_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    name = getattr(upload, "name", "") or ""
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        raise refuse(f"Not a CSV file: {name or 'the upload'} must be a .csv file (comma-separated text).")
    handle, temp_name = tempfile.mkstemp(suffix=".csv.partial", dir=storage.scratch_dir())
    path = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            sha256, size, lines = _copy_checked(upload, out, limit)
        header = _check_head(path, size)
        _check_line_count(lines)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return ReceivedCsv(path=path, sha256=sha256, size_bytes=size, header=header, line_count=max(lines - 1, 0))


SAVE_AS_UTF8 = "save it as UTF-8 (in Excel: “CSV UTF-8”) and upload it again."


def _single_byte_guess(chunk: bytes) -> str:
    """A hint for bytes that are not UTF-8: text in Windows-1252 / ISO-8859-1 (Latin-1) decodes as such."""
    try:
        chunk.decode("cp1252")
    except UnicodeDecodeError:
        return ""
    return " It looks like Windows-1252 or ISO-8859-1 (Latin-1) text;"


def _copy_checked(upload, out, limit: int) -> tuple[str, int, int]:
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    size = 0
    line = 1
    for chunk in upload.chunks(CHUNK_BYTES):
        size += len(chunk)
        if size > limit:
            raise UploadTooLarge(
                {"file": [f"The file is larger than the upload limit of {limit / 1024 / 1024:g} MB."]}
            )
        if size == len(chunk):  # the first chunk: is it UTF-16 or UTF-32 text?
            encoding = detected_encoding(chunk)
            if encoding:
                raise refuse(f"The file is {encoding} text, not UTF-8: {SAVE_AS_UTF8}")
        if b"\x00" in chunk:
            raise refuse("Not a CSV file: it contains binary data (NUL bytes), not text.")
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            bad_line = line + chunk[: exc.start].count(b"\n")
            guess = _single_byte_guess(chunk)
            raise refuse(
                f"Undecodable text on line {bad_line}: the file must be UTF-8 encoded "
                f"(byte {size - len(chunk) + exc.start + 1} is not valid UTF-8).{guess}"
                + (f" {SAVE_AS_UTF8}" if guess else "")
            ) from exc
        line += chunk.count(b"\n")
        digest.update(chunk)
        out.write(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise refuse("Undecodable text at the end of the file: it must be UTF-8 encoded.") from exc
    if size == 0:
        raise refuse("The file is empty: it needs a header row naming the columns and data rows.")
    return digest.hexdigest(), size, line if size and not chunk.endswith(b"\n") else line - 1


def _check_line_count(lines: int) -> None:
    most = settings.PORTAL_MAX_DATASET_ROWS
    if lines - 1 > most:
        raise refuse(
            f"Too many rows: the file has {lines - 1:,} lines under its header; at most {most:,} rows."
        )


def _check_header(header: list[str]) -> list[str]:
    most = settings.PORTAL_MAX_DATASET_COLUMNS
    if len(header) > most:
        raise refuse(
            f"Too many columns: the header row names {len(header):,} columns; at most {most:,} are allowed."
        )
    names = [cell.strip() for cell in header]
    long = [str(index + 1) for index, cell in enumerate(names) if len(cell) > MAX_COLUMN_NAME_CHARS]
    if long:
        raise refuse(
            f"Column name too long: column {', '.join(long[:10])} of the header row has more than "
            f"{MAX_COLUMN_NAME_CHARS} characters."
        )
    empty = [str(index + 1) for index, cell in enumerate(names) if not cell]
    if empty:
        raise refuse(f"Empty column name: column {', '.join(empty)} of the header row has no name.")
    if all(NUMBER.match(cell) for cell in names):
        raise refuse("No header row: the first row holds only numbers; it must name the columns.")
    duplicates = sorted(name for name, count in Counter(names).items() if count > 1)
    if duplicates:
        raise refuse(f"Duplicate column names in the header row: {', '.join(duplicates)}.")
    return names


def _head_text(path: Path, size: int) -> tuple[str, bool]:
    """The first ``SAMPLE_BYTES`` as text, cut after its last complete line when the file goes on."""
    with path.open("rb") as raw:
        data = raw.read(SAMPLE_BYTES)
    truncated = size > len(data)
    if truncated:
        data = data[: data.rfind(b"\n") + 1]
    return codecs.getincrementaldecoder("utf-8-sig")().decode(data), truncated


def _check_head(path: Path, size: int) -> list[str]:
    """The header row (length, names, count) and the rows in the first MiB, without reading the rest."""
    header_limit = settings.PORTAL_MAX_HEADER_BYTES
    with path.open("rb") as raw:
        first_line = raw.readline(header_limit + 1)
    if len(first_line) > header_limit and not first_line.endswith(b"\n"):
        raise refuse(f"Header row too long: its first line is longer than {header_limit / 1024:g} KB.")
    text, truncated = _head_text(path, size)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next((row for row in reader if row), None)
        if header is None:
            if truncated:
                raise refuse("No header row: the file starts with more than 1 MB of blank lines.")
            raise refuse("No header row: the file holds only blank lines.")
        header = _check_header(header)
        rows = _count_rows(reader, len(header))
    except csv.Error as exc:
        if truncated and "unexpected end of data" in str(exc):
            return header  # a quoted value goes on past the head: the worker reads it whole
        raise refuse(f"Not a readable CSV file: line {reader.line_num}: {exc}.") from exc
    if rows == 0 and not truncated:
        raise refuse("No data rows: the file has a header row but nothing under it.")
    return header


def _count_rows(reader, width: int) -> int:
    rows = 0
    for row in reader:
        if not row:
            continue
        if len(row) != width:
            raise refuse(
                f"Ragged row on line {reader.line_num}: it has {len(row)} values, "
                f"the header has {width} columns."
            )
        rows += 1
    return rows


def check_rows(path: Path) -> tuple[list[str], int]:
    """Every row of a stored CSV, for the worker: the column names and the number of data rows, or a
    refusal naming the first bad line."""
    with path.open(newline="", encoding="utf-8-sig") as text:
        reader = csv.reader(text, strict=True)
        try:
            header = next((row for row in reader if row), None)
            if header is None:
                raise refuse("No header row: the file holds only blank lines.")
            header = _check_header(header)
            rows = _count_rows(reader, len(header))
        except csv.Error as exc:
            raise refuse(f"Not a readable CSV file: line {reader.line_num}: {exc}.") from exc
    if rows == 0:
        raise refuse("No data rows: the file has a header row but nothing under it.")
    return header, rows
