"""What one web process, one training worker and one PostgreSQL serve: CPU seconds per operation,
in the portal's process and in the PostgreSQL backend that served it, measured side by side.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_perf_capacity \\
        .venv/bin/python benchmarks/capacity.py [--calls 400] [--batches 20] [--jobs 3]

On a shared machine wall time says how busy the others were; CPU time per operation does not (much):
one process on one core serves at most 1 / (its CPU seconds per operation) operations per second,
and the database at most (its cores) / (the backend's CPU seconds per operation). The smaller of the
two is what saturates first. PostgreSQL must run on this machine (its backend's CPU is read from
/proc/<pg_backend_pid()>/stat). Creates and drops its own test database.

Operations: a prediction of 1 row and of 1,000 rows (`POST /api/v1/models/<slug>/predict/`), an
observation batch of 1,000 rows (`POST /api/v1/observations/`), a stream dashboard page, and a
training job (the demo's breast-cancer job: 455 training rows, 5-fold CV, model + 2 baselines,
registration) run by the worker's code in process."""

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import django_env  # noqa: F401, I001 (settings and django.setup() before the imports below)
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import override_settings, setup_test_environment

TICK = os.sysconf("SC_CLK_TCK")


def cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def per_operation(operation, count: int, *, warm: int = 3) -> dict:
    """Median-free totals over ``count`` calls: wall, this process's CPU, the backend's CPU (seconds)."""
    for _ in range(warm):
        operation()
    pid = backend_pid()
    wall, cpu, database = time.perf_counter(), time.process_time(), cpu_of(pid)
    for _ in range(count):
        operation()
    return {
        "wall": (time.perf_counter() - wall) / count,
        "cpu": (time.process_time() - cpu) / count,
        "database": (cpu_of(pid) - database) / count,
    }


def report(label: str, unit: str, per: int, result: dict, *, seconds: int = 1) -> None:
    """``seconds``: the capacity's time unit (3,600 for jobs per hour)."""
    cpu, database = result["cpu"], result["database"]
    web = seconds * per / cpu if cpu else float("inf")
    db = seconds * per / database if database else float("inf")
    print(
        f"{label:<44} wall {result['wall'] * 1000:8.1f} ms  portal CPU {cpu * 1000:8.2f} ms  "
        f"PostgreSQL CPU {database * 1000:7.2f} ms  -> one core: {web:9,.0f} {unit} portal, "
        f"{db:9,.0f} {unit} PostgreSQL"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=400, help="1-row predictions")
    parser.add_argument("--batches", type=int, default=20, help="1,000-row observation batches")
    parser.add_argument("--jobs", type=int, default=3, help="training jobs")
    args = parser.parse_args()
    assert connection.vendor == "postgresql", "run against PostgreSQL on this machine (set DATABASE_URL)"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):  # fmt: skip
            run(args)
    finally:
        from apps.outcomes.recorder import recorder

        recorder.flush()
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(args) -> None:
    from registry_predict import build_fixture

    from apps.outcomes.models import Kpi
    from apps.teams.models import ValueStream

    token, _, frame = build_fixture()
    api = Client(HTTP_AUTHORIZATION=f"Token {token}")
    url = "/api/v1/models/bench-scorer/predict/"
    one = json.dumps({"records": frame.head(1).to_dict(orient="records")}, default=lambda v: v.item())
    thousand = json.dumps({"records": frame.head(1000).to_dict(orient="records")}, default=lambda v: v.item())
    stream = ValueStream.objects.get(slug="fraud")
    kpi = Kpi.objects.create(stream=stream, name="Fraud loss", unit="EUR", value_per_unit=1)
    hour = [datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)]

    def ingest():
        rows = []
        for _ in range(1000):
            hour[0] += datetime.timedelta(hours=1)
            rows.append({"kpi": kpi.pk, "time": hour[0].isoformat(), "value": 1.0, "segment": "all"})
        response = api.post("/api/v1/observations/", json.dumps(rows), content_type="application/json")
        assert response.status_code == 201, response.content[:300]

    def post(body):
        response = api.post(url, body, content_type="application/json")
        assert response.status_code == 200, response.content[:300]

    from django.contrib.auth import get_user_model

    browser = Client()
    browser.force_login(get_user_model().objects.get(username="bench"))

    def page():
        assert browser.get("/outcomes/streams/fraud/").status_code == 200

    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    report("prediction, 1 row", "predictions/s", 1, per_operation(lambda: post(one), args.calls))
    report("prediction, 1,000 rows", "rows/s", 1000, per_operation(lambda: post(thousand), args.calls // 8))
    report("observations, batch of 1,000", "observations/s", 1000, per_operation(ingest, args.batches))
    print(f"  ({args.batches * 1000:,} observations ingested, daily aggregates kept in the same transaction)")
    report("stream dashboard page (after the ingest)", "pages/s", 1, per_operation(page, 20))
    job = per_operation(job_runner(), args.jobs, warm=1)
    report("training job, 569 rows, 5-fold CV", "jobs/hour", 1, job, seconds=3600)
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


def job_runner():
    """A function running one demo-sized training job through the worker's code (runner.execute)."""
    from django.contrib.auth import get_user_model

    from apps.core.threads import limit_threads
    from apps.registry.models import RegisteredModel
    from apps.teams.models import Membership, Team
    from apps.training import demo, runner, services

    team = Team.objects.get(slug="fraud-signals")
    user = get_user_model().objects.get(username="bench")
    Membership.objects.get_or_create(team=team, user=user, defaults={"role": "data_scientist"})
    sample = demo.DEMO_MODELS[0]
    uploaded = services.dataset_upload(
        actor=user,
        team=team,
        name=sample.dataset,
        file=demo.csv_file(sample.frame(), sample.dataset),
        enqueue=False,
    )
    dataset = services.dataset_process(dataset_id=uploaded.pk)
    model = RegisteredModel.objects.get(slug="bench-scorer")

    def one_job():
        job = services.training_job_create(
            actor=user,
            data={
                "dataset_version": dataset,
                "target": sample.target,
                "estimator": sample.estimator,
                "parameters": sample.parameters,
                "cv_folds": 5,
                "registered_model": model,
            },
            enqueue=False,
        )
        with limit_threads(1):
            done = runner.execute(job.pk, task_id=job.celery_task_id, worker="capacity", heartbeat=False)
        assert done.status == "succeeded", done.error

    return one_job


if __name__ == "__main__":
    main()
