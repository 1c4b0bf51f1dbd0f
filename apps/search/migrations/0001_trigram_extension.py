"""PostgreSQL's pg_trgm, for typo-tolerant ranking; a no-op on SQLite (the quick start)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies: list = []
    operations = [TrigramExtension()]
