"""Registry writes side by side with MLflow's tracking server, both on PostgreSQL (issue "Fast everywhere").

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/registry_writes.py --models 500 --versions 3 \
        [--mlflow /path/to/venv/bin/mlflow]

MLflow is not a dependency of the portal: install it in a separate environment for this benchmark only
(``uv venv /tmp/mlflow && uv pip install --python /tmp/mlflow/bin/python mlflow psycopg2-binary``)
and pass its ``mlflow`` executable; without ``--mlflow`` only the portal is timed.

Creates a throwaway test database for the portal and one for MLflow, then
  - starts the portal under gunicorn (``gunicorn.conf.py``, one process, production settings) and
    MLflow's tracking server (``mlflow server --workers 1``), each on a free loopback port;
  - creates ``--models`` registered models through each one's REST API, over one kept-alive
    connection per server (``POST /api/v1/models/`` with a token; ``registered-models/create``);
  - registers ``--versions`` versions of each model: the portal's ``version_register`` (the service a
    finished training job calls; there is no REST call for it: versions come from jobs) in this
    process, MLflow's ``model-versions/create`` over HTTP (a source URI only, no artefact upload).
    The portal's time is given with and without its artefact write (skops serialisation, type check,
    hash, file), which MLflow's call does not do.
Calls alternate portal/MLflow so that bursts of load on the shared machine hit both alike. Prints
p50/p90 in milliseconds, the queries of one portal write, and the load average before and after.
Targets: model create at most MLflow's; version registration at most 40 ms plus the artefact write.
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django_env  # noqa: F401, I001 (settings and django.setup() before the imports below)
import numpy as np
from django.db import connection
from django.test.utils import CaptureQueriesContext, setup_test_environment
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

ROOT = Path(__file__).resolve().parent.parent
VERSION_BUDGET_MS = 40  # issue 14: a version registration, not counting its artefact write


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--log-level", "warning"]


def one_gunicorn_env(database: str, port: int) -> dict[str, str]:
    """The environment of one quiet gunicorn process (``GUNICORN``) on ``port`` serving ``database``."""
    return os.environ | {
        "DATABASE_URL": pg_url(database),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "PORTAL_LOG_LEVEL": "WARNING",
    }


def wait_until_up(port: int, path: str, process: subprocess.Popen, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server on port {port} did not answer within {timeout} s")


class Client:
    """One kept-alive HTTP/1.1 connection; ``post`` returns (status, body, milliseconds)."""

    def __init__(self, port: int, headers: dict):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Content-Type": "application/json", **headers}
        self.reconnects = 0

    def post(self, path: str, payload: dict) -> tuple[int, bytes, float]:
        body = json.dumps(payload)
        for attempt in (1, 2):
            start = time.perf_counter()
            try:
                self.conn.request("POST", path, body, self.headers)
                response = self.conn.getresponse()
                data = response.read()
            except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
                if attempt == 2:
                    raise
                self.reconnects += 1  # the server closed the kept-alive connection; the retry is timed
                self.conn.close()
                continue
            return response.status, data, (time.perf_counter() - start) * 1000
        raise AssertionError("unreachable")


def pg_url(name: str, scheme: str = "postgres") -> str:
    settings = connection.settings_dict
    auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    return f"{scheme}://{auth}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{name}"


def fixture():
    from django.contrib.auth import get_user_model

    from apps.accounts import services as accounts
    from apps.registry import demo_data
    from apps.teams.models import Team, TeamType, ValueStream

    staff = get_user_model().objects.create_user("bench", is_staff=True)
    stream = ValueStream.objects.create(name="Fraud", slug="fraud")
    Team.objects.create(name="Fraud Signals", slug="fraud-signals", team_type=TeamType.STREAM_ALIGNED,
                        value_stream=stream)  # fmt: skip
    frame, target = demo_data.fraud(np.random.default_rng(0))
    pipeline = make_pipeline(demo_data._preprocess(frame), LogisticRegression(max_iter=300)).fit(
        frame, target
    )
    lineage = {"input_schema": demo_data.input_schema(frame), "estimator": "LogisticRegression"}
    return staff, accounts.token_create(actor=staff, name="benchmark")[1], pipeline, lineage


def summary(values: list[float]) -> str:
    values = sorted(values)
    return f"p50 {statistics.median(values):7.2f}  p90 {values[int(len(values) * 0.9)]:7.2f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=500)
    parser.add_argument("--versions", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=20, help="first models not counted")
    parser.add_argument("--mlflow", help="path of an mlflow executable (a separate environment)")
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    load_before = os.getloadavg()
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    servers: list[subprocess.Popen] = []
    mlflow_db = f"{test_name}_mlflow"
    artefact_dir = tempfile.mkdtemp(prefix="bench-mlflow-artefacts-")
    try:
        from apps.registry import artefacts, services
        from apps.registry.models import RegisteredModel

        staff, token, pipeline, lineage = fixture()
        portal_port = free_port()
        env = one_gunicorn_env(test_name, portal_port)
        log = open(Path(artefact_dir) / "servers.log", "w")  # noqa: SIM115 (closed with the folder)
        servers.append(
            subprocess.Popen(
                GUNICORN, cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=log
            )
        )
        wait_until_up(portal_port, "/healthz", servers[-1])
        portal = Client(portal_port, {"Authorization": f"Token {token}"})
        mlflow = None
        if args.mlflow:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{mlflow_db}"')
                cursor.execute(f'CREATE DATABASE "{mlflow_db}"')
            mlflow_port = free_port()
            store = pg_url(mlflow_db, "postgresql+psycopg2")
            command = [args.mlflow, "server", "--backend-store-uri", store, "--workers", "1",
                       "--host", "127.0.0.1", "--port", str(mlflow_port),
                       "--default-artifact-root", artefact_dir]  # fmt: skip
            path = f"{Path(args.mlflow).parent}{os.pathsep}{os.environ.get('PATH', '')}"  # its uvicorn
            servers.append(
                subprocess.Popen(
                    command,
                    env=os.environ | {"PATH": path},
                    start_new_session=True,
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                )  # fmt: skip
            )
            wait_until_up(mlflow_port, "/health", servers[-1])
            mlflow = Client(mlflow_port, {})

        times: dict[str, list[float]] = {name: [] for name in
                                         ("portal create", "mlflow create", "portal version",
                                          "portal version w/o artefact", "portal artefact write",
                                          "mlflow version")}  # fmt: skip
        save_pipeline = artefacts.save_pipeline
        artefact_ms = [0.0]

        def timed_save(*a, **k):
            start = time.perf_counter()
            try:
                return save_pipeline(*a, **k)
            finally:
                artefact_ms[0] = (time.perf_counter() - start) * 1000

        artefacts.save_pipeline = timed_save  # the service calls it through the module
        queries = {}
        for index in range(args.models):
            counted = index >= args.warmup
            slug = f"bench-model-{index}"
            payload = {"name": f"Bench model {index}", "slug": slug, "owning_team": "fraud-signals",
                       "value_stream": "fraud"}  # fmt: skip
            status, body, ms = portal.post("/api/v1/models/", payload)
            assert status == 201, body[:300]
            if counted:
                times["portal create"].append(ms)
            if mlflow:
                status, body, ms = mlflow.post(
                    "/api/2.0/mlflow/registered-models/create", {"name": f"Bench model {index}"}
                )
                assert status == 200, body[:300]
                if counted:
                    times["mlflow create"].append(ms)
            model = RegisteredModel.objects.get(slug=slug)
            for _ in range(args.versions):
                with CaptureQueriesContext(connection) as captured:
                    start = time.perf_counter()
                    services.version_register(
                        registered_model=model, actor=staff, pipeline=pipeline, task="classification",
                        lineage=lineage, metrics={"roc_auc": 0.8}, baseline_metrics={"roc_auc": 0.5},
                    )  # fmt: skip
                    ms = (time.perf_counter() - start) * 1000
                queries.setdefault("portal version", len(captured))  # the first one (the log is bounded)
                if counted:
                    times["portal version"].append(ms)
                    times["portal artefact write"].append(artefact_ms[0])
                    times["portal version w/o artefact"].append(ms - artefact_ms[0])
                if mlflow:
                    status, body, ms = mlflow.post(
                        "/api/2.0/mlflow/model-versions/create",
                        {"name": f"Bench model {index}", "source": f"s3://bench/model-{index}"},
                    )
                    assert status == 200, body[:300]
                    if counted:
                        times["mlflow version"].append(ms)
        artefacts.save_pipeline = save_pipeline
        counted = args.models - args.warmup
        print(f"{counted} models x {args.versions} versions counted (after {args.warmup} warm-up models)")
        print(f"load average before {load_before[0]:.2f} {load_before[1]:.2f}, after "
              f"{os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")  # fmt: skip
        for name, values in times.items():
            if values:
                print(f"  {name:<28} {summary(values)} ms")
        print(f"  queries of one version registration (portal): {queries['portal version']}")
        print(f"  reconnects: portal {portal.reconnects}, MLflow {mlflow.reconnects if mlflow else '-'}")
        p50 = {name: statistics.median(values) for name, values in times.items() if values}
        if "mlflow create" in p50:
            met = p50["portal create"] <= p50["mlflow create"]
            print(f"VERDICT registered model create at most MLflow's (p50): {'met' if met else 'NOT met'} "
                  f"({p50['portal create']:.1f} vs {p50['mlflow create']:.1f} ms)")  # fmt: skip
        own, write = p50["portal version w/o artefact"], p50["portal artefact write"]
        print(f"VERDICT version registration at most {VERSION_BUDGET_MS} ms plus the artefact write (p50): "
              f"{'met' if own <= VERSION_BUDGET_MS else 'NOT met'} ({own:.1f} ms without the write; "
              f"the write {write:.1f} ms; the whole {p50['portal version']:.1f} ms)")  # fmt: skip
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        if args.mlflow:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{mlflow_db}"')
        if sys.exc_info()[0] is not None:
            print((Path(artefact_dir) / "servers.log").read_text()[-3000:])
        shutil.rmtree(artefact_dir, ignore_errors=True)
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
