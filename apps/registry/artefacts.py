"""Model artefacts in platform storage: written only by the platform under server-generated keys, in
skops format, and loaded only after their sha256 matches and every type in them is on the allow-list.

The allow-list is :data:`TRUSTED_TYPES`: exact type names, never prefixes (``numpy.`` would admit
``numpy.testing._private.utils.runstring``, which calls ``exec``). Every load goes through
:func:`load_artefact`, which reads the archive's schema and refuses it before any object is built.

Versions trained elsewhere may instead be ONNX graphs (``registry/<model id>/<uuid>.onnx``), run by
onnxruntime under the rules of :mod:`apps.registry.onnx_models`; the key's suffix says which.

Nothing a user sends ever becomes a path: keys are ``registry/<model id>/<uuid>.skops``.
"""

import hashlib
import io
import json
import logging
import threading
import uuid
import zipfile
from dataclasses import dataclass

from cachetools import LRUCache, cached

from apps.core import storage
from apps.registry.fastpath import ColumnPlan, plan_for
from apps.registry.onnx_models import OnnxError, OnnxModel

logger = logging.getLogger(__name__)

ARTEFACT_SUFFIX = ".skops"
ONNX_SUFFIX = ".onnx"
ARTEFACT_FORMATS = {"skops": ARTEFACT_SUFFIX, "onnx": ONNX_SUFFIX}
# Every type a stored pipeline may hold, by exact name: what the estimator catalogue (each estimator
# and task, with its preprocessing and baselines) and the demo pipelines produce. A test trains each
# of them and checks that this list covers them; anything else (a function, an operator helper, a
# ``functools.partial``, a method of a trusted object, a module outside this list) is refused.
TRUSTED_TYPES = frozenset(
    {
        # containers and scalars skops writes for parameters and fitted attributes
        "builtins.dict",
        "builtins.list",
        "builtins.slice",
        "builtins.str",
        "builtins.tuple",
        "numpy.bool_",
        "numpy.dtype",
        "numpy.float32",
        "numpy.float64",
        "numpy.int32",
        "numpy.int64",
        "numpy.ndarray",
        "numpy.random._generator.Generator",
        "numpy.uint64",
        "numpy.uint8",
        # preprocessing (training engine and demo pipelines)
        "sklearn.compose._column_transformer.ColumnTransformer",
        "sklearn.impute._base.SimpleImputer",
        "sklearn.pipeline.Pipeline",
        "sklearn.preprocessing._data.StandardScaler",
        "sklearn.preprocessing._encoders.OneHotEncoder",
        "sklearn.preprocessing._function_transformer.FunctionTransformer",  # "passthrough" columns
        "sklearn.preprocessing._label.LabelEncoder",
        # estimators of the catalogue and the baselines
        "sklearn.dummy.DummyClassifier",
        "sklearn.dummy.DummyRegressor",
        "sklearn.ensemble._forest.RandomForestClassifier",
        "sklearn.ensemble._forest.RandomForestRegressor",
        "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
        "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
        "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingRegressor",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.linear_model._base.LinearRegression",
        "sklearn.linear_model._logistic.LogisticRegression",
        "sklearn.linear_model._ridge.Ridge",
        "sklearn.metrics._dist_metrics.EuclideanDistance64",
        "sklearn.neighbors._classification.KNeighborsClassifier",
        "sklearn.neighbors._kd_tree.KDTree",
        "sklearn.neighbors._regression.KNeighborsRegressor",
        "sklearn.tree._classes.DecisionTreeClassifier",
        "sklearn.tree._classes.DecisionTreeRegressor",
        "sklearn.tree._tree.Tree",
        # losses and links of the gradient-boosting estimators
        "_loss.CyHalfBinomialLoss",
        "_loss.CyHalfMultinomialLoss",
        "_loss.CyHalfSquaredError",
        "sklearn._loss.link.IdentityLink",
        "sklearn._loss.link.Interval",
        "sklearn._loss.link.LogitLink",
        "sklearn._loss.link.MultinomialLogit",
        "sklearn._loss.loss.HalfBinomialLoss",
        "sklearn._loss.loss.HalfMultinomialLoss",
        "sklearn._loss.loss.HalfSquaredError",
    }
)
CACHE_SIZE = 32


class ArtefactError(Exception):
    """An artefact is missing, tampered with, or holds types the platform does not trust."""


@dataclass(frozen=True)
class StoredArtefact:
    key: str
    sha256: str
    size: int


def _skops():
    """skops.io, imported on first use: importing it walks every scikit-learn module (seconds), which
    every management command, web process and worker would otherwise pay at start-up."""
    import skops.io

    return skops.io


def new_artefact_key(model_id: int, artefact_format: str = "skops") -> str:
    return f"registry/{int(model_id)}/{uuid.uuid4().hex}{ARTEFACT_FORMATS[artefact_format]}"


def artefact_format(key: str) -> str:
    return "onnx" if key.endswith(ONNX_SUFFIX) else "skops"


def skops_bytes(pipeline) -> bytes:
    """``skops.io.dumps(pipeline)`` with a compact ``schema.json``: skops indents it
    (``json.dumps(indent=2)``), which leaves the C encoder for Python's pure-Python one, about half
    of the whole serialisation (~50 of ~100 ms for a 100,000-row gradient-boosting pipeline). The
    same JSON without the whitespace, so skops loads and audits it the same; skops' own ``dumps``
    if its internals (``get_state``, ``SaveContext``) move."""
    sio = _skops()
    try:
        import skops
        from skops.io._persist import SaveContext, get_state
    except ImportError:  # pragma: no cover - a skops release that reorganised its modules
        return sio.dumps(pipeline)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        context = SaveContext(zip_file=archive)
        state = get_state(pipeline, context)
        context.clear_memo()
        state["protocol"] = context.protocol
        state["_skops_version"] = skops.__version__
        archive.writestr("schema.json", json.dumps(state))
    return buffer.getvalue()


