"""`/healthz` answer time under gunicorn with a real Celery worker, healthy and while the worker starts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench CELERY_BROKER_URL=redis://127.0.0.1:6379/N \
        .venv/bin/python benchmarks/healthz.py [--calls 500]

Creates (and drops) its own test database, starts one gunicorn process (`gunicorn.conf.py`) and one
`celery worker -Q default,training`, waits until /healthz is healthy and then times ``--calls`` GETs
on one kept-alive connection (target: p50 under 50 ms). Then it stops the worker, starts a new one
and times every answer until /healthz is healthy again: while no heartbeat is fresh the check falls
back to a broadcast, which bounds those answers (about 1 s), not the healthy ones.
"""

import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import django_env  # noqa: F401, I001 (settings and django.setup() before the imports below)
from django.db import connection
from django.test.utils import setup_test_environment
from registry_writes import GUNICORN, free_port, one_gunicorn_env, summary, wait_until_up
from served_side_by_side import _start, _stop

TARGET_MS = 50


def get(conn: http.client.HTTPConnection) -> tuple[int, dict, float]:
    start = time.perf_counter()
    conn.request("GET", "/healthz")
    response = conn.getresponse()
    body = json.loads(response.read())
    return response.status, body, (time.perf_counter() - start) * 1000


def start_worker(env, log):
    celery = [sys.executable, "-m", "celery", "--app=portal", "worker", "--loglevel=WARNING"]
    return _start([*celery, "--queues=default,training", "--concurrency=1"], env, log)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    load_before = os.getloadavg()
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    port = free_port()
    env = one_gunicorn_env(test_name, port)
    log = tempfile.NamedTemporaryFile("w", prefix="bench-healthz-", suffix=".log", delete=False)  # noqa: SIM115
    servers = [_start(GUNICORN, env, log), start_worker(env, log)]
    try:
        wait_until_up(port, "/healthz", servers[0])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        deadline = time.monotonic() + 180
        while get(conn)[0] != 200:
            if time.monotonic() > deadline:
                raise SystemExit(f"/healthz not healthy within 180 s; see {log.name}")
            time.sleep(0.5)
        for _ in range(20):  # warm-up
            get(conn)
        healthy = []
        for _ in range(args.calls):
            status, body, ms = get(conn)
            assert status == 200, body
            healthy.append(ms)

        _stop(servers.pop())
        servers.append(start_worker(env, log))
        starting, started = [], time.monotonic()
        while True:
            status, body, ms = get(conn)
            starting.append(ms)
            if status == 200:
                break
            time.sleep(0.2)
        healthy_again = time.monotonic() - started
    finally:
        for server in servers:
            _stop(server)
        connection.creation.destroy_test_db(old_name, verbosity=0)

    p50 = statistics.median(healthy)
    print(f"load average {load_before[0]:.2f} at the start, {os.getloadavg()[0]:.2f} at the end")
    print(f"healthy, {len(healthy)} calls on one kept-alive connection (ms): {summary(healthy)}  "
          f"max {max(healthy):7.2f}")  # fmt: skip
    print(f"while a new worker starts, {len(starting)} answers until healthy again after "
          f"{healthy_again:.1f} s (ms): {summary(starting)}  max {max(starting):7.2f}")  # fmt: skip
    verdict = "met" if p50 < TARGET_MS else "NOT met"
    print(f"target: healthy p50 under {TARGET_MS} ms: {verdict} ({p50:.2f} ms)")
    Path(log.name).unlink()


if __name__ == "__main__":
    main()
