"""Soak test: mixed traffic against gunicorn + Celery on PostgreSQL + Redis, bounded in time.

    DATABASE_URL=postgres://.../portal_soak CELERY_BROKER_URL=redis://127.0.0.1:6379/N \\
        .venv/bin/python benchmarks/soak.py [--minutes 10] [--clients 6]

Uses the database as it is (run `manage.py migrate` and `manage.py load_demo` on it first), starts
gunicorn with gunicorn.conf.py (3 workers, production settings) and one Celery worker for both
queues, then runs ``--clients`` threads of mixed traffic (page views of a signed-in person, API lists,
predictions of 1 and 1,000 rows, observation ingest, dataset uploads, a small training job whenever
the last one finished) for ``--minutes``.
Prints requests, errors (5xx or connection failures; 4xx are counted apart), p95 per endpoint, the
RSS of every gunicorn and Celery process at start (up and serving, before the traffic) and end, and
each gunicorn worker's RSS once a minute, with the load average. ``GUNICORN_MAX_REQUESTS=0`` in the
environment measures the workers themselves (no recycling during the run).
"""

import argparse
import contextlib
import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections import defaultdict
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("SOAK_PORT", "18555"))
ENV = os.environ | {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "soak-only-" + "k" * 40),
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_SECURE_COOKIES": "false",  # plain HTTP on 127.0.0.1: the session cookie must come back
    "GUNICORN_BIND": f"127.0.0.1:{PORT}",
    "GUNICORN_ACCESS_LOG": os.devnull,
    "OMP_NUM_THREADS": "1",
}
ROW = {"distance_km": 12.5, "items": 3, "carrier": "parcelco", "is_weekend": False, "warehouse_load": 0.6}


def request(method, path, token, body=None, content_type="application/json", cookie=None):
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
    headers = {"Authorization": f"Token {token}"} if token else {}
    if cookie:
        headers["Cookie"] = cookie
    if body is not None:
        headers["Content-Type"] = content_type
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def token_of(username):
    status, data = request(
        "POST", "/api/v1/auth/token/", None, json.dumps({"username": username, "password": "portal-demo"})
    )
    assert status == 200, (status, data[:200])
    return json.loads(data)["token"]


def session_of(username) -> str:
    """A browser session cookie, signed in through the login form as a person would."""
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
    connection.request("GET", "/login/")
    response = connection.getresponse()
    page = response.read().decode()
    csrf = response.getheader("Set-Cookie").split("csrftoken=")[1].split(";")[0]
    middleware = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    form = urllib.parse.urlencode(
        {"username": username, "password": "portal-demo", "csrfmiddlewaretoken": middleware}
    )
    headers = {"Cookie": f"csrftoken={csrf}", "Content-Type": "application/x-www-form-urlencoded"}
    connection.request("POST", "/login/", body=form, headers=headers)
    response = connection.getresponse()
    response.read()
    cookies = ";".join(response.headers.get_all("Set-Cookie") or [])
    assert response.status == 302 and "sessionid=" in cookies, (response.status, cookies[:200])
    return "sessionid=" + cookies.split("sessionid=")[1].split(";")[0]


def upload_body(team):
    boundary = uuid.uuid4().hex
    rows = "\n".join(f"{random.random():.4f},{random.choice('abc')},{i % 2}" for i in range(500))
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="team"\r\n\r\n{team}\r\n',
        f'--{boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nsoak\r\n',
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="soak.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\nx,kind,label\n{rows}\n\r\n--{boundary}--\r\n",
    ]
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"


