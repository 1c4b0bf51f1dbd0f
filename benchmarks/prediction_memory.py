"""Memory of a web process under 1,000-row prediction traffic.

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/prediction_memory.py [--calls 3000] [--rows 1000]
        [--server] [--trace]

Creates a throwaway test database with the same production model as ``registry_predict.py``, then
posts ``--calls`` predictions of ``--rows`` rows, printing resident memory (RSS) every ``--every``
calls: with ``--server``, of a real gunicorn worker (``gunicorn.conf.py``, one process) over one
kept-alive connection; without, of this process through Django's test client (which itself keeps a
little per request). ``--trace`` (in process) prints the allocation sites that grew most.
Target: flat after warm-up (growth < 50 MB over a few thousand calls).
"""

import argparse
import gc
import json
import logging
import os
import sys
import threading
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("PORTAL_MONITORING_FLUSH_SECONDS", "5")

from registry_predict import build_fixture  # noqa: E402 - sets up Django

# isort: split
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from apps.outcomes.recorder import recorder  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def gunicorn_worker(database: str):
    """Start gunicorn with the shipped configuration on ``database``; (server, worker pid, port)."""
    import socket
    import subprocess

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + database
    env = os.environ | {
        "DATABASE_URL": url,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_ACCESS_LOG": os.devnull,
        "GUNICORN_MAX_REQUESTS": "0",  # measure the process, not its recycling
    }
    root = Path(__file__).resolve().parent.parent
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"], cwd=root, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        if children:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return server, int(children[0]), port
            except OSError:
                pass
        time.sleep(0.3)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def rss_of(pid: int) -> float:
    with open(f"/proc/{pid}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def run_server(args, token: str, body: str) -> None:
    import http.client
    from concurrent.futures import ThreadPoolExecutor

    server, pid, port = gunicorn_worker(connection.settings_dict["NAME"])
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    local = threading.local()

    def post(_=None):
        if not hasattr(local, "client"):
            local.client = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        local.client.request("POST", "/api/v1/models/bench-scorer/predict/", body=body, headers=headers)
        response = local.client.getresponse()
        response.read()
        assert response.status == 200, response.status

    try:
        with ThreadPoolExecutor(args.connections) as pool:
            list(pool.map(post, range(20 * args.connections)))
            start = rss_of(pid)
            load = os.getloadavg()[0]
            print(f"calls  worker RSS   ({args.connections} connections, load average {load:.2f})")
            print(f"{0:>5} {start:>7.1f} MB")
            started = time.perf_counter()
            for done in range(args.every, args.calls + 1, args.every):
                list(pool.map(post, range(args.every)))
                print(f"{done:>5} {rss_of(pid):>7.1f} MB")
        print(
            f"growth {rss_of(pid) - start:+.1f} MB over {args.calls} calls of {args.rows} rows "
            f"({time.perf_counter() - started:.0f} s)"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--every", type=int, default=250)
    parser.add_argument("--trace", action="store_true")
    parser.add_argument("--server", action="store_true")
    parser.add_argument("--connections", type=int, default=1, help="with --server: concurrent clients")
    args = parser.parse_args()
    logging.getLogger("django.request").setLevel(logging.ERROR)
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        token, _, frame = build_fixture()
        client = Client(HTTP_AUTHORIZATION=f"Token {token}")
        url = "/api/v1/models/bench-scorer/predict/"
        body = json.dumps(
            {"records": frame.head(args.rows).to_dict(orient="records")}, default=lambda v: v.item()
        )
        if args.server:
            run_server(args, token, body)
            return
        for _ in range(20):  # warm up: imports, pipeline cache, connection
            assert client.post(url, body, content_type="application/json").status_code == 200
        gc.collect()
        start = rss_mb()
        if args.trace:
            tracemalloc.start(25)
            before = tracemalloc.take_snapshot()
        print(f"calls       RSS   (uptime load: {os.getloadavg()[0]:.2f})")
        print(f"{0:>5} {start:>7.1f} MB")
        started = time.perf_counter()
        for call in range(1, args.calls + 1):
            response = client.post(url, body, content_type="application/json")
            assert response.status_code == 200
            if call % args.every == 0:
                print(f"{call:>5} {rss_mb():>7.1f} MB")
        elapsed = time.perf_counter() - started
        gc.collect()
        end = rss_mb()
        print(f"growth {end - start:+.1f} MB over {args.calls} calls of {args.rows} rows ({elapsed:.0f} s)")
        if args.trace:
            after = tracemalloc.take_snapshot()
            for stat in after.compare_to(before, "traceback")[:8]:
                print(f"{stat.size_diff / 1024:+.0f} KiB in {stat.count_diff:+} blocks")
                for line in stat.traceback.format()[-12:]:
                    print("   ", line)
    finally:
        recorder.flush()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
