"""The training engine, free of Django: load the columns, build the preprocessing pipeline from the
schema, and evaluate the model and its baselines on the SAME splits (k-fold cross-validation on the
training part, then the holdout). ``report(progress, stage, line)`` is called between steps; it may
raise to stop the run (cancellation)."""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.impute import SimpleImputer
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
from sklearn.model_selection import KFold, RandomizedSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from apps.core.display import label
from apps.training.estimators import CLASSIFICATION, build_estimator, search_space
from apps.training.profiling import read_csv

NUMERIC_TYPES = ("integer", "number")
CLASSIFICATION_METRICS = ("accuracy", "balanced_accuracy", "f1", "roc_auc", "log_loss")
REGRESSION_METRICS = ("mae", "rmse", "r2")
LOWER_IS_BETTER = frozenset({"log_loss", "mae", "rmse"})
PRIMARY_METRIC = {CLASSIFICATION: "roc_auc", "regression": "r2"}
BASELINES = ("dummy", "one_rule")
MAX_CATEGORIES = 50
ONE_RULE_MAX_ROWS = 10_000
CLASSIFICATION_MAX_DISTINCT_INTEGERS = 20

Report = Callable[[int, str, str | None], None]


class TrainingError(Exception):
    """A problem with the data or settings, explained in plain words."""


@dataclass(frozen=True)
class TrainingSpec:
    target: str
    features: list[str]
    task: str
    estimator: str
    parameters: dict
    cv_folds: int = 5
    holdout_share: float = 0.2
    seed: int = 42
    search_budget: int = 0


@dataclass
class TrainingResult:
    pipeline: Pipeline | None  # None for a version trained elsewhere (its artefact is stored already)
    metrics: dict
    baseline_metrics: dict  # {"dummy": {...}, "one_rule": {...}}
    lift: dict
    parameters: dict  # the parameters the final model used
    best_parameters: dict = field(default_factory=dict)
    one_rule_feature: str = ""
    split: dict = field(default_factory=dict)  # how to reproduce the metrics (see split_record)


# --- data ----------------------------------------------------------------------------------------


def infer_task(column: dict) -> str:
    """Classification for text, booleans and integers with few distinct values; otherwise regression."""
    if column["type"] in ("string", "boolean"):
        return CLASSIFICATION
    if column["type"] == "integer" and column["distinct_count"] <= CLASSIFICATION_MAX_DISTINCT_INTEGERS:
        return CLASSIFICATION
    return "regression"


def load_frame(path: Path, schema: list[dict], features: list[str], target: str, task: str):
    """``X`` (features, typed from the schema) and ``y``; rows without a target are dropped."""
    by_name = {column["name"]: column for column in schema}
    header = [column["name"] for column in schema]
    wanted = [*features, target]
    dtypes = {name: ("float64" if by_name[name]["type"] in NUMERIC_TYPES else str) for name in wanted}
    if task == CLASSIFICATION:
        dtypes[target] = str if by_name[target]["type"] not in NUMERIC_TYPES else "float64"
    frame = read_csv(path, header=0, names=header, usecols=wanted, dtype=dtypes)
    for name in features:
        if by_name[name]["type"] == "boolean":
            frame[name] = frame[name].str.strip().str.lower().map({"true": 1.0, "false": 0.0})
    if frame[target].isna().any():  # a copy of every column, only when some row lacks its target
        frame = frame.dropna(subset=[target])
    y = frame.pop(target)
    if task == CLASSIFICATION and by_name[target]["type"] == "integer":
        y = y.astype("int64")
    return frame[features], y.reset_index(drop=True)


