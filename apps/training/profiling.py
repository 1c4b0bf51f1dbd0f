"""Infer a dataset's schema and per-column summaries, reading the CSV in chunks (constant memory).

Types: ``boolean`` (only true/false), ``integer`` (only whole numbers), ``number`` (only numbers),
otherwise ``string``. Missing values are pandas' defaults (empty, NA, null, NaN, ...)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

CHUNK_ROWS = 100_000
PREVIEW_ROWS = 10
EXAMPLES = 5
DISTINCT_CAP = 10_000
TOP_VALUES = 5
BOOLEAN_WORDS = frozenset({"true", "false"})


def read_csv(path: Path, **kwargs) -> pd.DataFrame:
    """The one way the platform reads a stored dataset (header names stripped, UTF-8, blank lines
    skipped), so the profile, the engine and the tests agree."""
    return pd.read_csv(path, encoding="utf-8-sig", skipinitialspace=False, **kwargs)


@dataclass
class ColumnProfile:
    name: str
    rows: int = 0
    missing: int = 0
    numeric: int = 0
    integral: int = 0
    booleans: int = 0
    distinct: set = field(default_factory=set)
    distinct_capped: bool = False
    examples: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    total: float = 0.0
    total_sq: float = 0.0
    low: float = np.inf
    high: float = -np.inf

    def add(self, values: pd.Series) -> None:
        self.rows += len(values)
        present = values.dropna()
        self.missing += len(values) - len(present)
        self._add_distinct(present)
        lowered = present.str.strip().str.lower()
        self.booleans += int(lowered.isin(BOOLEAN_WORDS).sum())
        numbers = pd.to_numeric(present, errors="coerce").dropna()
        self.numeric += len(numbers)
        if len(numbers):
            self.integral += int((numbers == np.floor(numbers)).sum())
            self.total += float(numbers.sum())
            self.total_sq += float((numbers**2).sum())
            self.low = min(self.low, float(numbers.min()))
            self.high = max(self.high, float(numbers.max()))

    def _add_distinct(self, present: pd.Series) -> None:
        for value in present.unique():
            if len(self.examples) < EXAMPLES and value not in self.examples:
                self.examples.append(value)
            if value in self.distinct:
                continue
            if len(self.distinct) >= DISTINCT_CAP:
                self.distinct_capped = True
                break
            self.distinct.add(value)
        if not self.distinct_capped:
            for value, count in present.value_counts().items():
                self.counts[value] = self.counts.get(value, 0) + int(count)

    @property
    def type(self) -> str:
        present = self.rows - self.missing
        if present == 0:
            return "string"
        if self.booleans == present:
            return "boolean"
        if self.numeric == present:
            return "integer" if self.integral == present else "number"
        return "string"

    def as_dict(self) -> dict:
        kind = self.type
        column = {
            "name": self.name,
            "type": kind,
            "missing_share": round(self.missing / self.rows, 6) if self.rows else 0.0,
            "missing_count": self.missing,
            "distinct_count": len(self.distinct),
            "distinct_capped": self.distinct_capped,
            "examples": [str(value) for value in self.examples],
        }
        column["summary"] = self._numeric_summary() if kind in ("integer", "number") else self._top_values()
        return column

    def _numeric_summary(self) -> dict:
        count = self.numeric
        mean = self.total / count
        variance = max(self.total_sq / count - mean**2, 0.0)
        return {
            "count": count,
            "mean": round(mean, 6),
            "std": round(variance**0.5, 6),
            "min": self.low,
            "max": self.high,
        }

    def _top_values(self) -> dict:
        top = sorted(self.counts.items(), key=lambda item: (-item[1], str(item[0])))[:TOP_VALUES]
        return {"top": [{"value": str(value), "count": count} for value, count in top]}


def profile_csv(
    path: Path, header: list[str], report: Callable[[float], None] | None = None
) -> tuple[list[dict], list[list[str]]]:
    """The schema (one dict per column, in file order) and the first rows of a validated CSV.
    ``report`` is called after each chunk with the share of the file read so far (0 to 1)."""
    profiles = [ColumnProfile(name) for name in header]
    preview: list[list[str]] = []
    size = max(path.stat().st_size, 1)
    with path.open("rb") as handle:
        chunks = read_csv(handle, header=0, names=header, dtype=str, chunksize=CHUNK_ROWS)
        for chunk in chunks:
            if not preview:
                preview = chunk.head(PREVIEW_ROWS).fillna("").to_numpy().tolist()
            for profile, name in zip(profiles, header, strict=True):
                profile.add(chunk[name])
            if report is not None:
                report(min(handle.tell() / size, 1.0))
    return [profile.as_dict() for profile in profiles], preview
