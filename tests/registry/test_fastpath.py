"""The column plan serves exactly what scikit-learn's own pipeline call gives: every estimator of the
training catalogue (as the training engine builds it) and the demo's pipelines, bit for bit. Shapes
it cannot plan are left to scikit-learn, and a plan that fails where scikit-learn does not is
answered by scikit-learn."""

import logging

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer, make_column_transformer
from sklearn.decomposition import PCA
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OrdinalEncoder, StandardScaler

from apps.registry import demo_data
from apps.registry.artefacts import Served
from apps.registry.fastpath import plan_for
from apps.registry.prediction import _DTYPES, _call
from apps.training import engine
from apps.training.estimators import CATALOGUE
from apps.training.profiling import profile_csv
from tests.training.helpers import diabetes_frame, frame_csv, tumour_frame

SEED = 7


def typed_columns(frame: pd.DataFrame, schema: list[dict]) -> dict[str, np.ndarray]:
    """Columns as the prediction endpoint builds them from JSON (booleans as true/false)."""
    columns = {}
    for column in schema:
        values = frame[column["name"]]
        if column["type"] == "boolean":
            values = values.astype(str).str.lower() == "true"
        columns[column["name"]] = np.asarray(values, dtype=_DTYPES[column["type"]])
    return columns


def answers(pipeline, method: str, columns: dict):
    planned = Served(pipeline, plan_for(pipeline))
    assert planned.plan is not None
    return _call(planned, method, columns), _call(Served(pipeline, None), method, columns)


ENGINE_CASES = [
    pytest.param(key, task, id=f"{key}-{task}") for key, spec in CATALOGUE.items() for task in spec.tasks
]


@pytest.mark.parametrize(("estimator", "task"), ENGINE_CASES)
def test_every_catalogue_estimator_is_served_exactly_as_scikit_learn(estimator, task, tmp_path):
    frame, target = (
        (tumour_frame(), "diagnosis") if task == "classification" else (diabetes_frame(), "target")
    )
    path = tmp_path / "data.csv"
    path.write_text(frame_csv(frame))
    schema, _ = profile_csv(path, list(frame.columns))
    features = [name for name in frame.columns if name != target]
    X, y = engine.load_frame(path, schema, features, target, task)
    spec = engine.TrainingSpec(target, features, task, estimator, {}, cv_folds=0, seed=SEED)
    pipeline = engine.train(spec, schema, X, y, lambda *args: None).pipeline

    rows = frame.dropna().head(200)  # the endpoint refuses nulls
    columns = typed_columns(rows, [column for column in schema if column["name"] in features])
    method = "predict_proba" if task == "classification" else "predict"
    planned, direct = answers(pipeline, method, columns)
    assert np.array_equal(planned, direct)


@pytest.mark.parametrize(
    ("build", "task"),
    [
        (demo_data.fraud, "classification"),
        (demo_data.churn, "classification"),
        (demo_data.demand, "regression"),
        (demo_data.delivery, "regression"),
    ],
)
def test_demo_pipelines_are_served_exactly_as_scikit_learn(build, task):
    frame, target = build(np.random.default_rng(SEED))
    for level in range(len(demo_data.ESTIMATORS[task])):
        fitted = demo_data.fit_version(frame, target, task=task, level=level, baseline={})
        columns = typed_columns(frame.head(300), demo_data.input_schema(frame))
        method = "predict_proba" if task == "classification" else "predict"
        planned, direct = answers(fitted.pipeline, method, columns)
        assert np.array_equal(planned, direct), (build.__name__, level)


def small_frame():
    return pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [0.5, 0.1, 0.2, 0.9]}), [0, 1, 0, 1]


@pytest.mark.parametrize(
    "pipeline",
    [
        pytest.param(make_pipeline(StandardScaler(), LogisticRegression()), id="no column transformer"),
        pytest.param(
            make_pipeline(make_column_transformer((PCA(1), ["a", "b"])), LogisticRegression()),
            id="a transformer that mixes columns",
        ),
        pytest.param(
            make_pipeline(
                make_column_transformer((StandardScaler(), ["a"]), remainder="passthrough"),
                LogisticRegression(),
            ),
            id="remainder passed through",
        ),
        pytest.param(
            make_pipeline(
                make_column_transformer((FunctionTransformer(np.log1p), ["a", "b"])), LogisticRegression()
            ),
            id="a function",
        ),
        pytest.param(
            make_pipeline(
                ColumnTransformer(
                    [("scale", StandardScaler(), ["a"]), ("keep", "passthrough", ["b"])],
                    transformer_weights={"scale": 10},
                ),
                LogisticRegression(),
            ),
            id="transformer weights",
        ),
        pytest.param(
            make_pipeline(make_column_transformer((StandardScaler(), slice(0, 2))), LogisticRegression()),
            id="columns as a slice",
        ),
        pytest.param(
            make_pipeline(
                make_column_transformer((StandardScaler(), ["a", "b"])), LogisticRegression()
            ).set_output(transform="pandas"),
            id="pandas output",
        ),
    ],
)
def test_other_shapes_are_left_to_scikit_learn(pipeline):
    X, y = small_frame()
    assert plan_for(pipeline.fit(X, y)) is None


def test_a_failing_plan_is_answered_by_scikit_learn_and_logged(caplog):
    X, y = small_frame()
    pipeline = Pipeline(
        [("pre", make_column_transformer((StandardScaler(), ["a", "b"]))), ("model", LogisticRegression())]
    ).fit(X, y)
    columns = {"a": np.array([2.5]), "b": np.array([0.3])}
    served = Served(pipeline, plan_for(pipeline))
    served.plan.groups[0][0].mean_ = None  # break the plan's copy only
    with caplog.at_level(logging.WARNING):
        answer = _call(served, "predict_proba", columns)
    assert np.array_equal(answer, pipeline.predict_proba(pd.DataFrame(columns)))
    assert "column plan failed" in caplog.text
    assert served.plan is None  # dropped: the next calls go straight to scikit-learn, logging nothing
    caplog.clear()
    assert np.array_equal(_call(served, "predict_proba", columns), answer) and not caplog.text


def test_an_encoder_over_mixed_column_types_is_left_to_scikit_learn(caplog):
    """An encoder reads a DataFrame column by column (a large integer stays an integer); an array of
    the whole group would be floats and could merge two ids. Such inputs go to scikit-learn."""
    X = pd.DataFrame({"id": [2**53, 2**53 + 1, 3, 4], "x": [0.5, 0.5, 1.5, 2.5]})
    pipeline = make_pipeline(
        make_column_transformer(
            (OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), ["id", "x"])
        ),
        LinearRegression(),
    ).fit(X, [1.0, 2.0, 3.0, 4.0])
    served = Served(pipeline, plan_for(pipeline))
    columns = {"id": X["id"].to_numpy(), "x": X["x"].to_numpy()}
    with caplog.at_level(logging.WARNING):
        assert np.array_equal(_call(served, "predict", columns), pipeline.predict(X))
    assert served.plan is not None and not caplog.text  # kept for inputs it can take