def check_data(X: pd.DataFrame, y: pd.Series, spec: TrainingSpec) -> None:
    if len(y) < 10:
        raise TrainingError(f"Only {len(y)} rows have a value for {spec.target!r}; at least 10 are needed.")
    if spec.task == CLASSIFICATION:
        counts = y.value_counts()
        if len(counts) < 2:
            raise TrainingError(
                f"The target {spec.target!r} has a single class ({counts.index[0]!r}); "
                "classification needs at least two."
            )
        if len(counts) > 200:
            raise TrainingError(
                f"The target {spec.target!r} has {len(counts)} distinct values: too many classes. "
                "Choose regression if it is a quantity."
            )
    elif not pd.api.types.is_numeric_dtype(y):
        raise TrainingError(
            f"The target {spec.target!r} is not numeric, so it cannot be a regression target."
        )
    needed = max(spec.cv_folds, 2)
    if len(y) * (1 - spec.holdout_share) < needed * 2:
        raise TrainingError(f"Too few rows ({len(y)}) for {spec.cv_folds}-fold cross-validation.")


# --- pipelines -----------------------------------------------------------------------------------


def build_preprocessor(schema: list[dict], features: list[str]) -> ColumnTransformer:
    """Impute and scale numeric (and boolean, as 0/1) columns; impute and one-hot encode text."""
    by_name = {column["name"]: column for column in schema}
    numeric = [name for name in features if by_name[name]["type"] in (*NUMERIC_TYPES, "boolean")]
    categorical = [name for name in features if name not in numeric]
    return ColumnTransformer(
        [
            (
                "numeric",
                Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]),
                numeric,
            ),
            (
                "categorical",
                Pipeline(
                    [
                        ("impute", SimpleImputer(strategy="constant", fill_value="(missing)")),
                        (
                            "onehot",
                            OneHotEncoder(
                                handle_unknown="infrequent_if_exist",
                                max_categories=MAX_CATEGORIES,
                                sparse_output=False,
                            ),
                        ),
                    ]
                ),
                categorical,
            ),
        ],
    )


def baseline_estimators(task: str, seed: int) -> dict:
    """The simplest alternatives: a dummy predictor and a one-rule heuristic (a depth-1 tree, which
    splits on the single best feature)."""
    if task == CLASSIFICATION:
        return {
            "dummy": DummyClassifier(strategy="prior"),
            "one_rule": DecisionTreeClassifier(max_depth=1, random_state=seed),
        }
    return {
        "dummy": DummyRegressor(strategy="mean"),
        "one_rule": DecisionTreeRegressor(max_depth=1, random_state=seed),
    }


# --- metrics -------------------------------------------------------------------------------------


def _finite(value) -> float | None:
    value = float(value)
    return round(value, 6) if math.isfinite(value) else None


def score(estimator, X, y, task: str) -> dict:
    """The task's metrics of a fitted estimator (or pipeline) on ``X``/``y``."""
    if task != CLASSIFICATION:
        prediction = estimator.predict(X)
        return {
            "mae": _finite(mean_absolute_error(y, prediction)),
            "rmse": _finite(root_mean_squared_error(y, prediction)),
            "r2": _finite(r2_score(y, prediction)),
        }
    classes = estimator.classes_
    probabilities = estimator.predict_proba(X)
    # The most probable class is what predict() returns for the estimators in the catalogue (up to
    # exact ties); taking it from the probabilities saves a second pass of the model over the rows.
    prediction = classes[np.argmax(probabilities, axis=1)]
    y, prediction, labels = _as_codes(np.asarray(y), prediction, classes)
    binary = len(classes) == 2
    metrics = {
        "accuracy": _finite(accuracy_score(y, prediction)),
        "balanced_accuracy": _finite(balanced_accuracy_score(y, prediction)),
        "f1": _finite(
            f1_score(y, prediction, pos_label=labels[1])
            if binary
            else f1_score(y, prediction, average="macro")
        ),
        "log_loss": _finite(log_loss(y, probabilities, labels=labels)),
    }
    try:
        metrics["roc_auc"] = _finite(
            roc_auc_score(y == labels[1], probabilities[:, 1])
            if binary
            else roc_auc_score(y, probabilities, multi_class="ovr", labels=labels)
        )
    except ValueError:  # a split without every class
        metrics["roc_auc"] = None
    return metrics


def _as_codes(y: np.ndarray, prediction: np.ndarray, classes: np.ndarray):
    """Labels as their index in ``classes`` (sorted, as scikit-learn keeps them): the same metrics,
    computed several times faster than on text labels. Unchanged if ``y`` holds an unseen class."""
    if not np.isin(y, classes).all():
        return y, prediction, classes
    return np.searchsorted(classes, y), np.searchsorted(classes, prediction), np.arange(len(classes))


