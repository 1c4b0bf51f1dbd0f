"""The engine's numbers equal the same pipeline and splits computed directly with scikit-learn."""

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    log_loss,
    mean_absolute_error,
    r2_score,
    roc_auc_score,
    root_mean_squared_error,
)
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier

from apps.training import engine
from apps.training.profiling import profile_csv
from tests.training.helpers import diabetes_frame, frame_csv, tumour_frame

SEED = 7


def prepared(tmp_path, frame, target, task):
    path = tmp_path / "data.csv"
    path.write_text(frame_csv(frame))
    schema, _ = profile_csv(path, list(frame.columns))
    features = [name for name in frame.columns if name != target]
    X, y = engine.load_frame(path, schema, features, target, task)
    return schema, features, X, y


def direct_preprocessor(numeric, categorical):
    """Written out by hand, independently of the engine's builder."""
    return ColumnTransformer(
        [
            (
                "numeric",
                Pipeline([("i", SimpleImputer(strategy="median")), ("s", StandardScaler())]),
                numeric,
            ),
            (
                "categorical",
                Pipeline(
                    [
                        ("i", SimpleImputer(strategy="constant", fill_value="(missing)")),
                        (
                            "o",
                            OneHotEncoder(
                                handle_unknown="infrequent_if_exist", max_categories=50, sparse_output=False
                            ),
                        ),
                    ]
                ),
                categorical,
            ),
        ]
    )


def classification_scores(model, X, y):
    classes = model.classes_
    proba = model.predict_proba(X)
    prediction = model.predict(X)
    return {
        "accuracy": accuracy_score(y, prediction),
        "balanced_accuracy": balanced_accuracy_score(y, prediction),
        "f1": f1_score(y, prediction, pos_label=classes[1]),
        "roc_auc": roc_auc_score(y == classes[1], proba[:, 1]),
        "log_loss": log_loss(y, proba, labels=classes),
    }


def tumour_spec(features, estimator: str, parameters: dict, cv_folds: int) -> engine.TrainingSpec:
    return engine.TrainingSpec(
        target="diagnosis",
        features=features,
        task="classification",
        estimator=estimator,
        parameters=parameters,
        cv_folds=cv_folds,
        holdout_share=0.25,
        seed=SEED,
    )


def test_classification_metrics_match_direct_scikit_learn(tmp_path):
    frame = tumour_frame()
    schema, features, X, y = prepared(tmp_path, frame, "diagnosis", "classification")
    spec = tumour_spec(features, "random_forest", {"n_estimators": 30, "max_depth": 4}, cv_folds=4)
    progress = []
    result = engine.train(spec, schema, X, y, lambda p, stage, line: progress.append(p))

    categorical = ["clinic"]
    numeric = [name for name in features if name not in categorical]
    X_train, X_hold, y_train, y_hold = train_test_split(X, y, test_size=0.25, random_state=SEED, stratify=y)
    candidates = {
        "model": RandomForestClassifier(
            n_estimators=30, max_depth=4, random_state=SEED, n_jobs=1, max_features="sqrt"
        ),
        "dummy": DummyClassifier(strategy="prior"),
        "one_rule": DecisionTreeClassifier(max_depth=1, random_state=SEED),
    }
    direct = {}
    for name, estimator in candidates.items():
        pipeline = Pipeline([("pre", direct_preprocessor(numeric, categorical)), ("m", estimator)])
        folds = StratifiedKFold(n_splits=4, shuffle=True, random_state=SEED).split(X_train, y_train)
        fold_scores = [
            classification_scores(
                pipeline.fit(X_train.iloc[a], y_train.iloc[a]), X_train.iloc[b], y_train.iloc[b]
            )
            for a, b in folds
        ]
        direct[name] = classification_scores(pipeline.fit(X_train, y_train), X_hold, y_hold)
        direct[name] |= {f"cv_{m}": np.mean([s[m] for s in fold_scores]) for m in fold_scores[0]}

    for name, got in [("model", result.metrics), *result.baseline_metrics.items()]:
        for metric, value in direct[name].items():
            assert got[metric] == pytest.approx(value, abs=1e-6), (name, metric)
    assert (
        result.pipeline.predict(X_hold).tolist()
        == Pipeline([("pre", direct_preprocessor(numeric, categorical)), ("m", candidates["model"])])
        .fit(X_train, y_train)
        .predict(X_hold)
        .tolist()
    )
    assert progress == sorted(progress) and progress[-1] == 90
    best = max(("dummy", "one_rule"), key=lambda n: direct[n]["roc_auc"])
    assert result.lift["best_baseline"] == best
    assert result.lift["absolute"] == pytest.approx(
        direct["model"]["roc_auc"] - direct[best]["roc_auc"], abs=1e-5
    )
    assert result.lift["one_rule_feature"] in features


