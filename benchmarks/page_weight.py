"""Bytes on the wire and load times of the charted pages in a fresh headless Chromium.

    python benchmarks/page_weight.py [--checkout DIR] [--debug]

Migrates a throw-away SQLite database under a temporary folder, loads the demo, serves DIR (default:
this checkout) with `manage.py runserver` the way `manage.py serve` does (DJANGO_DEBUG=false after
collectstatic; --debug: with DEBUG on, as the quick start ran before issue 16), signs in as a demo
user and opens each page in a new browser context (empty cache) three times, printing the median
DOMContentLoaded and load times and the bytes transferred (compressed sizes, from Resource Timing).
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PAGES = ["/outcomes/", "/outcomes/streams/supply/", "/practices/", "/requests/flow/", "/teams/"]
MEASURE = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const resources = performance.getEntriesByType("resource");
  return {
    dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
    bytes: nav.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
    plotly: resources.filter(r => r.name.includes("plotly")).reduce((s, r) => s + r.transferSize, 0),
  };
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkout", default=str(ROOT))
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    var = Path(tempfile.mkdtemp(prefix="page-weight-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env |= {"PORTAL_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "portal.settings"}
    manage = [sys.executable, "manage.py"]
    run = {"cwd": args.checkout, "env": env, "check": True}
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], **run)
    subprocess.run([*manage, "load_demo", "-v", "0"], **run)
    if not args.debug:
        env |= {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "page-weight-only"}
        env |= {"DJANGO_SECURE_SSL_REDIRECT": "false", "DJANGO_SECURE_COOKIES": "false"}
        subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], **run)
    port = free_port()
    server = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=args.checkout,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"{base}/login/", timeout=2)
                break
            except OSError:
                time.sleep(1)
        os.environ |= {"DJANGO_SETTINGS_MODULE": "portal.settings", "PORTAL_VAR_DIR": str(var)}
        import django

        django.setup()
        from apps.core import demo

        password, logins = demo.logins()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"]
            )
            print(f"load average {os.getloadavg()[0]:.1f}; {'DEBUG on' if args.debug else 'DEBUG off'}")
            print("| page | DOMContentLoaded | load | transferred | of which plotly |")
            print("|---|---:|---:|---:|---:|")
            for path in PAGES:
                runs = []
                for _ in range(3):
                    context = browser.new_context(base_url=base)
                    page = context.new_page()
                    page.goto("/login/")
                    page.fill("#id_username", logins[0][0])
                    page.fill("#id_password", password)
                    page.click("button[type=submit]")
                    page.wait_for_url(lambda url: "/login/" not in url)
                    fresh = browser.new_context(base_url=base, storage_state=context.storage_state())
                    context.close()
                    page = fresh.new_page()
                    page.goto(path, wait_until="load")
                    page.wait_for_timeout(300)
                    runs.append(page.evaluate(MEASURE))
                    fresh.close()
                med = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
                print(
                    f"| {path} | {med['dcl']:.0f} ms | {med['load']:.0f} ms | {med['bytes'] / 1024:.0f} KiB "
                    f"| {med['plotly'] / 1024:.0f} KiB |"
                )
            browser.close()
            print(f"load average {os.getloadavg()[0]:.1f}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