def improvement(metric: str, value, baseline) -> float | None:
    if value is None or baseline is None:
        return None
    return baseline - value if metric in LOWER_IS_BETTER else value - baseline


def best_baseline(metric: str, baselines: dict) -> str:
    """The baseline that does best on ``metric`` (the one the model must beat)."""
    scored = [
        (name, values.get(metric)) for name, values in baselines.items() if values.get(metric) is not None
    ]
    if not scored:
        return next(iter(baselines))
    pick = min if metric in LOWER_IS_BETTER else max
    return pick(scored, key=lambda item: item[1])[0]


def compute_lift(metrics: dict, baselines: dict, *, primary: str) -> dict:
    per_metric = {}
    for metric, value in metrics.items():
        if metric.startswith("cv_"):
            continue
        best = best_baseline(metric, baselines)
        per_metric[metric] = _finite_or_none(improvement(metric, value, baselines[best].get(metric)))
    best = best_baseline(primary, baselines)
    baseline_value = baselines[best].get(primary)
    absolute = improvement(primary, metrics.get(primary), baseline_value)
    return {
        "metric": primary,
        "model": metrics.get(primary),
        "best_baseline": best,
        "baseline": baseline_value,
        "absolute": _finite_or_none(absolute),
        "relative": _finite_or_none(absolute / abs(baseline_value))
        if absolute is not None and baseline_value
        else None,
        "per_metric": per_metric,
    }


def _finite_or_none(value) -> float | None:
    return None if value is None else _finite(value)


# --- splits and the run ----------------------------------------------------------------------------


def _stratified(y, task: str, per_class: int) -> bool:
    return task == CLASSIFICATION and y.value_counts().min() >= per_class


def holdout_split(X, y, spec: TrainingSpec):
    stratify = y if _stratified(y, spec.task, 2) else None
    return train_test_split(X, y, test_size=spec.holdout_share, random_state=spec.seed, stratify=stratify)


def fold_splitter(y_train, spec: TrainingSpec, folds: int):
    if _stratified(y_train, spec.task, folds):
        return StratifiedKFold(n_splits=folds, shuffle=True, random_state=spec.seed)
    return KFold(n_splits=folds, shuffle=True, random_state=spec.seed)


def split_record(spec: TrainingSpec, y, y_train) -> dict:
    """The split as lineage: with these values, scikit-learn's ``train_test_split`` (``test_size`` =
    holdout_share, ``random_state`` = seed, ``stratify`` = the target when stratified) on the rows that
    have a target, and ``(Stratified)KFold(cv_folds, shuffle=True, random_state=seed)`` on the training
    part, give the same rows the portal used."""
    return {
        "target": spec.target,
        "rows": int(len(y)),
        "holdout_rows": int(len(y) - len(y_train)),
        "seed": spec.seed,
        "holdout_share": spec.holdout_share,
        "stratified": _stratified(y, spec.task, 2),
        "cv_folds": spec.cv_folds,
        "cv_stratified": bool(spec.cv_folds) and _stratified(y_train, spec.task, spec.cv_folds),
    }


def _search(spec, preprocessor, X_train, y_train, folds, report: Report) -> dict:
    space = search_space(spec.estimator, fixed=spec.parameters)
    if not space:
        report(15, "Randomised search skipped", "Every searchable parameter is fixed; nothing to search.")
        return {}
    report(15, f"Randomised search over {spec.search_budget} candidates", None)
    scoring = "r2"
    if spec.task == CLASSIFICATION:
        scoring = "roc_auc" if y_train.nunique() == 2 else "roc_auc_ovr"
    pipeline = Pipeline(
        [
            ("preprocess", preprocessor),
            ("model", build_estimator(spec.estimator, spec.task, spec.parameters, seed=spec.seed)),
        ]
    )
    search = RandomizedSearchCV(
        pipeline,
        space,
        n_iter=spec.search_budget,
        cv=folds,
        scoring=scoring,
        random_state=spec.seed,
        refit=False,
        n_jobs=1,
        error_score=np.nan,
    )
    search.fit(X_train, y_train)
    best = {name.removeprefix("model__"): _plain(value) for name, value in search.best_params_.items()}
    report(20, "Randomised search done", f"Best {scoring} {search.best_score_:.4f} with {best}.")
    return best