def save_pipeline(pipeline, *, model_id: int) -> StoredArtefact:
    """Serialise a fitted estimator with skops under a fresh server-generated key."""
    data = skops_bytes(pipeline)
    refuse_untrusted_types(data)  # never store what could not be loaded again
    key = new_artefact_key(model_id)
    storage.save_bytes(key, data)
    return StoredArtefact(key=key, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def save_bytes(data: bytes, *, model_id: int, artefact_format: str) -> StoredArtefact:
    """Store an uploaded artefact (already checked) under a fresh server-generated key."""
    key = new_artefact_key(model_id, artefact_format)
    storage.save_bytes(key, data)
    return StoredArtefact(key=key, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def delete_artefact(key: str) -> None:
    storage.delete(key)


def _schema_types(node, found: set[str]) -> None:
    if isinstance(node, dict):
        if "__module__" in node or "__class__" in node:
            found.add(f"{node.get('__module__')}.{node.get('__class__')}")
        for child in node.values():
            _schema_types(child, found)
    elif isinstance(node, list):
        for child in node:
            _schema_types(child, found)


def artefact_types(data: bytes) -> set[str]:
    """Every type named anywhere in a skops archive's schema (read as JSON; nothing is built)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            schema = json.loads(archive.read("schema.json"))
    except (zipfile.BadZipFile, KeyError, ValueError, RecursionError) as exc:
        raise ArtefactError(f"The artefact is not a readable skops file ({exc}).") from exc
    found: set[str] = set()
    try:
        _schema_types(schema, found)
    except RecursionError as exc:
        raise ArtefactError("The artefact's schema is nested too deeply to check.") from exc
    return found


def refuse_untrusted_types(data: bytes) -> list[str]:
    """The types skops does not trust by default, once every type in the archive (those skops names,
    including methods and operator helpers, and every node of its schema) is in :data:`TRUSTED_TYPES`.
    Raises :class:`ArtefactError` naming the others; nothing in the archive is built."""
    present = artefact_types(data)
    try:
        untrusted = _skops().get_untrusted_types(data=data)
    except Exception as exc:  # noqa: BLE001 - any failure to audit the archive is a refusal
        raise ArtefactError(f"The artefact is not a readable skops file ({exc}).") from exc
    refused = sorted((present | set(untrusted)) - TRUSTED_TYPES)
    if refused:
        raise ArtefactError(f"The artefact holds types the platform does not trust: {', '.join(refused)}.")
    return untrusted


def load_artefact(data: bytes):
    """The object in a skops archive, built only after :func:`refuse_untrusted_types` passed. The one
    place the platform turns artefact bytes into objects."""
    trusted = refuse_untrusted_types(data)
    try:
        return _skops().loads(data, trusted=trusted)
    except Exception as exc:  # noqa: BLE001 - e.g. an object array, which skops will not unpickle
        raise ArtefactError(f"The artefact could not be loaded safely ({exc}).") from exc


def read_verified(key: str, expected_sha256: str) -> bytes:
    """The artefact's bytes, only if they hash to the registered sha256."""
    try:
        data = storage.read_bytes(key)
    except storage.StorageMissing as exc:
        raise ArtefactError(f"The artefact {key} is missing from platform storage.") from exc
    except storage.StorageUnavailable:
        raise  # the store is down, not the artefact wrong: a 503, and the next call tries again
    except storage.StorageError as exc:
        raise ArtefactError(str(exc)) from exc
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected_sha256:
        raise ArtefactError(
            f"The artefact {key} does not match its registered sha256 "
            f"(expected {expected_sha256[:12]}…, found {actual[:12]}…); refusing to load it."
        )
    return data


# Per-process LRU of loaded pipelines keyed by (version id, sha256): a new artefact is a new key.
pipeline_cache: LRUCache = LRUCache(maxsize=CACHE_SIZE)
_pipeline_cache_lock = threading.Lock()


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


def load_onnx(data: bytes, *, input_schema: list[dict], task: str, classes: list | None = None):
    """An ONNX artefact as a model with ``predict``/``predict_proba``/``classes_``, refused in plain
    words (``ArtefactError``) when the platform will not run it or it cannot serve the schema."""
    try:
        return OnnxModel(data, input_schema=input_schema, task=task, classes=classes)
    except OnnxError as exc:
        raise ArtefactError(str(exc)) from exc


def load_model(key: str, sha256: str, *, input_schema: list[dict], task: str, classes: list | None = None):
    """The model stored under ``key`` (skops or ONNX, by its suffix), verified against its sha256."""
    data = read_verified(key, sha256)
    if artefact_format(key) == "onnx":
        return load_onnx(data, input_schema=input_schema, task=task, classes=classes)
    return load_artefact(data)


@cached(pipeline_cache, key=lambda version: (version.pk, version.artefact_sha256), lock=_pipeline_cache_lock)
def load_served(version) -> Served:
    """The fitted pipeline of a model version and its column plan, verified and cached for this process."""
    pipeline = load_model(
        version.artefact_key,
        version.artefact_sha256,
        input_schema=version.input_schema,
        task=version.task,
        classes=version.class_labels,
    )
    plan = None if isinstance(pipeline, OnnxModel) else _plan_or_none(pipeline)
    return Served(pipeline, plan)


def load_pipeline(version):
    """The fitted pipeline of a model version, verified and cached for this process."""
    return load_served(version).pipeline
