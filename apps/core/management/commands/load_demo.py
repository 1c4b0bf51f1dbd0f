from django.core.management.base import BaseCommand
from django.db import transaction

from apps.core import demo
from apps.core.models import DemoLoad
from apps.core.threads import limit_threads


class Command(BaseCommand):
    help = "Load the demo organisation once (safe to re-run: areas already loaded are skipped)."

    def handle(self, *args, **options):
        # The demo's datasets are small: one OpenMP thread fits them fastest, and the worker `make run`
        # starts beside it needs the other core.
        with limit_threads(1):
            self._load()

    def _load(self):
        with transaction.atomic():
            org = demo.organisation_loader()()
        for area in demo.areas():
            if DemoLoad.objects.filter(area=area.label).exists():
                continue
            with transaction.atomic():
                area.load(org)
                DemoLoad.objects.create(area=area.label)
            self.stdout.write(f"Loaded demo data: {area.label}")
        self.stdout.write(self.style.SUCCESS(f"Demo organisation ready: {org}."))
