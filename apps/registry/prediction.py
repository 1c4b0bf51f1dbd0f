"""Predictions from a registered version: parse the request formats (the portal's own ``records`` and
MLflow's ``dataframe_split`` / ``dataframe_records`` / ``instances``), validate columns and types
against the version's input schema, and call the cached pipeline once for the whole batch."""

import functools
import logging
import time
from operator import itemgetter

import numpy as np
import pandas as pd
import sklearn
from django.core.exceptions import ValidationError

from apps.registry import hooks
from apps.registry.artefacts import Served, load_served
from apps.registry.fastpath import NotPlannable
from apps.registry.models import ModelVersion, Task

logger = logging.getLogger(__name__)

INPUT_FORMATS = ("records", "dataframe_split", "dataframe_records", "instances")
MAX_ROWS = 10_000

# Python types accepted per schema type (bool is an int subclass, so it is named explicitly).
_ACCEPTED = {
    "number": (int, float),
    "integer": (int,),
    "string": (str,),
    "boolean": (bool,),
}
# The array type each schema type becomes (typed arrays build the DataFrame without inference).
_DTYPES = {"number": np.float64, "integer": np.int64, "string": object, "boolean": np.bool_}
_DESCRIBED = {"number": "a number", "integer": "an integer", "string": "a string", "boolean": "true or false"}


def _error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _columns_from_rows(rows: list, names: list[str], field: str) -> dict[str, list]:
    """Column lists from a list of JSON objects (or of arrays in schema order, for ``instances``)."""
    if not isinstance(rows, list) or not rows:
        raise _error(field, "Send a non-empty list of rows.")
    first = rows[0]
    if isinstance(first, list) and field == "instances":
        return _columns_from_matrix(rows, names, names, field)
    if set(map(type, rows)) != {dict}:
        raise _error(field, "Every row must be a JSON object mapping column names to values.")
    if sum(map(len, rows)) != len(rows) * len(names) or set(first) != set(names):
        _check_names(set().union(*(row.keys() for row in rows)), names, field)
    try:
        return _transpose(rows, names)
    except KeyError as exc:
        missing = exc.args[0]
        row = next(i for i, r in enumerate(rows) if missing not in r)
        raise _error(missing, f"Missing column {missing!r} in row {row}.") from exc


def _transpose(rows: list[dict], names: list[str]) -> dict[str, list]:
    """Rows (objects) to columns; ``itemgetter`` and ``zip`` do it in C, faster than a loop per column."""
    if len(names) == 1:
        return {names[0]: [row[names[0]] for row in rows]}
    return dict(zip(names, map(list, zip(*map(itemgetter(*names), rows), strict=True)), strict=True))


def _columns_from_matrix(data: list, columns: list, names: list[str], field: str) -> dict[str, list]:
    if not isinstance(data, list) or not data:
        raise _error(field, "Send a non-empty list of rows.")
    width = len(columns)
    if not all(isinstance(row, list) and len(row) == width for row in data):
        raise _error(field, f"Every row must be a list of {width} values, one per column.")
    _check_names(set(columns), names, field)
    if len(set(columns)) != width:
        raise _error(field, "Column names must be unique.")
    transposed = list(zip(*data, strict=True))
    return {name: list(transposed[columns.index(name)]) for name in names}


def _check_names(given: set, names: list[str], field: str) -> None:
    missing = [name for name in names if name not in given]
    if missing:
        raise ValidationError({name: [f"Missing column {name!r}."] for name in missing})
    unknown = sorted(str(name) for name in given - set(names))
    if unknown:
        raise _error(field, f"Unknown columns: {', '.join(unknown)}. Expected: {', '.join(names)}.")


def parse_columns(payload, version: ModelVersion) -> dict[str, list]:
    """The request body as ``{column: values}`` in schema order, whatever format the client used."""
    names = [column["name"] for column in version.input_schema]
    if not isinstance(payload, dict):
        raise _error("non_field_errors", f"Send a JSON object with one of: {', '.join(INPUT_FORMATS)}.")
    given = [key for key in INPUT_FORMATS if key in payload]
    extra = sorted(set(payload) - set(INPUT_FORMATS) - {"params"})
    if len(given) != 1 or extra:
        raise _error(
            "non_field_errors",
            f"Send exactly one of {', '.join(INPUT_FORMATS)}"
            + (f"; unknown keys: {', '.join(extra)}." if extra else "."),
        )
    field = given[0]
    body = payload[field]
    if field == "dataframe_split":
        if not isinstance(body, dict) or not isinstance(body.get("columns"), list):
            raise _error(field, 'Send {"columns": [...], "data": [[...], ...]}.')
        columns = _columns_from_matrix(body.get("data"), body["columns"], names, field)
    else:
        columns = _columns_from_rows(body, names, field)
    rows = len(next(iter(columns.values())))
    if rows > MAX_ROWS:
        raise _error(field, f"At most {MAX_ROWS} rows per request; got {rows}.")
    return columns