def test_one_rule_is_fitted_on_a_seeded_sample_of_a_large_training_split(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "ONE_RULE_MAX_ROWS", 100)
    frame = tumour_frame()
    schema, features, X, y = prepared(tmp_path, frame, "diagnosis", "classification")
    result = engine.train(
        tumour_spec(features, "logistic_regression", {}, cv_folds=0), schema, X, y, lambda *a: None
    )

    X_train, X_hold, y_train, y_hold = train_test_split(X, y, test_size=0.25, random_state=SEED, stratify=y)
    rows = engine.one_rule_rows(y_train, SEED, "classification")
    assert len(rows) == 100 and list(rows) == sorted(set(rows))
    assert list(rows) == list(engine.one_rule_rows(y_train, SEED, "classification"))  # the same every run
    assert engine.one_rule_rows(y_train.head(100), SEED, "classification") == slice(None)  # small: all rows
    pre = direct_preprocessor([name for name in features if name != "clinic"], ["clinic"]).fit(X_train)
    stump = DecisionTreeClassifier(max_depth=1, random_state=SEED).fit(
        pre.transform(X_train)[rows], y_train.to_numpy()[rows]
    )
    direct = classification_scores(Pipeline([("pre", pre), ("m", stump)]), X_hold, y_hold)
    for metric, value in direct.items():
        assert result.baseline_metrics["one_rule"][metric] == pytest.approx(value, abs=1e-6), metric


def test_a_rare_class_the_sample_would_miss_still_reaches_the_one_rule_baseline(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "ONE_RULE_MAX_ROWS", 20)
    frame = tumour_frame()
    frame.loc[frame.index[-3:], "diagnosis"] = "atypical"  # 3 of 569 rows: a 20-row sample misses it
    schema, features, X, y = prepared(tmp_path, frame, "diagnosis", "classification")
    spec = tumour_spec(features, "logistic_regression", {}, cv_folds=0)
    result = engine.train(spec, schema, X, y, lambda *args: None)
    assert result.baseline_metrics["one_rule"]["log_loss"] is not None
    y_train = engine.holdout_split(X, y, spec)[2]
    rows = engine.one_rule_rows(y_train, SEED, "classification")
    assert set(y_train.to_numpy()[rows]) == set(y_train)


