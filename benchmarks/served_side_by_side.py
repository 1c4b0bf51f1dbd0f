"""The portal's prediction endpoint under gunicorn and ``mlflow models serve``, side by side on the
loopback, the same fitted pipeline behind both, the same number of server processes
(``registry_predict.py --mlflow``; MLflow lives in its own environment, never the portal's).

- latency: 1-row and 1,000-row requests on one kept-alive connection per server, alternating
  portal/MLflow call by call so that load bursts on the shared machine hit both alike (p50, p90);
- throughput: 1-row requests from 16 and 32 kept-alive connections at once (closed loop, each
  connection sends its next request when the answer arrives), for a fixed time per server, the
  servers taking turns; the clients run in two processes so the client's GIL is not the limit.

MLflow serves the pipeline saved with ``mlflow.sklearn.save_model(pyfunc_predict_fn="predict_proba")``,
so both compute the same probabilities. Connections opened are counted (a keep-alive server reuses
one per client)."""

import http.client
import json
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import skops.io
from registry_writes import ROOT, free_port, pg_url, wait_until_up

SAVE_FOR_MLFLOW = """
import sys, skops.io, mlflow.sklearn
pipeline = skops.io.load(sys.argv[1], trusted=skops.io.get_untrusted_types(file=sys.argv[1]))
mlflow.sklearn.save_model(pipeline, sys.argv[2], pyfunc_predict_fn="predict_proba")
"""


LATENCY_TARGET = {1: 0.35, 1000: 0.4}  # portal p50 / MLflow p50, at most (issue 14)
THROUGHPUT_TARGET = 2.5  # portal requests per second / MLflow's, at least, same number of processes


class Connection:
    """One kept-alive HTTP/1.1 connection that counts how many TCP connections it had to open."""

    def __init__(self, port: int, path: str, headers: dict):
        self.port, self.path = port, path
        self.headers = {"Content-Type": "application/json", **headers}
        self.conn: http.client.HTTPConnection | None = None
        self.opened = 0

    def post(self, body: bytes) -> tuple[int, float]:
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                self.opened += 1
            start = time.perf_counter()
            try:
                self.conn.request("POST", self.path, body, self.headers)
                response = self.conn.getresponse()
                response.read()
            except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            if response.will_close:
                self.conn.close()
                self.conn = None
            return response.status, (time.perf_counter() - start) * 1000
        raise AssertionError("unreachable")


def _client_process(port, path, headers, body, threads, seconds, start_at, results):
    """``threads`` connections in closed loop until ``start_at + seconds``; puts (ok, errors, opened)."""
    import threading

    connections = [Connection(port, path, headers) for _ in range(threads)]
    counts = [[0, 0] for _ in range(threads)]
    while time.time() < start_at:
        time.sleep(0.001)
    stop_at = start_at + seconds

    def loop(index):
        connection, count = connections[index], counts[index]
        while time.time() < stop_at:
            try:
                status, _ = connection.post(body)
            except OSError:
                status = 0
            count[0 if status == 200 else 1] += 1

    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put((sum(c[0] for c in counts), sum(c[1] for c in counts), sum(c.opened for c in connections)))


def throughput(port, path, headers, body, connections: int, seconds: float, processes: int = 2) -> dict:
    results: multiprocessing.Queue = multiprocessing.Queue()
    start_at = time.time() + 1.0
    shares = [connections // processes + (i < connections % processes) for i in range(processes)]
    clients = [
        multiprocessing.Process(
            target=_client_process, args=(port, path, headers, body, share, seconds, start_at, results)
        )
        for share in shares
    ]
    for client in clients:
        client.start()
    totals = [results.get(timeout=seconds + 120) for _ in clients]
    for client in clients:
        client.join()
    ok, errors, opened = (sum(values) for values in zip(*totals, strict=True))
    return {"per_second": ok / seconds, "errors": errors, "connections": opened}


def latency(calls: dict, repeat: int) -> dict[str, tuple[float, float]]:
    """p50 and p90 (ms) per named call; the calls alternate one by one."""
    for _ in range(min(20, repeat)):
        for call in calls.values():
            call()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeat):
        for name, call in calls.items():
            status, ms = call()
            assert status == 200, (name, status)
            samples[name].append(ms)
    return {
        name: (statistics.median(values), sorted(values)[int(len(values) * 0.9)])
        for name, values in samples.items()
    }