def scenarios(tokens, session, model, kpi, team, training):
    member, staff = tokens["engineer"], tokens["platform"]
    big = json.dumps({"records": [dict(ROW, items=i % 9) for i in range(1000)]})
    one = json.dumps({"records": [ROW]})

    def ingest():
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        body = json.dumps([{"kpi": kpi, "time": now, "value": random.random(), "segment": "treatment"}])
        return request("POST", "/api/v1/observations/", staff, body)

    def upload():
        body, content_type = upload_body(team)
        return request("POST", "/api/v1/datasets/", staff, body, content_type)

    def train():
        """A small training job; the next one starts only once the last has finished (one worker)."""
        with training["lock"]:
            if training["job"]:
                status, data = request("GET", f"/api/v1/training-jobs/{training['job']}/", staff)
                if status == 200 and json.loads(data)["status"] in ("queued", "running"):
                    return status, data
            status, data = request("POST", "/api/v1/training-jobs/", staff, json.dumps(training["body"]))
            if status == 201:
                training["job"] = json.loads(data)["id"]
                training["started"] += 1
            return status, data

    def page(path):
        return lambda: request("GET", path, None, cookie=session)

    return [
        (8, "GET / (page)", page("/")),
        (6, "GET /models/ (page)", page("/models/")),
        (6, "GET /outcomes/ (page)", page("/outcomes/")),
        (4, "GET /requests/ (page)", page("/requests/")),
        (4, "GET /teams/ (page)", page("/teams/")),
        (1, "POST /api/v1/training-jobs/", train),
        (30, "GET /healthz", lambda: request("GET", "/healthz", None)),
        (40, "GET /api/v1/teams/", lambda: request("GET", "/api/v1/teams/", member)),
        (40, "GET /api/v1/models/", lambda: request("GET", "/api/v1/models/", member)),
        (20, "GET /api/v1/model-requests/", lambda: request("GET", "/api/v1/model-requests/", member)),
        (60, "POST predict 1 row", lambda: request("POST", f"/api/v1/models/{model}/predict/", member, one)),
        (
            20,
            "POST predict 1,000 rows",
            lambda: request("POST", f"/api/v1/models/{model}/predict/", member, big),
        ),
        (15, "POST /api/v1/observations/", ingest),
        (2, "POST /api/v1/datasets/", upload),
    ]


TOKENS = {}


def prepare():
    """Once gunicorn answers: tokens, the demo rows the mix uses, the mix and the training state."""
    for _ in range(120):
        try:
            TOKENS.update({name: token_of(name) for name in ("engineer", "platform")})
            break
        except OSError:
            time.sleep(0.5)
    tokens = TOKENS
    _, data = request("GET", "/api/v1/models/?stage=production", tokens["engineer"])
    models = json.loads(data)["results"]
    model = next((m["slug"] for m in models if m["slug"] == "delivery-eta"), models[0]["slug"])
    kpi = json.loads(request("GET", "/api/v1/kpis/", tokens["platform"])[1])["results"][0]["id"]
    team = json.loads(request("GET", "/api/v1/teams/", tokens["platform"])[1])["results"][0]["slug"]
    datasets = json.loads(request("GET", "/api/v1/datasets/?status=ready", tokens["platform"])[1])
    dataset = next(d for d in datasets["results"] if d["name"] == "checkout-sessions")
    body = {"dataset_version": dataset["id"], "target": "converted", "estimator": "logistic_regression",
            "cv_folds": 3}  # fmt: skip
    training = {"lock": threading.Lock(), "job": None, "started": 0, "body": body}
    return scenarios(tokens, session_of("engineer"), model, kpi, team, training), training


def memory(*leaders) -> dict:
    """RSS (MB) of the started processes and their children (gunicorn workers, Celery pool)."""
    found = {}
    for leader in leaders:
        with contextlib.suppress(psutil.Error):
            parent = psutil.Process(leader.pid)
            for process in [parent, *parent.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    name = " ".join(process.cmdline()[1:4])[-50:]
                    found[process.pid] = (name, process.memory_info().rss / 1024 / 1024)
    return found


@contextlib.contextmanager
def stack(env: dict):
    """gunicorn (gunicorn.conf.py) and one Celery worker for both queues, stopped on the way out."""
    celery = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--queues=default,training",
              "--concurrency=1", "--loglevel=WARNING"]  # fmt: skip
    web = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"], cwd=ROOT, env=env)
    worker = subprocess.Popen(celery, cwd=ROOT, env=env)
    try:
        yield web, worker
    finally:
        for process in (web, worker):
            process.terminate()
        for process in (web, worker):
            process.wait(timeout=60)


