import importlib

from django.core.management.base import BaseCommand
from django.db import transaction

from apps.core.models import DemoLoad
from apps.core.threads import limit_threads
from apps.teams import demo as teams_demo

# Order matters: training registers into the registry, requests link models, outcomes and
# practices read everything before them.
AREAS = ["registry", "training", "modelrequests", "outcomes", "practices"]


class Command(BaseCommand):
    help = "Load the demo organisation once (safe to re-run: areas already loaded are skipped)."

    def handle(self, *args, **options):
        # The demo's datasets are small: one OpenMP thread fits them fastest, and the worker `make run`
        # starts beside it needs the other core.
        with limit_threads(1):
            self._load()

    def _load(self):
        with transaction.atomic():
            org = teams_demo.load()
        for area in AREAS:
            if DemoLoad.objects.filter(area=area).exists():
                continue
            with transaction.atomic():
                importlib.import_module(f"apps.{area}.demo").load(org)
                DemoLoad.objects.create(area=area)
            self.stdout.write(f"Loaded demo data: {area}")
        self.stdout.write(self.style.SUCCESS(f"Demo organisation ready: {len(org.teams)} teams."))
