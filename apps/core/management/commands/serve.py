"""`make run`: the web server and a real Celery worker (with beat), stopped together by Ctrl-C."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from apps.teams.demo import DEMO_LOGINS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Run the portal: web server on $PORT (default 8000) and a Celery worker with beat."

    def add_arguments(self, parser):
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))

    def handle(self, *args, host, port, **options):
        python = sys.executable
        worker = subprocess.Popen(
            [
                python,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--beat",
                "--loglevel=INFO",
                "--queues=default,training",
                "--concurrency=2",
                f"--schedule={settings.CELERY_BEAT_SCHEDULE_FILENAME}",
            ]
        )
        web = subprocess.Popen([python, "manage.py", "runserver", "--noreload", f"{host}:{port}"])
        self._announce(host, port)
        try:
            while worker.poll() is None and web.poll() is None:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for process in (web, worker):
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in (web, worker):
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.stdout.write("Stopped the web server and the worker.")

    def _announce(self, host, port):
        width = max(len(login) for login, *_ in DEMO_LOGINS)
        lines = [
            "",
            f"  ML portal:  http://{host}:{port}/",
            f"  API docs:   http://{host}:{port}/api/docs/     health: http://{host}:{port}/healthz",
            f"  Demo logins (password for all: {DEMO_PASSWORD}):",
            *(f"    {login.ljust(width)}  {what}" for login, _, _, _, what in DEMO_LOGINS),
            "  Ctrl-C stops the web server and the worker.",
            "",
        ]
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))
