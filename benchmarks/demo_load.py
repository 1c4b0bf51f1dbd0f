"""How long the demo organisation takes to load (`make run`'s first start, and the one test that
loads it whole): wall and CPU seconds per area, then a re-run (skips what is loaded). Runs in a
throw-away test database and a temporary platform storage. The outcomes demo's target is under 60 s.

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/demo_load.py
"""

import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402


class Queries:
    """Counts the statements the command sends (every connection of this thread)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class Lap(io.StringIO):
    """The command's output; prints each line with the time and statements since the previous one."""

    def __init__(self, queries: Queries):
        super().__init__()
        self.queries = queries
        self.wall, self.cpu, self.sent = time.perf_counter(), time.process_time(), queries.count

    def write(self, text):
        if text.strip():
            wall, cpu, sent = time.perf_counter(), time.process_time(), self.queries.count
            print(
                f"{text.strip():<45} {wall - self.wall:7.1f} s wall {cpu - self.cpu:7.1f} s CPU "
                f"{sent - self.sent:6d} queries"
            )
            self.wall, self.cpu, self.sent = wall, cpu, sent
        return super().write(text)


def main():
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with tempfile.TemporaryDirectory() as storage, override_settings(PLATFORM_STORAGE_ROOT=storage):
            for run in ("first load", "second load (nothing to do)"):
                print(f"-- {run}")
                started, cpu, queries = time.perf_counter(), time.process_time(), Queries()
                with connection.execute_wrapper(queries):
                    call_command("load_demo", stdout=Lap(queries))
                print(f"{'total':<45} {time.perf_counter() - started:7.1f} s wall "
                      f"{time.process_time() - cpu:7.1f} s CPU {queries.count:6d} queries")  # fmt: skip
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print("load average: {:.1f} {:.1f} {:.1f} on {} CPUs".format(*os.getloadavg(), os.cpu_count()))


if __name__ == "__main__":
    main()
