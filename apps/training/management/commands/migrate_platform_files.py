"""``manage.py migrate_platform_files``: move datasets and model artefacts from the local platform
folder into the S3 bucket the PORTAL_S3_* variables name (see README, "Object storage")."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.core import storage
from apps.training.storage_migration import platform_files_migrate


class Command(BaseCommand):
    help = (
        "Copy every dataset and model artefact from the local platform folder into the configured S3 "
        "bucket, verifying each against its recorded sha256. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source",
            type=Path,
            default=None,
            help="The local folder to copy from (default: PORTAL_PLATFORM_STORAGE, var/platform).",
        )

    def handle(self, *args, source: Path | None, verbosity: int, **options):
        source = (source or Path(settings.PLATFORM_STORAGE_ROOT)).resolve()
        if not source.is_dir():
            raise CommandError(f"{source} is not a folder.")
        say = self.stdout.write if verbosity > 1 else (lambda line: None)
        try:
            outcome = platform_files_migrate(source_root=source, report=say)
        except storage.StorageError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{len(outcome.copied)} copied, {len(outcome.already_there)} already there, "
            f"{len(outcome.problems)} problems; into {storage.describe()}."
        )
        if not outcome.ok:
            raise CommandError("Not every file was migrated:\n" + "\n".join(outcome.problems))