def _plain(value):
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def one_rule_rows(y, seed: int, task: str) -> np.ndarray | slice:
    """The training rows the one-rule baseline is fitted on: all of them up to ONE_RULE_MAX_ROWS, else
    a seeded sample of that many (plus, for classification, the first row of any class the sample
    missed, so the baseline knows every class the metrics ask about). A single threshold on one
    feature is found as well from 10,000 rows as from a million, and sorting every feature of every
    row was a tenth of a 100,000-row job. ``y`` may be the labels or their codes (``class_codes``)."""
    count = len(y)
    if count <= ONE_RULE_MAX_ROWS:
        return slice(None)
    rows = np.random.default_rng(seed).choice(count, ONE_RULE_MAX_ROWS, replace=False)
    if task == CLASSIFICATION:
        labels = np.asarray(y)
        classes, first = np.unique(labels, return_index=True)
        rows = np.union1d(rows, first[~np.isin(classes, labels[rows])])
    return np.sort(rows)


def class_codes(y) -> tuple[np.ndarray, np.ndarray]:
    """Each label's index among the sorted distinct labels, and those labels: what scikit-learn's
    classifiers compute from ``y`` when fitted (``np.unique``), by hashing instead of sorting. Sorting
    100,000 text labels took ~0.1 s, once per baseline (and once more for the one-rule sample)."""
    codes, labels = pd.factorize(np.asarray(y), sort=True)
    return codes, np.asarray(labels)


def _fit_baseline(estimator, matrix, codes: np.ndarray, labels: np.ndarray):
    """A baseline classifier fitted on the class codes, then given the labels back: the same fitted
    estimator as one fitted on the labels (scikit-learn encodes them to the same codes), without
    re-encoding text labels for each baseline."""
    fitted = estimator.fit(matrix, codes)
    fitted.classes_ = labels[fitted.classes_]
    return fitted


def _fit_all(preprocessor, candidates: dict, X_fit, y_fit, seed: int, task: str):
    """Fit the preprocessing once, then every candidate on the same transformed rows."""
    fitted_pre = clone(preprocessor)
    matrix = fitted_pre.fit_transform(X_fit, y_fit)
    target = np.asarray(y_fit)
    codes, labels = class_codes(target) if task == CLASSIFICATION else (target, None)
    fitted = {}
    for name, estimator in candidates.items():
        rows = one_rule_rows(codes, seed, task) if name == "one_rule" else slice(None)
        if name in BASELINES and labels is not None:
            fitted[name] = _fit_baseline(clone(estimator), matrix[rows], codes[rows], labels)
        else:
            fitted[name] = clone(estimator).fit(matrix[rows], target[rows])
    return fitted_pre, fitted


def _evaluate(fitted_pre, fitted: dict, X, y, task) -> dict:
    matrix = fitted_pre.transform(X)
    return {name: score(estimator, matrix, y, task) for name, estimator in fitted.items()}


def _mean_std(values: list) -> tuple[float | None, float | None]:
    present = [value for value in values if value is not None]
    if len(present) != len(values) or not present:
        return None, None
    return _finite(np.mean(present)), _finite(np.std(present))


