"""DOMContentLoaded of every page in the navigation in a fresh headless Chromium, on the quick start.

    python benchmarks/page_load.py [--checkout DIR] [--runs N]

Serves DIR (default: this checkout) the way `make run` does (a throw-away SQLite database under a
temporary folder with the demo loaded, DJANGO_DEBUG=false after collectstatic, `manage.py runserver`;
see page_weight.py), signs in once as the demo's platform staff login and opens each page of the
navigation (tests/core/ui_pages.py: NAV_PAGES and STAFF_PAGES) in a new browser context each time
(empty cache, the session cookie only), N times (default 3). Prints a Markdown table of the median
DOMContentLoaded, load and bytes transferred per page, the load average before and after, and how many
pages are under the 1 s target of issue 16.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.page_weight import MEASURE, free_port  # noqa: E402
from tests.core.ui_pages import NAV_PAGES, STAFF_PAGES  # noqa: E402

TARGET_MS = 1000


def serve(checkout: str, var: Path) -> tuple[subprocess.Popen, str, dict]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env |= {"PORTAL_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "portal.settings"}
    manage = [sys.executable, "manage.py"]
    run = {"cwd": checkout, "env": env, "check": True}
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], **run)
    subprocess.run([*manage, "load_demo", "-v", "0"], **run)
    env |= {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "page-load-only"}
    env |= {"DJANGO_SECURE_SSL_REDIRECT": "false", "DJANGO_SECURE_COOKIES": "false"}
    subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], **run)
    port = free_port()
    server = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=checkout,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(60):
        try:
            urllib.request.urlopen(f"{base}/login/", timeout=2)
            break
        except OSError:
            time.sleep(1)
    return server, base, env


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkout", default=str(ROOT))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    var = Path(tempfile.mkdtemp(prefix="page-load-"))
    server, base, _env = serve(args.checkout, var)
    try:
        os.environ |= {"DJANGO_SETTINGS_MODULE": "portal.settings", "PORTAL_VAR_DIR": str(var)}
        import django

        django.setup()
        from apps.core import demo

        password, logins = demo.logins()
        staff = next(login for login, *_ in logins if login == "platform")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"]
            )
            context = browser.new_context(base_url=base)
            page = context.new_page()
            page.goto("/login/")
            page.fill("#id_username", staff)
            page.fill("#id_password", password)
            page.click("button[type=submit]")
            page.wait_for_url(lambda url: "/login/" not in url)
            session = context.storage_state()
            context.close()
            print(f"load average {os.getloadavg()[0]:.1f} (1 min) before; {args.runs} runs per page, medians")
            print("| page | DOMContentLoaded | load | transferred |")
            print("|---|---:|---:|---:|")
            under = 0
            pages = NAV_PAGES + STAFF_PAGES
            for path in pages:
                runs = []
                for _ in range(args.runs):
                    fresh = browser.new_context(base_url=base, storage_state=session)
                    page = fresh.new_page()
                    response = page.goto(path, wait_until="load")
                    assert response is not None and response.status == 200, (
                        path,
                        response and response.status,
                    )
                    page.wait_for_timeout(200)
                    runs.append(page.evaluate(MEASURE))
                    fresh.close()
                med = {key: statistics.median(run[key] for run in runs) for key in ("dcl", "load", "bytes")}
                under += med["dcl"] < TARGET_MS
                print(
                    f"| {path} | {med['dcl']:.0f} ms | {med['load']:.0f} ms | {med['bytes'] / 1024:.0f} KiB |"
                )
            browser.close()
            print(f"load average {os.getloadavg()[0]:.1f} (1 min) after")
            print(f"{under} of {len(pages)} pages under {TARGET_MS} ms to DOMContentLoaded")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
