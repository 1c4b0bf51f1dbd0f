"""CSV files into the JSON rows the API takes: typed by a version's input schema for predictions,
numbers where the observation rows hold numbers."""

import csv
from collections.abc import Iterator
from pathlib import Path

TRUE, FALSE = {"true", "1", "yes"}, {"false", "0", "no"}
OBSERVATION_NUMBERS = {"kpi": int, "value": float, "volume": float, "version": int}


class BadRow(ValueError):
    pass


def read(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as file:
        yield from csv.DictReader(file)


def _typed(text: str, kind: str, *, column: str, line: int):
    if text == "" and kind != "string":
        raise BadRow(f"line {line}, column {column!r} is empty: the prediction API takes no missing values")
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            return float(text)
        if kind == "boolean":
            if text.lower() in TRUE | FALSE:
                return text.lower() in TRUE
            raise ValueError
    except ValueError:
        raise BadRow(f"line {line}, column {column!r}: {text!r} is not {kind}") from None
    return text


def prediction_records(path: Path, input_schema: list[dict]) -> list[dict]:
    kinds = {column["name"]: column.get("type", "string") for column in input_schema}
    records = []
    for line, row in enumerate(read(path), start=2):
        records.append(
            {
                name: _typed(text, kinds.get(name, "string"), column=name, line=line)
                for name, text in row.items()
            }
        )
    return records


def observation_rows(path: Path) -> list[dict]:
    rows = []
    for line, row in enumerate(read(path), start=2):
        typed: dict = {}
        for name, text in row.items():
            if text == "":
                continue
            convert = OBSERVATION_NUMBERS.get(name)
            try:
                typed[name] = convert(text) if convert else text
            except ValueError:
                raise BadRow(f"line {line}, column {name!r}: {text!r} is not a number") from None
        rows.append(typed)
    return rows
