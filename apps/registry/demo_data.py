"""Synthetic, retail-like training data and real small fitted pipelines for the registry demo.

Each demo model has a generator of (features, target); versions are fitted with increasingly capable
estimators, and their metrics and the best baseline's (a dummy predictor and a one-rule tree, trained on
the same data) are measured on a holdout, so the numbers on the model pages are real.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.compose import make_column_transformer
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    mean_absolute_error,
    r2_score,
    roc_auc_score,
    root_mean_squared_error,
)
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

ROWS = 1000
_SCHEMA_TYPES = {"f": "number", "i": "integer", "O": "string", "b": "boolean"}


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def fraud(rng):
    n = ROWS
    frame = pd.DataFrame(
        {
            "amount": rng.gamma(2.0, 40.0, n).round(2),
            "items": rng.integers(1, 10, n),
            "channel": rng.choice(["web", "app", "store"], n, p=[0.5, 0.35, 0.15]),
            "card_present": rng.random(n) < 0.3,
            "account_age_days": rng.integers(0, 2000, n),
            "country_mismatch": rng.random(n) < 0.08,
        }
    )
    logit = (
        -3.2 + 0.012 * frame["amount"] + 2.2 * frame["country_mismatch"] - 1.4 * frame["card_present"]
        - 0.0015 * frame["account_age_days"] + 0.5 * (frame["channel"] == "web")
    )  # fmt: skip
    return frame, (rng.random(n) < _sigmoid(logit)).astype(int)


def upsell(rng):
    n = ROWS
    frame = pd.DataFrame(
        {
            "basket_value": rng.gamma(2.0, 30.0, n).round(2),
            "items": rng.integers(1, 15, n),
            "channel": rng.choice(["web", "app"], n),
            "is_member": rng.random(n) < 0.4,
            "minutes_on_site": rng.exponential(8.0, n).round(1),
        }
    )
    logit = -2.0 + 0.015 * frame["basket_value"] + 0.9 * frame["is_member"] + 0.06 * frame["minutes_on_site"]
    logit += 0.004 * (frame["basket_value"] - 60) ** 2 / 60 * (frame["channel"] == "app")
    return frame, (rng.random(n) < _sigmoid(logit)).astype(int)


def search(rng):
    n = ROWS
    frame = pd.DataFrame(
        {
            "query_length": rng.integers(1, 8, n),
            "price": rng.gamma(2.0, 25.0, n).round(2),
            "rating": rng.uniform(1, 5, n).round(1),
            "position": rng.integers(1, 30, n),
            "category": rng.choice(["grocery", "home", "fashion", "toys"], n),
            "in_stock": rng.random(n) < 0.85,
        }
    )
    logit = (
        1.0
        - 0.12 * frame["position"]
        + 0.6 * (frame["rating"] - 3)
        + 1.2 * frame["in_stock"]
        - 0.01 * frame["price"]
    )
    return frame, (rng.random(n) < _sigmoid(logit)).astype(int)


def churn(rng):
    n = ROWS
    frame = pd.DataFrame(
        {
            "days_since_order": rng.integers(0, 365, n),
            "orders_12m": rng.poisson(4, n),
            "avg_basket": rng.gamma(2.0, 25.0, n).round(2),
            "is_member": rng.random(n) < 0.35,
            "channel": rng.choice(["web", "app", "store"], n),
        }
    )
    logit = -1.5 + 0.01 * frame["days_since_order"] - 0.3 * frame["orders_12m"] - 0.8 * frame["is_member"]
    return frame, (rng.random(n) < _sigmoid(logit)).astype(int)


def demand(rng):
    n = ROWS
    frame = pd.DataFrame(
        {
            "store_size_m2": rng.uniform(300, 4000, n).round(0),
            "day_of_week": rng.integers(0, 7, n),
            "promo": rng.random(n) < 0.2,
            "temperature_c": rng.normal(14, 8, n).round(1),
            "region": rng.choice(["north", "south", "east", "west"], n),
        }
    )
    units = (
        20 + 0.03 * frame["store_size_m2"] + 25 * frame["promo"] + 12 * (frame["day_of_week"] >= 5)
        + 0.08 * (frame["temperature_c"] - 14) ** 2 + 8 * (frame["region"] == "south")
    )  # fmt: skip
    return frame, (units + rng.normal(0, 10, n)).to_numpy()


def delivery(rng):
    n = ROWS
    frame = pd.DataFrame(
        {
            "distance_km": rng.gamma(2.0, 12.0, n).round(1),
            "items": rng.integers(1, 20, n),
            "carrier": rng.choice(["own-fleet", "parcelco", "quickship"], n),
            "is_weekend": rng.random(n) < 2 / 7,
            "warehouse_load": rng.uniform(0.2, 1.0, n).round(2),
        }
    )
    hours = (
        6 + 0.5 * frame["distance_km"] + 0.2 * frame["items"] + 10 * frame["is_weekend"]
        + 18 * frame["warehouse_load"] ** 3 + 5 * (frame["carrier"] == "parcelco")
    )  # fmt: skip
    return frame, (hours + rng.normal(0, 3, n)).to_numpy()


def input_schema(frame: pd.DataFrame) -> list[dict]:
    return [{"name": name, "type": _SCHEMA_TYPES[dtype.kind]} for name, dtype in frame.dtypes.items()]


def _preprocess(frame: pd.DataFrame):
    numeric = [c for c, d in frame.dtypes.items() if d.kind in "fi"]
    categorical = [c for c, d in frame.dtypes.items() if d.kind == "O"]
    flags = [c for c, d in frame.dtypes.items() if d.kind == "b"]
    return make_column_transformer(
        (StandardScaler(), numeric),
        (OneHotEncoder(handle_unknown="ignore"), categorical),
        ("passthrough", flags),
    )


ESTIMATORS = {
    "classification": [
        lambda: LogisticRegression(C=0.002, max_iter=300),
        lambda: LogisticRegression(C=1.0, max_iter=300),
        lambda: HistGradientBoostingClassifier(max_iter=40, max_depth=4, random_state=0),
    ],
    "regression": [
        lambda: Ridge(alpha=3000.0),
        lambda: Ridge(alpha=1.0),
        lambda: HistGradientBoostingRegressor(max_iter=50, max_depth=4, random_state=0),
    ],
}


@dataclass
class FittedVersion:
    pipeline: Pipeline
    metrics: dict
    baseline_metrics: dict
    estimator: str
    parameters: dict


def _classification_metrics(model, X, y) -> dict:
    proba = model.predict_proba(X)[:, 1]
    predicted = model.predict(X)
    return {
        "roc_auc": round(float(roc_auc_score(y, proba)), 4),
        "accuracy": round(float(accuracy_score(y, predicted)), 4),
        "f1": round(float(f1_score(y, predicted, zero_division=0)), 4),
    }


def _regression_metrics(model, X, y) -> dict:
    predicted = model.predict(X)
    return {
        "mae": round(float(mean_absolute_error(y, predicted)), 4),
        "rmse": round(float(root_mean_squared_error(y, predicted)), 4),
        "r2": round(float(r2_score(y, predicted)), 4),
    }


def _split(frame: pd.DataFrame, target):
    return train_test_split(frame, target, test_size=0.3, random_state=0)


def baseline_metrics(frame: pd.DataFrame, target, *, task: str, primary: str) -> dict:
    """The best of a dummy predictor and a one-rule tree, trained and measured on the same split."""
    X_train, X_test, y_train, y_test = _split(frame, target)
    measure = _classification_metrics if task == "classification" else _regression_metrics
    baselines = (
        [DummyClassifier(strategy="prior"), DecisionTreeClassifier(max_depth=1, random_state=0)]
        if task == "classification"
        else [DummyRegressor(), DecisionTreeRegressor(max_depth=1, random_state=0)]
    )
    scored = [
        measure(make_pipeline(_preprocess(frame), b).fit(X_train, y_train), X_test, y_test) for b in baselines
    ]
    return (max if task == "classification" else min)(scored, key=lambda m: m[primary])


def fit_version(frame: pd.DataFrame, target, *, task: str, level: int, baseline: dict) -> FittedVersion:
    """Fit the ``level``-th estimator of the task; measure it on the holdout the baseline used."""
    X_train, X_test, y_train, y_test = _split(frame, target)
    estimator = ESTIMATORS[task][level]()
    pipeline = make_pipeline(_preprocess(frame), estimator).fit(X_train, y_train)
    measure = _classification_metrics if task == "classification" else _regression_metrics
    params = {k: v for k, v in estimator.get_params().items() if isinstance(v, int | float | str | bool)}
    return FittedVersion(
        pipeline, measure(pipeline, X_test, y_test), baseline, type(estimator).__name__, params
    )
