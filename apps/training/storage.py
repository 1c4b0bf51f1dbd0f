"""Where datasets live: under ``settings.PLATFORM_STORAGE_ROOT``, at keys the server generates
(``datasets/<team id>/<uuid>.csv``). Nothing a user sends ever becomes a path."""

import uuid
from pathlib import Path

from django.conf import settings


class StorageError(Exception):
    pass


def root() -> Path:
    return Path(settings.PLATFORM_STORAGE_ROOT).resolve()


def new_dataset_key(team_id: int) -> str:
    return f"datasets/{int(team_id)}/{uuid.uuid4().hex}.csv"


def path_of(key: str) -> Path:
    base = root()
    path = (base / key).resolve()
    if not path.is_relative_to(base) or path == base:
        raise StorageError(f"Storage key {key!r} is outside platform storage.")
    return path


def store(temp_path: Path, key: str) -> Path:
    """Move a validated temporary file to its key (same file system: an atomic rename)."""
    target = path_of(key)
    target.parent.mkdir(parents=True, exist_ok=True)
    Path(temp_path).replace(target)
    return target


def delete(key: str) -> None:
    path_of(key).unlink(missing_ok=True)
