"""``manage.py export_backstage [--output FILE] [--base-url URL]``: the catalogue as Backstage YAML."""

from pathlib import Path

from django.core.management.base import BaseCommand

from apps.registry.backstage import build_entities, to_yaml


class Command(BaseCommand):
    help = "Write teams, value streams, models and prediction APIs as Backstage entities (multi-doc YAML)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="Write to this file instead of standard output.")
        parser.add_argument(
            "--base-url", default="http://localhost:8000", help="The portal's URL, for links and API servers."
        )

    def handle(self, *args, output=None, base_url="http://localhost:8000", **options):
        entities = build_entities(base_url=base_url)
        text = to_yaml(entities)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {len(entities)} entities to {output}.")
        else:
            self.stdout.write(text, ending="")
