"""Print the permission table of the README (between its policy-table markers), or rewrite it."""

import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from apps.core.policy import markdown_table

START, END = "<!-- policy-table:start -->", "<!-- policy-table:end -->"


def readme_with_table(text: str) -> str:
    block = f"{START}\n{markdown_table()}{END}"
    return re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S)


class Command(BaseCommand):
    help = "Print the permission table generated from the policy; --write puts it into README.md."

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="Rewrite the table in README.md.")

    def handle(self, *args, write=False, **options):
        if not write:
            self.stdout.write(markdown_table(), ending="")
            return
        readme = Path(settings.BASE_DIR) / "README.md"
        readme.write_text(readme_with_table(readme.read_text()))
        self.stdout.write(f"Wrote the permission table into {readme}.")
