"""Predicting with a fitted ``Pipeline([ColumnTransformer, estimator])`` straight from typed column
arrays, without the pandas work scikit-learn does on every call.

``ColumnTransformer.transform`` on a DataFrame selects and validates each column group through
pandas: ~2 ms a call however few the rows, most of the prediction endpoint's budget. A
``ColumnPlan`` calls the same fitted transformers on the same column groups, built as 2-D arrays
with the dtype pandas would interleave them to, stacks their outputs as ColumnTransformer does and
hands the matrix to the same fitted estimator: the same numbers (tests compare every estimator of
the training catalogue and the demo pipelines exactly) in a fraction of the time.

Only transformers that work column by column are planned (imputers, scalers, encoders, passthrough,
and pipelines of those), without transformer weights; any other pipeline is served by scikit-learn
as it is, and so are inputs an encoder would see retyped (``NotPlannable``).
"""

import copy
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    MaxAbsScaler,
    MinMaxScaler,
    OneHotEncoder,
    OrdinalEncoder,
    RobustScaler,
    StandardScaler,
)

COLUMNWISE = (
    SimpleImputer,
    StandardScaler,
    MinMaxScaler,
    MaxAbsScaler,
    RobustScaler,
    OneHotEncoder,
    OrdinalEncoder,
    FunctionTransformer,
)


ENCODERS = (OneHotEncoder, OrdinalEncoder)


class NotPlannable(Exception):
    """These inputs are scikit-learn's to transform (see ``ColumnPlan.matrix``)."""


@dataclass(frozen=True)
class ColumnPlan:
    groups: tuple  # ((fitted transformer or "passthrough", (column, ...), starts with an encoder), ...)
    sparse_output: bool
    estimator: object

    def matrix(self, columns: dict[str, np.ndarray]):
        blocks = []
        for transformer, names, encodes in self.groups:
            arrays = [columns[name] for name in names]
            if encodes and len({array.dtype for array in arrays}) > 1:
                # Encoders take a DataFrame column by column (an integer column stays integer);
                # one interleaved array would retype mixed columns.
                raise NotPlannable
            block = interleave(arrays)
            blocks.append(block if transformer == "passthrough" else transformer.transform(block))
        if self.sparse_output:
            return sparse.hstack(blocks).tocsr()
        return np.hstack([block.toarray() if sparse.issparse(block) else block for block in blocks])

    def predict_proba(self, columns: dict[str, np.ndarray]) -> np.ndarray:
        return self.estimator.predict_proba(self.matrix(columns))

    def predict(self, columns: dict[str, np.ndarray]) -> np.ndarray:
        return self.estimator.predict(self.matrix(columns))


def interleave(arrays: list[np.ndarray]) -> np.ndarray:
    """The columns as one 2-D array, as pandas gives ``frame[names].to_numpy()``: text, or booleans
    beside anything else, become objects (numpy alone would turn booleans into numbers), and the
    array is column-major (a float dot product can differ in its last bit between layouts)."""
    kinds = {array.dtype.kind for array in arrays}
    dtype = object if "O" in kinds or ("b" in kinds and len(kinds) > 1) else np.result_type(*arrays)
    out = np.empty((len(arrays[0]), len(arrays)), dtype=dtype, order="F")
    for index, array in enumerate(arrays):
        out[:, index] = array
    return out


def plan_for(pipeline) -> ColumnPlan | None:
    """A plan for ``pipeline``, or None when it has another shape (then scikit-learn serves it)."""
    if not isinstance(pipeline, Pipeline) or len(pipeline.steps) != 2:
        return None
    preprocessor, estimator = pipeline.steps[0][1], pipeline.steps[1][1]
    if not isinstance(preprocessor, ColumnTransformer) or hasattr(estimator, "feature_names_in_"):
        return None  # an estimator fitted on named columns expects a DataFrame (set_output="pandas")
    if preprocessor.transformer_weights:
        return None
    groups = []
    for name, transformer, columns in preprocessor.transformers_:
        if not isinstance(columns, list | tuple | np.ndarray):
            return None  # one column as a scalar, a slice or a callable's answer
        if transformer == "drop" or len(columns) == 0:
            continue
        if name == "remainder" or not all(isinstance(column, str) for column in columns):
            return None  # a remainder passed through, or columns chosen by position
        if transformer != "passthrough":
            transformer = _unnamed(transformer)
            if transformer is None:
                return None
        encodes = transformer != "passthrough" and isinstance(_steps(transformer)[0], ENCODERS)
        groups.append((transformer, tuple(columns), encodes))
    return ColumnPlan(tuple(groups), bool(preprocessor.sparse_output_), estimator)


def _steps(transformer) -> list:
    return [step for _, step in transformer.steps] if isinstance(transformer, Pipeline) else [transformer]


def _unnamed(transformer):
    """A copy that takes arrays without warning about feature names, if it works column by column."""
    steps = _steps(transformer)
    if not all(isinstance(step, COLUMNWISE) for step in steps):
        return None
    if any(isinstance(step, FunctionTransformer) and step.func is not None for step in steps):
        return None  # only the identity: a function may treat a DataFrame and an array differently
    transformer = copy.deepcopy(transformer)
    for step in _steps(transformer):
        if hasattr(step, "feature_names_in_"):
            del step.feature_names_in_
    return transformer
