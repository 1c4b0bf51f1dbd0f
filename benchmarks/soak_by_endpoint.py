"""Which part of the soak's mix makes a web worker grow: the soak's endpoints one at a time against
one gunicorn worker (gunicorn.conf.py, `max_requests` off), reading the worker's RSS.

    DATABASE_URL=postgres://.../portal_soak CELERY_BROKER_URL=redis://127.0.0.1:6379/N \\
        .venv/bin/python benchmarks/soak_by_endpoint.py [--calls 200] [--endpoint "GET /models/ (page)"]

For each endpoint, in the soak's order: RSS before its first call, after its first call (what a
first use costs once: imports, templates, caches) and after ``--calls`` more calls (growth).
Same database preparation as soak.py.
"""

import argparse
import json
import os
import sys
import time

import psutil

sys.path.insert(0, os.path.dirname(__file__))
import soak  # noqa: E402


def worker_rss(web) -> float:
    children = psutil.Process(web.pid).children()
    assert len(children) == 1, children
    return children[0].memory_info().rss / 1024 / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--every", type=int, default=0, help="also print RSS every this many calls")
    parser.add_argument("--endpoint", action="append", help="only these (names as soak.py prints them)")
    args = parser.parse_args()
    env = soak.ENV | {"GUNICORN_WORKERS": "1", "GUNICORN_MAX_REQUESTS": "0"}
    with soak.stack(env) as (web, _):
        mix, training = soak.prepare()
        time.sleep(5)
        print(f"worker up and serving: {worker_rss(web):.1f} MB, load average {os.getloadavg()}")
        print(f"{'endpoint':<28} {'before':>8} {'1st call':>9} {f'+{args.calls} calls':>11} {'growth':>7}")
        for _, name, call in mix:
            if args.endpoint and name not in args.endpoint:
                continue
            before = worker_rss(web)
            call()
            first = worker_rss(web)
            training_job = name == "POST /api/v1/training-jobs/"
            for calls in range(1, (3 if training_job else args.calls) + 1):
                while training_job and _running(training):  # one job at a time, each to its end
                    time.sleep(2)
                status, data = call()
                assert status < 500, (name, status, data[:300])
                if args.every and calls % args.every == 0:
                    print(f"  {name} after {calls} calls: {worker_rss(web):.1f} MB", flush=True)
            after = worker_rss(web)
            growth = f"{first - before:>+9.1f} {after - first:>+11.1f} {after - before:>+7.1f}"
            print(f"{name:<28} {before:>8.1f} {growth}")
        print(f"end: {worker_rss(web):.1f} MB, load average {os.getloadavg()}")


def _running(training) -> bool:
    if not training["job"]:
        return False
    status, data = soak.request("GET", f"/api/v1/training-jobs/{training['job']}/", soak.TOKENS["platform"])
    return status == 200 and json.loads(data)["status"] in ("queued", "running")


if __name__ == "__main__":
    main()