def train(
    spec: TrainingSpec, schema: list[dict], X: pd.DataFrame, y: pd.Series, report: Report
) -> TrainingResult:
    check_data(X, y, spec)
    report(8, "Split the data", None)  # each stage is reported as it starts: its time is its own
    X_train, X_holdout, y_train, y_holdout = holdout_split(X, y, spec)
    report(
        10,
        "Split the data",
        f"{len(X_train)} training rows, {len(X_holdout)} holdout rows (seed {spec.seed}).",
    )
    preprocessor = build_preprocessor(schema, spec.features)
    folds = []
    if spec.cv_folds:
        folds = list(fold_splitter(y_train, spec, spec.cv_folds).split(X_train, y_train))
    best_parameters = {}
    if spec.search_budget:
        search_folds = folds or list(fold_splitter(y_train, spec, 3).split(X_train, y_train))
        best_parameters = _search(spec, preprocessor, X_train, y_train, search_folds, report)
    parameters = spec.parameters | best_parameters
    candidates = {
        "model": build_estimator(spec.estimator, spec.task, parameters, seed=spec.seed),
        **baseline_estimators(spec.task, spec.seed),
    }
    fold_scores: dict[str, list[dict]] = {name: [] for name in candidates}
    for index, (fit_rows, check_rows) in enumerate(folds, start=1):
        stage = f"Cross-validation: fold {index} of {len(folds)}"
        report(20 + int(55 * (index - 1) / len(folds)), stage, None)
        fitted_pre, fitted = _fit_all(
            preprocessor, candidates, X_train.iloc[fit_rows], y_train.iloc[fit_rows], spec.seed, spec.task
        )
        scores = _evaluate(fitted_pre, fitted, X_train.iloc[check_rows], y_train.iloc[check_rows], spec.task)
        for name, values in scores.items():
            fold_scores[name].append(values)
        strongest = best_baseline(PRIMARY_METRIC[spec.task], {name: scores[name] for name in BASELINES})
        report(
            20 + int(55 * index / len(folds)),
            stage,
            f"Fold {index}: model {_headline(scores['model'], spec.task)}, "
            f"best baseline ({label(strongest)}) {_headline(scores[strongest], spec.task)}.",
        )
    report(78, "Fitting on the training split", None)
    fitted_pre, fitted = _fit_all(preprocessor, candidates, X_train, y_train, spec.seed, spec.task)
    report(88, "Evaluating on the holdout", None)
    holdout = _evaluate(fitted_pre, fitted, X_holdout, y_holdout, spec.task)
    results = {}
    for name in candidates:
        results[name] = dict(holdout[name])
        for metric in holdout[name]:
            if fold_scores[name]:
                mean, std = _mean_std([fold[metric] for fold in fold_scores[name]])
                results[name][f"cv_{metric}"] = mean
                results[name][f"cv_{metric}_std"] = std
    baselines = {name: results[name] for name in BASELINES}
    primary = PRIMARY_METRIC[spec.task]
    one_rule_feature = _one_rule_feature(fitted_pre, fitted["one_rule"])
    report(
        90,
        "Evaluated",
        f"Holdout: model {_headline(results['model'], spec.task)}; one-rule splits on {one_rule_feature!r}.",
    )
    return TrainingResult(
        pipeline=Pipeline([("preprocess", fitted_pre), ("model", fitted["model"])]),
        metrics=results["model"],
        baseline_metrics=baselines,
        lift=compute_lift(results["model"], baselines, primary=primary)
        | {"one_rule_feature": one_rule_feature},
        parameters=parameters,
        best_parameters=best_parameters,
        one_rule_feature=one_rule_feature,
        split=split_record(spec, y, y_train),
    )


def _headline(metrics: dict, task: str) -> str:
    metric = PRIMARY_METRIC[task]
    value = metrics.get(metric)
    return f"{label(metric)} {value:.4f}" if value is not None else f"{label(metric)} n/a"


def _one_rule_feature(fitted_pre, tree) -> str:
    names = fitted_pre.get_feature_names_out()
    index = tree.tree_.feature[0]
    if index < 0:
        return "(none: a constant prediction)"
    return str(names[index]).split("__", 1)[-1]


# --- versions trained elsewhere --------------------------------------------------------------------


