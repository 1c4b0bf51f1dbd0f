"""`make run`: the web server, a real Celery worker and beat, stopped together by Ctrl-C.

They run without DEBUG, as in production: visitors see the portal's own 404/403/500 pages (never
Django's debug page with settings and a traceback) and compressed static files with hashed names,
collected while the worker starts. Plain HTTP on the loopback: no HTTPS redirect, no HTTPS-only
cookies, a secret key made once under var/. `DJANGO_DEBUG=true make run` brings the debug pages back.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time

import environ
from celery import current_app as app  # the project's app (portal.celery)
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from apps.core import demo


def _debug(value: str) -> bool:
    return value.lower() in environ.Env.BOOLEAN_TRUE_STRINGS


def _stop_like_ctrl_c(signum, frame):
    raise KeyboardInterrupt


def _start_logging_to(log_file, command, env) -> subprocess.Popen:
    """Start ``command`` as the leader of its own process group, its output appended to ``log_file``."""
    with open(log_file, "ab") as log:
        return subprocess.Popen(
            command, start_new_session=True, env=env, stdout=log, stderr=subprocess.STDOUT
        )


class Command(BaseCommand):
    help = "Run the portal: web server on $PORT (default 8000) and a Celery worker with beat."

    def add_arguments(self, parser):
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        # `make run` passes both: in this process they spare two start-ups of Django and scikit-learn
        # (about 3 s of CPU each) on the way to the first page.
        parser.add_argument("--migrate", action="store_true", help="apply migrations first")
        parser.add_argument("--demo", action="store_true", help="then load the demo (areas not yet loaded)")

    def _environment(self) -> dict[str, str]:
        """The children's environment: DEBUG off unless DJANGO_DEBUG is set, then settings for local HTTP."""
        env = dict(os.environ)
        if _debug(env.setdefault("DJANGO_DEBUG", "false")):
            return env
        env.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
        env.setdefault("PORTAL_LOG_FORMAT", "console")  # a terminal, not a log collector
        env.setdefault("DJANGO_SECURE_COOKIES", "false")
        if not env.get("DJANGO_SECRET_KEY"):
            key_file = settings.VAR_DIR / "secret_key"
            if not key_file.exists():
                key_file.touch(mode=0o600)
                key_file.write_text(secrets.token_urlsafe(50))
            env["DJANGO_SECRET_KEY"] = key_file.read_text().strip()
        return env

    def handle(self, *args, host, port, migrate, demo, **options):
        if migrate:
            self.stdout.write("Migrating the database...")
            call_command("migrate", interactive=False, verbosity=0)
        if demo:
            self.stdout.write("Loading the demo organisation...")
            call_command("load_demo")
        env = self._environment()
        celery = [sys.executable, "-m", "celery", "--app=portal"]
        # The worker's and beat's output goes to files so the terminal shows the banner and the web
        # requests: their whole streams, not only Celery's --logfile, because the portal's logging
        # (structlog) writes to stderr and the quick start's mail backend prints each mail.
        logs = settings.VAR_DIR / "log"
        logs.mkdir(exist_ok=True)
        web = [sys.executable, "manage.py", "runserver", "--noreload", f"{host}:{port}"]
        commands = {
            "worker": [*celery, "worker", "--loglevel=INFO", "--queues=default,training", "--concurrency=2"],
            # Beat runs as its own process: embedded beat (`worker --beat`) ignores SIGTERM.
            "beat": [*celery, "beat", "--loglevel=INFO", "-s", settings.CELERY_BEAT_SCHEDULE_FILENAME],
        }
        # Each child leads its own process group, so a last-resort SIGKILL also reaches its pool processes.
        processes = {
            name: _start_logging_to(logs / f"{name}.log", cmd, env) for name, cmd in commands.items()
        }
        signal.signal(signal.SIGTERM, _stop_like_ctrl_c)
        try:
            if not _debug(env["DJANGO_DEBUG"]):
                # While the worker starts (~15 s): hashed, compressed copies for the web server to serve.
                self.stdout.write("Collecting the static files...")
                collect = [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity=0"]
                subprocess.run(collect, env=env, check=True)
            processes["web"] = subprocess.Popen(web, start_new_session=True, env=env)
            self._wait_for_worker(processes["worker"])
            self._wait_for_web(host, port)
            self._announce(host, port, logs)
            while all(process.poll() is None for process in processes.values()):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self._stop(processes)
        self.stdout.write("Stopped the web server, the worker and beat.")

    def _stop(self, processes: dict) -> None:
        running = {name: process for name, process in processes.items() if process.poll() is None}
        for process in running.values():
            # The leader only: a Celery worker then stops its own pool (warm shutdown, ~10 s on the
            # filesystem broker). Terminating the pool processes beside it left the worker waiting.
            process.send_signal(signal.SIGTERM)
        for name, process in running.items():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                self.stderr.write(f"The {name} did not stop within 30 s of SIGTERM; killed it.")

    def _wait_for_worker(self, worker: subprocess.Popen, timeout: float = 120) -> None:
        """The banner comes last, once the worker answers: a job started from it then runs at once."""
        self.stdout.write("Starting the web server and the worker...")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and worker.poll() is None:
            if app.control.ping(timeout=0.5):
                return
        self.stderr.write("The worker did not answer within 2 minutes; see var/log/worker.log.")

    def _wait_for_web(self, host, port, timeout: float = 60) -> None:
        """...and once the web server accepts connections, so its start-up lines come before the banner."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                socket.create_connection((host, int(port)), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.2)

    def _announce(self, host, port, logs):
        password, logins = demo.logins()
        width = max(len(login) for login, _ in logins)
        lines = [
            "",
            f"  ML portal:  http://{host}:{port}/",
            f"  API docs:   http://{host}:{port}/api/docs/     health: http://{host}:{port}/healthz",
            f"  Demo logins (password for all: {password}):",
            *(f"    {login.ljust(width)}  {what}" for login, what in logins),
            f"  Worker and beat logs: {logs}/",
            "  Ctrl-C stops the web server, the worker and beat.",
            "",
        ]
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))