def workers_of(web) -> dict:
    """RSS (MB) of each gunicorn worker now."""
    found = {}
    for child in psutil.Process(web.pid).children():
        with contextlib.suppress(psutil.Error):
            found[child.pid] = child.memory_info().rss / 1024 / 1024
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--clients", type=int, default=6)
    args = parser.parse_args()
    with stack(ENV) as (web, worker):
        mix, training = prepare()
        tokens = TOKENS
        weights = [weight for weight, *_ in mix]
        time.sleep(5)  # the worker's first heartbeat
        start_memory = memory(web, worker)
        samples, errors, refused = defaultdict(list), defaultdict(int), defaultdict(int)
        lock = threading.Lock()
        deadline = time.monotonic() + args.minutes * 60

        def client():
            while time.monotonic() < deadline:
                _, name, call = random.choices(mix, weights)[0]
                started = time.perf_counter()
                try:
                    status, _ = call()
                except OSError:
                    status = 599
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    samples[name].append(elapsed)
                    if status >= 500:
                        errors[name] += 1
                    elif status >= 400:
                        refused[name] += 1

        timeline = [(0.0, os.getloadavg()[0], workers_of(web))]

        def sample():
            """Each gunicorn worker's RSS once a minute: growth, a plateau, or a recycled process."""
            while time.monotonic() < deadline - 1:
                time.sleep(min(60, max(0, deadline - time.monotonic() - 1)))
                elapsed = (time.monotonic() - deadline) / 60 + args.minutes
                timeline.append((elapsed, os.getloadavg()[0], workers_of(web)))

        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for thread in [*threads, threading.Thread(target=sample, daemon=True)]:
            thread.start()
        for thread in threads:
            thread.join()
        end_memory = memory(web, worker)
        timeline.append((args.minutes, os.getloadavg()[0], workers_of(web)))
        total = sum(len(values) for values in samples.values())
        print(f"{args.minutes:g} min, {args.clients} clients, load average {os.getloadavg()}")
        print(f"requests {total}, errors {sum(errors.values())}, 4xx {sum(refused.values())}")
        if training["job"]:
            last = json.loads(
                request("GET", f"/api/v1/training-jobs/{training['job']}/", tokens["platform"])[1]
            )
            print(f"training jobs started {training['started']}, the last one {last['status']}")
        print(f"{'endpoint':<28} {'requests':>8} {'errors':>6} {'4xx':>5} {'p50 ms':>8} {'p95 ms':>8}")
        for name, values in sorted(samples.items()):
            values.sort()
            p50, p95 = values[len(values) // 2], values[int(len(values) * 0.95)]
            print(f"{name:<28} {len(values):>8} {errors[name]:>6} {refused[name]:>5} {p50:>8.1f} {p95:>8.1f}")
        recycling = ENV.get("GUNICORN_MAX_REQUESTS", "as in gunicorn.conf.py")
        print(f"process RSS (MB) start -> end (gunicorn max_requests: {recycling})")
        for pid, (line, rss) in sorted(start_memory.items()):
            end = end_memory.get(pid, (line, float("nan")))[1]
            gone = "  (exited during the run: recycled by max_requests)" if pid not in end_memory else ""
            print(f"  {pid:>7} {rss:>7.1f} -> {end:>7.1f}  {line}{gone}")
        pids = sorted({pid for *_, found in timeline for pid in found})
        print("gunicorn workers' RSS (MB) by minute: minute, load average, then one column per worker")
        print(" " * 14 + "".join(f"{pid:>9}" for pid in pids))
        for elapsed, load, found in timeline:
            cells = "".join(f"{found[pid]:>9.1f}" if pid in found else f"{'-':>9}" for pid in pids)
            print(f"{elapsed:>6.1f} {load:>6.1f} {cells}")


if __name__ == "__main__":
    main()