def test_regression_metrics_match_direct_scikit_learn(tmp_path):
    frame = diabetes_frame()
    schema, features, X, y = prepared(tmp_path, frame, "target", "regression")
    spec = engine.TrainingSpec(
        target="target",
        features=features,
        task="regression",
        estimator="ridge",
        parameters={"alpha": 3.0},
        cv_folds=5,
        holdout_share=0.2,
        seed=SEED,
    )
    result = engine.train(spec, schema, X, y, lambda *args: None)
    X_train, X_hold, y_train, y_hold = train_test_split(X, y, test_size=0.2, random_state=SEED)
    numeric = [name for name in features if name != "sex"] + ["sex"]  # sex is 1/2: integer, numeric
    pipeline = Pipeline([("pre", direct_preprocessor(numeric, [])), ("m", Ridge(alpha=3.0))]).fit(
        X_train, y_train
    )
    prediction = pipeline.predict(X_hold)
    assert result.metrics["mae"] == pytest.approx(mean_absolute_error(y_hold, prediction), abs=1e-6)
    assert result.metrics["rmse"] == pytest.approx(root_mean_squared_error(y_hold, prediction), abs=1e-6)
    assert result.metrics["r2"] == pytest.approx(r2_score(y_hold, prediction), abs=1e-6)
    folds = KFold(n_splits=5, shuffle=True, random_state=SEED).split(X_train)
    cv_r2 = [
        r2_score(
            y_train.iloc[b],
            Pipeline([("pre", direct_preprocessor(numeric, [])), ("m", DummyRegressor())])
            .fit(X_train.iloc[a], y_train.iloc[a])
            .predict(X_train.iloc[b]),
        )
        for a, b in folds
    ]
    assert result.baseline_metrics["dummy"]["cv_r2"] == pytest.approx(np.mean(cv_r2), abs=1e-6)
    assert result.lift["metric"] == "r2" and result.lift["absolute"] > 0


def test_randomised_search_picks_parameters_within_the_catalogue(tmp_path):
    schema, features, X, y = prepared(tmp_path, tumour_frame(300), "diagnosis", "classification")
    spec = engine.TrainingSpec(
        target="diagnosis",
        features=features,
        task="classification",
        estimator="knn",
        parameters={},
        cv_folds=3,
        seed=SEED,
        search_budget=4,
    )
    result = engine.train(spec, schema, X, y, lambda *args: None)
    assert set(result.best_parameters) == {"n_neighbors", "weights"}
    assert 1 <= result.best_parameters["n_neighbors"] <= 200
    assert result.pipeline.named_steps["model"].n_neighbors == result.best_parameters["n_neighbors"]


def test_a_single_class_target_is_refused_in_plain_words(tmp_path):
    frame = tumour_frame(100)
    frame["diagnosis"] = "benign"
    schema, features, X, y = prepared(tmp_path, frame, "diagnosis", "classification")
    spec = engine.TrainingSpec(
        target="diagnosis", features=features, task="classification", estimator="knn", parameters={}
    )
    with pytest.raises(engine.TrainingError, match="single class"):
        engine.train(spec, schema, X, y, lambda *args: None)


@pytest.mark.parametrize("labels", [["no", "yes", "maybe"], [3, 1, 2]], ids=["text", "integers"])
def test_baselines_fitted_on_class_codes_equal_baselines_fitted_on_the_labels(labels, monkeypatch):
    monkeypatch.setattr(engine, "ONE_RULE_MAX_ROWS", 50)  # a sample, with a rare class it may miss
    rng = np.random.default_rng(SEED)
    X = pd.DataFrame({"a": rng.normal(size=400), "b": rng.normal(size=400)})
    y = pd.Series(pd.Series(labels).to_numpy()[(X["a"] > 0).astype(int).to_numpy()])  # object or int64
    y.iloc[-2:] = labels[2]
    schema = [{"name": "a", "type": "number"}, {"name": "b", "type": "number"}]
    fitted_pre, fitted = engine._fit_all(
        engine.build_preprocessor(schema, ["a", "b"]),
        engine.baseline_estimators("classification", SEED),
        X,
        y,
        SEED,
        "classification",
    )
    matrix = fitted_pre.transform(X)
    rows = engine.one_rule_rows(y, SEED, "classification")
    direct = {
        "dummy": DummyClassifier(strategy="prior").fit(matrix, y.to_numpy()),
        "one_rule": DecisionTreeClassifier(max_depth=1, random_state=SEED).fit(
            matrix[rows], y.to_numpy()[rows]
        ),
    }
    for name, estimator in direct.items():
        assert fitted[name].classes_.tolist() == estimator.classes_.tolist() == sorted(labels), name
        assert np.array_equal(fitted[name].predict_proba(matrix), estimator.predict_proba(matrix)), name
        assert fitted[name].predict(matrix).tolist() == estimator.predict(matrix).tolist(), name