def _start(command, env, log) -> subprocess.Popen:
    return subprocess.Popen(
        command, cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=log
    )


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:  # it exited already (its log says why)
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def run(*, database: str, token: str, slug: str, pipeline, frame, mlflow: str, args) -> None:
    """Start both servers with ``args.processes`` processes each, measure, print, stop them."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-predict-mlflow-"))
    log = open(workdir / "servers.log", "w")  # noqa: SIM115 (closed below)
    servers = []
    try:
        skops.io.dump(pipeline, workdir / "pipeline.skops")
        python = str(Path(mlflow).with_name("python"))
        subprocess.run(
            [python, "-c", SAVE_FOR_MLFLOW, str(workdir / "pipeline.skops"), str(workdir / "model")],
            check=True,
        )
        portal_port, mlflow_port = free_port(), free_port()
        env = os.environ | {
            "DATABASE_URL": pg_url(database),
            "GUNICORN_BIND": f"127.0.0.1:{portal_port}",
            "GUNICORN_WORKERS": str(args.processes),
            "GUNICORN_ACCESS_LOG": "/dev/null",
            "PORTAL_LOG_LEVEL": "WARNING",
            "DJANGO_DEBUG": "false",
        }
        servers.append(_start([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                               "--log-level", "warning"], env, log))  # fmt: skip
        mlflow_env = os.environ | {
            "MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT": "60",
            # it starts uvicorn by name: its own environment's, not whatever PATH finds first
            "PATH": f"{Path(mlflow).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        servers.append(_start([mlflow, "models", "serve", "-m", str(workdir / "model"), "--env-manager",
                               "local", "--host", "127.0.0.1", "--port", str(mlflow_port),
                               "--workers", str(args.processes)], mlflow_env, log))  # fmt: skip
        wait_until_up(portal_port, "/healthz", servers[0])
        wait_until_up(mlflow_port, "/ping", servers[1])
        portal = (portal_port, f"/api/v1/models/{slug}/predict/", {"Authorization": f"Token {token}"})
        served = (mlflow_port, "/invocations", {})

        def bodies(rows: int) -> tuple[bytes, bytes]:
            records = json.loads(frame.head(rows).to_json(orient="records"))
            return json.dumps({"records": records}).encode(), json.dumps(
                {"dataframe_records": records}
            ).encode()

        print(f"{args.processes} server processes each; load average {os.getloadavg()[0]:.2f} before")
        print("rows  portal p50 / p90   MLflow p50 / p90   portal / MLflow (p50)")
        verdicts = []
        for rows in (1, 1000):
            portal_body, mlflow_body = bodies(rows)
            portal_conn, mlflow_conn = Connection(*portal), Connection(*served)
            times = latency(
                {"portal": lambda c=portal_conn, b=portal_body: c.post(b),
                 "mlflow": lambda c=mlflow_conn, b=mlflow_body: c.post(b)},
                args.repeat if rows == 1 else max(50, args.repeat // 4),
            )  # fmt: skip
            (p50, p90), (m50, m90) = times["portal"], times["mlflow"]
            verdicts.append((f"{rows}-row p50 at most {LATENCY_TARGET[rows]}x MLflow's", p50 / m50,
                             p50 / m50 <= LATENCY_TARGET[rows]))  # fmt: skip
            print(f"{rows:>5} {p50:7.2f} / {p90:7.2f} ms {m50:7.2f} / {m90:7.2f} ms   {p50 / m50:.2f}x   "
                  f"(connections opened: portal {portal_conn.opened}, MLflow {mlflow_conn.opened}; "
                  f"load {os.getloadavg()[0]:.2f})")  # fmt: skip
        portal_body, mlflow_body = bodies(1)
        print("connections  portal req/s   MLflow req/s   portal / MLflow")
        for connections in (16, 32):
            rounds: dict[str, list[dict]] = {"portal": [], "mlflow": []}
            for index in range(args.rounds):  # the servers take turns, first one then the other
                order = [("portal", portal, portal_body), ("mlflow", served, mlflow_body)]
                for name, target, body in order if index % 2 == 0 else order[::-1]:
                    rounds[name].append(throughput(*target, body, connections, args.seconds))
            p = statistics.median(r["per_second"] for r in rounds["portal"])
            m = statistics.median(r["per_second"] for r in rounds["mlflow"])
            errors = {name: sum(r["errors"] for r in values) for name, values in rounds.items()}
            opened = {name: [r["connections"] for r in values] for name, values in rounds.items()}
            print(
                f"{connections:>11} {p:11.0f} {m:14.0f}   {p / m:.2f}x   (errors {errors}; connections "
                f"opened per round {opened}; load {os.getloadavg()[0]:.2f})"
            )
            target = f"1-row throughput at {connections} connections at least {THROUGHPUT_TARGET}x MLflow's"
            verdicts.append((target, p / m, p / m >= THROUGHPUT_TARGET))
        print(f"load average after {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        for target, ratio, met in verdicts:
            print(f"VERDICT {target}: {'met' if met else 'NOT met'} ({ratio:.2f}x)")
    finally:
        for server in servers:
            _stop(server)
        log.close()
        if sys.exc_info()[0] is not None:
            print((workdir / "servers.log").read_text()[-3000:])
