"""The registry's exact trusted-type list covers everything the estimator catalogue and the demo
pipelines produce, so honest artefacts always load while nothing else does."""

import itertools

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from sklearn.pipeline import Pipeline

from apps.registry import demo_data
from apps.registry.artefacts import TRUSTED_TYPES, artefact_types, load_artefact
from apps.training import engine, estimators

SCHEMA = [
    {"name": "amount", "type": "number"},
    {"name": "visits", "type": "integer"},
    {"name": "channel", "type": "string"},
    {"name": "member", "type": "boolean"},
]


def frame(rows: int = 80) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    data = pd.DataFrame(
        {
            "amount": rng.normal(size=rows),
            "visits": rng.integers(0, 5, rows),
            "channel": rng.choice(["web", "app", "store", None], rows),
            "member": rng.random(rows) < 0.5,
        }
    )
    data.loc[0, "amount"] = np.nan
    return data


def targets(task: str, data: pd.DataFrame) -> list:
    rng = np.random.default_rng(2)
    if task == estimators.CLASSIFICATION:
        return [(data["visits"] > 2).astype(int), pd.Series(rng.choice(["a", "b", "c"], len(data)))]
    return [data["visits"] * 2.5]


def catalogue_pipelines():
    data = frame()
    for key, spec in estimators.CATALOGUE.items():
        choices = [param for param in spec.params if param.kind in ("choice", "bool")]
        options = [param.choices if param.kind == "choice" else (True, False) for param in choices]
        for task, combo in itertools.product(spec.tasks, itertools.product(*options)):
            parameters = {param.name: value for param, value in zip(choices, combo, strict=True)}
            model = estimators.build_estimator(key, task, parameters, seed=0)
            for target in targets(task, data):
                yield Pipeline(
                    [("preprocess", engine.build_preprocessor(SCHEMA, list(data))), ("model", model)]
                ).fit(data, target)
        for task in spec.tasks:
            for baseline in engine.baseline_estimators(task, 0).values():
                pre = engine.build_preprocessor(SCHEMA, list(data))
                yield Pipeline([("preprocess", pre), ("model", baseline)]).fit(data, targets(task, data)[0])


def test_every_catalogue_pipeline_loads_through_the_check():
    seen: set[str] = set()
    for pipeline in catalogue_pipelines():
        data = sio.dumps(pipeline)
        seen |= artefact_types(data)
        loaded = load_artefact(data)
        assert type(loaded.named_steps["model"]) is type(pipeline.named_steps["model"])
    assert seen <= TRUSTED_TYPES


@pytest.mark.slow
@pytest.mark.parametrize("dataset", ["fraud", "upsell", "search", "churn", "demand", "delivery"])
def test_every_demo_pipeline_loads_through_the_check(dataset):
    data, target = getattr(demo_data, dataset)(np.random.default_rng(7))
    task = "classification" if len(np.unique(target)) <= 2 else "regression"
    for level in range(len(demo_data.ESTIMATORS[task])):
        fitted = demo_data.fit_version(data, target, task=task, level=level, baseline={})
        loaded = load_artefact(sio.dumps(fitted.pipeline))
        assert np.allclose(loaded.predict(data.head(20)), fitted.pipeline.predict(data.head(20)))