def input_rows(payload, version: ModelVersion, indices: list[int]) -> dict[int, dict]:
    """Rows ``indices`` of a request body that parsed, as ``{index: {column: value}}`` in schema
    order; only those rows are parsed again (the monitoring sample keeps a few rows of big batches)."""
    payload = payload if isinstance(payload, dict) else {"records": payload}
    field = next(key for key in INPUT_FORMATS if key in payload)
    body = payload[field]
    if field == "dataframe_split":
        subset = {"columns": body["columns"], "data": [body["data"][index] for index in indices]}
    else:
        subset = [body[index] for index in indices]
    columns = parse_columns({field: subset}, version)
    return {
        index: {name: values[position] for name, values in columns.items()}
        for position, index in enumerate(indices)
    }


def validate_types(columns: dict[str, list], version: ModelVersion) -> None:
    for column in version.input_schema:
        name, kind = column["name"], column["type"]
        accepted = _ACCEPTED[kind]
        values = columns[name]
        value_types = set(map(type, values))
        if value_types.issubset(accepted) and (kind == "boolean" or bool not in value_types):
            continue
        row = next(
            i
            for i, value in enumerate(values)
            if not isinstance(value, accepted) or (kind != "boolean" and isinstance(value, bool))
        )
        raise _error(name, f"Row {row}: {values[row]!r} is not {_DESCRIBED[kind]} (column {name!r}).")


def announced(predict):
    """Decorator for ``predict(*, version, records)``: times every call and announces it through
    ``hooks.prediction_served`` (a call that raises counts as an error); the listeners get the input
    rows lazily, parsed again only for the indices they ask for."""

    @functools.wraps(predict)
    def wrapper(*, version, records, **kwargs):
        started = time.perf_counter()
        try:
            result = predict(version=version, records=records, **kwargs)
        except Exception:
            hooks.prediction_served(
                version=version, row_count=0, error=True, latency_ms=(time.perf_counter() - started) * 1000
            )
            raise
        hooks.prediction_served(
            version=version,
            row_count=len(result.get("predictions", ())),
            latency_ms=(time.perf_counter() - started) * 1000,
            inputs=lambda indices: input_rows(records, version, indices),
        )
        return result

    return wrapper


@announced  # volume, latency, errors and an input sample for whoever listens (the outcomes monitoring)
def predict(*, version: ModelVersion, records: list[dict] | dict) -> dict:
    """Predictions for ``records`` (a list of row objects, or a whole request body in any format)."""
    payload = records if isinstance(records, dict) else {"records": records}
    columns = parse_columns(payload, version)
    validate_types(columns, version)
    types = {column["name"]: _DTYPES[column["type"]] for column in version.input_schema}
    arrays = {name: np.array(values, dtype=types[name]) for name, values in columns.items()}
    served = load_served(version)
    result = {"model": version.model.slug, "version": version.number}
    # Inputs are validated above (JSON has no NaN/inf and nulls are refused): skip sklearn's re-check.
    with sklearn.config_context(assume_finite=True):
        if version.task == Task.CLASSIFICATION and hasattr(served.pipeline, "predict_proba"):
            probabilities = _call(served, "predict_proba", arrays)
            classes = served.pipeline.classes_
            result["predictions"] = classes[np.argmax(probabilities, axis=1)].tolist()
            result["classes"] = classes.tolist()
            # a C-ordered array is written by orjson directly, several times faster than via lists
            result["probabilities"] = np.ascontiguousarray(probabilities)
        else:
            result["predictions"] = np.asarray(_call(served, "predict", arrays)).tolist()
    return result


def _call(served: Served, method: str, arrays: dict[str, np.ndarray]):
    """``method`` of the version's pipeline on the columns: through its column plan when it has one
    (the same numbers without pandas; see fastpath), else on a DataFrame as scikit-learn expects."""
    plan = served.plan
    if plan is not None:
        try:
            return getattr(plan, method)(arrays)
        except NotPlannable:
            pass
        except Exception:  # noqa: BLE001 - scikit-learn itself decides: the same error, or an answer
            answer = getattr(served.pipeline, method)(pd.DataFrame(arrays, copy=False))
            served.plan = None  # it diverged once: scikit-learn serves this version from now on
            logger.warning("The column plan failed where scikit-learn did not; dropped it", exc_info=True)
            return answer
    return getattr(served.pipeline, method)(pd.DataFrame(arrays, copy=False))
