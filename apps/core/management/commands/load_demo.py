from django.core.management.base import BaseCommand
from django.db import transaction

from apps.core import demo
from apps.core.models import DemoLoad


class Command(BaseCommand):
    help = "Load the demo organisation once (safe to re-run: areas already loaded are skipped)."

    def handle(self, *args, **options):
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