def check_predictions(model, X: pd.DataFrame, y: pd.Series, task: str) -> None:
    """Refuse, naming the problem, a model whose predictions on the holdout are not the task's: the
    wrong number of rows, a shape or type other than the task needs, probabilities that are not
    probabilities, or classes that do not cover the target's values."""
    rows = len(X)
    try:
        if task == CLASSIFICATION:
            if not hasattr(model, "predict_proba") or getattr(model, "classes_", None) is None:
                raise TrainingError(
                    "The model gives no class probabilities (predict_proba and classes_), which the "
                    "classification metrics and the baselines' comparison need."
                )
            classes = np.asarray(model.classes_)
            probabilities = np.asarray(model.predict_proba(X))
        else:
            predictions = np.asarray(model.predict(X))
    except TrainingError:
        raise
    except Exception as exc:  # noqa: BLE001 - the model's own failure, in one line
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise TrainingError(f"The model failed to predict on the holdout rows: {detail}") from exc
    if task != CLASSIFICATION:
        if predictions.ndim == 2 and predictions.shape[1] == 1:
            predictions = predictions.ravel()
        if predictions.shape != (rows,):
            raise TrainingError(
                f"A regressor must predict one value per row: got shape {list(predictions.shape)} "
                f"for {rows} rows."
            )
        if not np.issubdtype(predictions.dtype, np.number) or not np.isfinite(predictions).all():
            raise TrainingError(
                f"A regressor must predict finite numbers; got values of type {predictions.dtype}."
            )
        return
    if probabilities.shape != (rows, len(classes)):
        raise TrainingError(
            f"The model's probabilities have shape {list(probabilities.shape)}; {rows} rows of "
            f"{len(classes)} classes ({', '.join(map(str, classes))}) were expected."
        )
    if (
        not np.issubdtype(probabilities.dtype, np.number)
        or not np.isfinite(probabilities).all()
        or (probabilities < -1e-6).any()
        or not np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-3)
    ):
        raise TrainingError("The model's probabilities are not probabilities (each row must sum to 1).")
    unseen = sorted(set(np.asarray(y).tolist()) - set(classes.tolist()), key=str)
    if unseen:
        raise TrainingError(
            f"The model's classes ({', '.join(map(str, classes))}) do not include values of the target "
            f"in the holdout: {', '.join(map(str, unseen[:10]))}."
        )


def evaluate_external(
    spec: TrainingSpec, schema: list[dict], X: pd.DataFrame, y: pd.Series, model, report: Report
) -> TrainingResult:
    """Judge a model fitted elsewhere exactly as a portal-trained one is judged: the same holdout split
    of the same rows, and the dummy and one-rule baselines fitted on the training part of that split
    through the same preprocessing. ``model`` is the loaded artefact (a pipeline, or an ONNX model);
    nothing refits it. No cross-validation: there is no recipe to refit on the folds."""
    check_data(X, y, spec)
    X_train, X_holdout, y_train, y_holdout = holdout_split(X, y, spec)
    report(
        20,
        "Split the data",
        f"{len(X_train)} training rows (the baselines), {len(X_holdout)} holdout rows (seed {spec.seed}).",
    )
    report(30, "Checking the model's predictions", None)
    check_predictions(model, X_holdout, y_holdout, spec.task)
    report(40, "Fitting the baselines on the training split", None)
    fitted_pre, fitted = _fit_all(
        build_preprocessor(schema, spec.features),
        baseline_estimators(spec.task, spec.seed),
        X_train,
        y_train,
        spec.seed,
        spec.task,
    )
    report(70, "Evaluating on the holdout", None)
    metrics = score(model, X_holdout, y_holdout, spec.task)
    baselines = _evaluate(fitted_pre, fitted, X_holdout, y_holdout, spec.task)
    one_rule_feature = _one_rule_feature(fitted_pre, fitted["one_rule"])
    report(
        90,
        "Evaluated",
        f"Holdout: model {_headline(metrics, spec.task)}, best baseline "
        f"{_headline(baselines[best_baseline(PRIMARY_METRIC[spec.task], baselines)], spec.task)}.",
    )
    return TrainingResult(
        pipeline=None,
        metrics=metrics,
        baseline_metrics=baselines,
        lift=compute_lift(metrics, baselines, primary=PRIMARY_METRIC[spec.task])
        | {"one_rule_feature": one_rule_feature},
        parameters=spec.parameters,
        one_rule_feature=one_rule_feature,
        split=split_record(spec, y, y_train),
    )
