"""Prediction latency: the real endpoint vs calling the same pipeline in process.

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/registry_predict.py [--repeat 400]

Creates a throwaway test database, registers a real fitted pipeline (scaling + one-hot + logistic
regression on 6 retail-like columns) as a production version, then times
  - in process: ``pipeline.predict_proba(frame)`` on a prepared DataFrame (1 row, 1,000 rows);
  - endpoint: ``POST /api/v1/models/<slug>/predict/`` through Django's test client (the whole stack:
    middleware, token authentication, URL routing, DRF parsing, version lookup in the database,
    input validation, cached pipeline, JSON rendering), same rows as ``{"records": [...]}``.
and the service alone (``prediction.predict``: parse, validate, DataFrame, pipeline; no HTTP, no
database). Prints p50/p90 in milliseconds. Targets: single row within 2 ms of in process; 1,000 rows < 5 ms.

With ``--mlflow /path/to/venv/bin/mlflow`` it compares instead the endpoint under gunicorn with
``mlflow models serve`` on the same pipeline, same number of processes (``served_side_by_side.py``):
    uv venv /tmp/mlflow-venv
    uv pip install --python /tmp/mlflow-venv/bin/python mlflow "scikit-learn==<the portal's version>"
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/registry_predict.py \
        --mlflow /tmp/mlflow-venv/bin/mlflow
Targets: 1-row p50 at most 0.35x MLflow's, 1,000-row at most 0.4x, 1-row throughput at 16 and 32
connections at least 2.5x MLflow's.
"""

import argparse
import json
import logging
import statistics
import time

import django_env  # noqa: F401, I001 (settings and django.setup() before the imports below)
import numpy as np
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from apps.outcomes.recorder import recorder
from apps.registry.prediction import predict
from apps.registry.selectors import production_version


def timed(functions: dict, repeat: int) -> dict[str, tuple[float, float]]:
    """p50 and p90 (ms) of each function. Calls are interleaved round-robin so that all of them see the
    same machine load (the machine is shared; a burst of load then hits every column alike)."""
    for _ in range(min(20, repeat)):
        for function in functions.values():
            function()  # warm up (caches, imports, connection)
    samples: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeat):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            samples[name].append((time.perf_counter() - start) * 1000)
    result = {}
    for name, values in samples.items():
        values.sort()
        result[name] = (statistics.median(values), values[int(len(values) * 0.9)])
    return result


def build_fixture():
    from django.contrib.auth import get_user_model

    from apps.accounts import services as accounts
    from apps.registry import demo_data, services
    from apps.teams.models import Team, TeamType, ValueStream

    staff = get_user_model().objects.create_user("bench", is_staff=True)
    stream = ValueStream.objects.create(name="Fraud", slug="fraud")
    team = Team.objects.create(name="Fraud Signals", slug="fraud-signals", team_type=TeamType.STREAM_ALIGNED,
                               value_stream=stream)  # fmt: skip
    model = services.registered_model_create(
        actor=staff,
        data={"name": "Bench scorer", "slug": "bench-scorer", "owning_team": team, "value_stream": stream},
    )
    frame, target = demo_data.fraud(np.random.default_rng(0))
    pipeline = make_pipeline(demo_data._preprocess(frame), LogisticRegression(max_iter=300)).fit(
        frame, target
    )
    version = services.version_register(
        registered_model=model, actor=staff, pipeline=pipeline, task="classification",
        lineage={"input_schema": demo_data.input_schema(frame), "estimator": "LogisticRegression"},
        metrics={"roc_auc": 0.8}, baseline_metrics={"roc_auc": 0.5},
    )  # fmt: skip
    services.version_promote(
        version=version, actor=staff, to_stage="production", reason="bench", override=True
    )
    return accounts.token_create(actor=staff, name="benchmark")[1], pipeline, frame


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=400)
    parser.add_argument("--mlflow", help="an mlflow executable (its own environment): compare with it")
    parser.add_argument("--processes", type=int, default=2, help="server processes each (--mlflow)")
    parser.add_argument("--rounds", type=int, default=2, help="throughput rounds per server (--mlflow)")
    parser.add_argument("--seconds", type=float, default=10, help="length of a throughput round")
    args = parser.parse_args()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the floor column's 400s are expected
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        token, pipeline, frame = build_fixture()
        if args.mlflow:
            from served_side_by_side import run  # noqa: PLC0415 (only this mode needs it)

            name = connection.settings_dict["NAME"]
            run(database=name, token=token, slug="bench-scorer", pipeline=pipeline, frame=frame,
                mlflow=args.mlflow, args=args)  # fmt: skip
            return
        client = Client(HTTP_AUTHORIZATION=f"Token {token}")
        url = "/api/v1/models/bench-scorer/predict/"
        rows = {1: frame.head(1), 1000: frame.head(1000)}
        version = production_version(slug="bench-scorer")
        print("rows  in-process p50  service p50  endpoint p50  overhead p50  endpoint p90  HTTP floor p50")
        for size, subset in rows.items():
            body = json.dumps({"records": subset.to_dict(orient="records")}, default=lambda v: v.item())
            response = client.post(url, body, content_type="application/json")
            assert response.status_code == 200, response.content[:300]
            assert len(response.json()["predictions"]) == size
            repeat = args.repeat if size == 1 else max(50, args.repeat // 4)
            records = json.loads(body)
            times = timed(
                {
                    "local": lambda s=subset: pipeline.predict_proba(s),
                    "service": lambda r=records: predict(version=version, records=r),
                    "served": lambda b=body: client.post(url, b, content_type="application/json"),
                    # the same request refused by the view's first check (bad ?version): middleware,
                    # token authentication, DRF and an error response, without lookup or prediction
                    "floor": lambda b=body: client.post(
                        f"{url}?version=x", b, content_type="application/json"
                    ),
                },
                repeat,
            )
            (local, _), (service, _), (served, served90) = times["local"], times["service"], times["served"]
            floor = times["floor"][0]
            print(
                f"{size:>4} {local:>11.2f} ms {service:>8.2f} ms {served:>9.2f} ms "
                f"{served - local:>+9.2f} ms {served90:>9.2f} ms {floor:>9.2f} ms"
            )
    finally:
        recorder.flush()  # monitoring buffered during the run, while its database still exists
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
