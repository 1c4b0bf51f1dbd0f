"""`make run` from a fresh clone to a healthy /healthz, as a new user's first run (issue: "Fast everywhere").

    python benchmarks/first_run.py                 # empty package cache (a brand-new machine)
    python benchmarks/first_run.py --warm-cache    # a second clone on a machine that installed once

Clones the committed HEAD of this checkout into a temporary folder, runs `make run` there on a free
port, and prints when each phase's first line appeared (install, migrate, demo, banner) and when
/healthz first answered 200 with everything "ok". Stops the portal with SIGTERM, like Ctrl-C.
"""

import argparse
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHASES = {
    "install": "Installing the portal",
    "migrate": "Migrating the database",
    "demo": "Loading the demo organisation",
    "serve": "Collecting the static files",
    "banner": "ML portal:",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


last_answer = {"healthz": "no answer yet"}


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except urllib.error.HTTPError as error:
        last_answer["healthz"] = f"{error.code} {error.read().decode(errors='replace')}"
    except OSError as error:
        last_answer["healthz"] = str(error)
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm-cache", action="store_true", help="reuse the package caches")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="portal-first-run-") as tmp:
        clone = Path(tmp) / "portal"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        env = os.environ | {"PORT": str(free_port())}
        for name in ("DATABASE_URL", "CELERY_BROKER_URL", "PORTAL_VAR_DIR", "VIRTUAL_ENV"):
            env.pop(name, None)
        if not args.warm_cache:
            env |= {"UV_CACHE_DIR": str(Path(tmp) / "uv-cache"), "PIP_NO_CACHE_DIR": "1"}
        port = int(env["PORT"])
        seen: dict[str, float] = {}
        load_before = os.getloadavg()[0]
        start = time.monotonic()
        process = subprocess.Popen(
            ["make", "run"],
            cwd=clone,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )

        def read_output():
            for line in process.stdout:
                for phase, marker in PHASES.items():
                    if phase not in seen and marker in line:
                        seen[phase] = time.monotonic() - start

        threading.Thread(target=read_output, daemon=True).start()
        healthy_after = None
        while time.monotonic() - start < args.timeout and process.poll() is None:
            if healthy(port):
                healthy_after = time.monotonic() - start
                break
            time.sleep(0.25)
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        time.sleep(0.5)
        cache = "warm" if args.warm_cache else "empty"
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(
            f"package cache: {cache}; load average {load_before:.2f} at the start, "
            f"{os.getloadavg()[0]:.2f} at the end; CPU of the run {usage.ru_utime + usage.ru_stime:.1f} s"
        )
        for phase in PHASES:
            if phase in seen:
                print(f"  {phase:<8} started at {seen[phase]:6.1f} s")
        if healthy_after is None:
            print(f"  /healthz never became healthy; its last answer: {last_answer['healthz']}")
            sys.exit(1)
        print(f"  /healthz healthy at {healthy_after:6.1f} s")


if __name__ == "__main__":
    main()
