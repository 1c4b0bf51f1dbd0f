"""Model artefacts in platform storage: written only by the platform under server-generated keys, in
skops format, and loaded only after their sha256 matches and every type in them is on the allow-list.

Nothing a user sends ever becomes a path: keys are ``registry/<model id>/<uuid>.skops``.
"""

import hashlib
import logging
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import skops.io as sio
from django.conf import settings

from apps.registry.fastpath import ColumnPlan, plan_for

logger = logging.getLogger(__name__)

ARTEFACT_SUFFIX = ".skops"
# Module prefixes whose types may appear in a stored pipeline. skops refuses anything else unless it
# is listed here, so an artefact that smuggles in e.g. ``builtins.eval`` or ``os.system`` is refused.
TRUSTED_MODULE_PREFIXES = ("sklearn.", "numpy.", "scipy.sparse.", "collections.")
TRUSTED_TYPE_NAMES = frozenset({"builtins.slice", "builtins.type"})
CACHE_SIZE = 32


class ArtefactError(Exception):
    """An artefact is missing, tampered with, or holds types the platform does not trust."""


@dataclass(frozen=True)
class StoredArtefact:
    key: str
    sha256: str
    size: int


def storage_root() -> Path:
    return Path(settings.PLATFORM_STORAGE_ROOT).resolve()


def artefact_path(key: str) -> Path:
    """The file of a stored key; refuses any key that would leave platform storage."""
    root = storage_root()
    path = (root / key).resolve()
    if not path.is_relative_to(root) or path == root:
        raise ArtefactError(f"Artefact key {key!r} is outside platform storage.")
    return path


def new_artefact_key(model_id: int) -> str:
    return f"registry/{int(model_id)}/{uuid.uuid4().hex}{ARTEFACT_SUFFIX}"


def save_pipeline(pipeline, *, model_id: int) -> StoredArtefact:
    """Serialise a fitted estimator with skops under a fresh server-generated key."""
    data = sio.dumps(pipeline)
    refuse_untrusted_types(data)  # never store what could not be loaded again
    key = new_artefact_key(model_id)
    path = artefact_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_bytes(data)
    partial.replace(path)
    return StoredArtefact(key=key, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def delete_artefact(key: str) -> None:
    artefact_path(key).unlink(missing_ok=True)


def is_trusted_type(name: str) -> bool:
    return name in TRUSTED_TYPE_NAMES or name.startswith(TRUSTED_MODULE_PREFIXES)


def refuse_untrusted_types(data: bytes) -> list[str]:
    """The types skops does not trust by default, if all of them are on the allow-list."""
    try:
        untrusted = sio.get_untrusted_types(data=data)
    except Exception as exc:  # not a skops archive at all
        raise ArtefactError(f"The artefact is not a readable skops file ({exc}).") from exc
    refused = sorted(name for name in untrusted if not is_trusted_type(name))
    if refused:
        raise ArtefactError(f"The artefact holds types the platform does not trust: {', '.join(refused)}.")
    return untrusted


def read_verified(key: str, expected_sha256: str) -> bytes:
    """The artefact's bytes, only if they hash to the registered sha256."""
    path = artefact_path(key)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ArtefactError(f"The artefact {key} is missing from platform storage.") from exc
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected_sha256:
        raise ArtefactError(
            f"The artefact {key} does not match its registered sha256 "
            f"(expected {expected_sha256[:12]}…, found {actual[:12]}…); refusing to load it."
        )
    return data


class _PipelineCache:
    """Per-process LRU of loaded pipelines keyed by (version id, sha256)."""

    def __init__(self, size: int):
        self.size = size
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


pipeline_cache = _PipelineCache(CACHE_SIZE)


@dataclass
class Served:
    pipeline: object
    plan: ColumnPlan | None  # the pandas-free way to the same predictions (see fastpath)


def _plan_or_none(pipeline) -> ColumnPlan | None:
    try:
        return plan_for(pipeline)
    except Exception:  # noqa: BLE001 - an unusual pipeline is served by scikit-learn as it is
        logger.warning("No column plan for this pipeline; scikit-learn serves it", exc_info=True)
        return None


def load_served(version) -> Served:
    """The fitted pipeline of a model version and its column plan, verified and cached for this process."""
    cache_key = (version.pk, version.artefact_sha256)
    served = pipeline_cache.get(cache_key)
    if served is None:
        data = read_verified(version.artefact_key, version.artefact_sha256)
        trusted = refuse_untrusted_types(data)
        pipeline = sio.loads(data, trusted=trusted)
        served = Served(pipeline, _plan_or_none(pipeline))
        pipeline_cache.put(cache_key, served)
    return served


def load_pipeline(version):
    """The fitted pipeline of a model version, verified and cached for this process."""
    return load_served(version).pipeline
