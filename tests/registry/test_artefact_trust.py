"""Crafted artefacts an attacker could store as a version (with its sha256 updated to match) are refused
by the one trusted-type check before skops builds any object from them."""

import functools
import hashlib
import io
import json
import operator
import pickle
import zipfile
from pathlib import Path

import numpy as np
import numpy.testing._private.utils as numpy_testing_utils
import pandas as pd
import pytest
import skops.io as sio
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from apps.registry import artefacts
from apps.registry.artefacts import ArtefactError, load_artefact, refuse_untrusted_types
from apps.registry.models import ModelVersion
from tests.registry.factories import RegisteredModelFactory, register

pytestmark = pytest.mark.django_db

ROW = {"basket_value": 42.5, "items": 3, "channel": "web", "is_member": True}


def runstring_pipeline():
    """The issue's chain: ColumnTransformer -> FunctionTransformer(np.amax) ->
    FunctionTransformer(runstring) -> DummyClassifier. ``runstring`` calls ``exec`` on the largest
    ``channel`` value the caller sends."""
    frame = pd.DataFrame([ROW, {**ROW, "channel": "app"}])
    pick = ColumnTransformer([("pick", "passthrough", ["channel"])]).fit(frame)
    return Pipeline(
        [
            ("pick", pick),
            ("largest", FunctionTransformer(np.amax)),
            ("run", FunctionTransformer(numpy_testing_utils.runstring, kw_args={"dict": {}})),
            ("model", DummyClassifier().fit([[0], [1]], [0, 1])),
        ]
    )


def payload_that_writes(marker: Path) -> str:
    return f"open({str(marker)!r}, 'w').write('ran')"


def store_as_version(version: ModelVersion, data: bytes, storage: Path) -> None:
    """What the attacker did: overwrite the stored file and update the registered sha256 to match."""
    (storage / version.artefact_key).write_bytes(data)
    ModelVersion.objects.filter(pk=version.pk).update(artefact_sha256=hashlib.sha256(data).hexdigest())


def test_the_runstring_chain_is_a_real_attack_when_its_types_are_trusted(tmp_path):
    """Proof the crafted artefact is live: trusting what skops names runs the caller's input."""
    data = sio.dumps(runstring_pipeline())
    assert set(sio.get_untrusted_types(data=data)) == {"numpy.amax", "numpy.testing._private.utils.runstring"}
    marker = tmp_path / "ran"
    loaded = sio.loads(data, trusted=sio.get_untrusted_types(data=data))
    with pytest.raises(Exception):  # noqa: B017 - DummyClassifier then fails on exec's None
        loaded.predict(pd.DataFrame([{**ROW, "channel": payload_that_writes(marker)}]))
    assert marker.exists()


def test_the_runstring_chain_stored_as_a_version_is_refused_at_predict(
    api_as, outsider, platform_storage, tmp_path
):
    model = RegisteredModelFactory()
    version = register(model)
    store_as_version(version, sio.dumps(runstring_pipeline()), platform_storage)
    marker = tmp_path / "ran"
    response = api_as(outsider).post(
        f"/api/v1/models/{model.slug}/predict/?version=1",
        {"records": [{**ROW, "channel": payload_that_writes(marker)}]},
        format="json",
    )
    assert response.status_code == 409, response.content
    assert "numpy.testing._private.utils.runstring" in response.json()["detail"]
    assert "numpy.amax" in response.json()["detail"]
    assert not marker.exists()


class Tripwire:
    """Records every instance skops builds; used to prove refusal happens before construction."""

    built: list = []

    def __setstate__(self, state):
        Tripwire.built.append(state)


def _with_tripwire(inner):
    tripwire = Tripwire()
    tripwire.__dict__["inner"] = inner
    return tripwire


CRAFTED = {
    "numpy.load(allow_pickle=True)": (
        lambda: FunctionTransformer(functools.partial(np.load, allow_pickle=True)),
        {"functools.partial", "numpy.load"},
    ),
    "operator.attrgetter": (
        lambda: FunctionTransformer(operator.attrgetter("__class__")),
        {"operator.attrgetter"},
    ),
    "operator.methodcaller": (
        lambda: FunctionTransformer(operator.methodcaller("system", "id")),
        {"operator.methodcaller"},
    ),
    "functools.partial chain": (
        lambda: FunctionTransformer(functools.partial(functools.partial(operator.call, print), "x")),
        {"functools.partial", "builtins.print"},
    ),
    "bound method of a trusted object": (
        lambda: FunctionTransformer(StandardScaler().partial_fit),
        {"sklearn.preprocessing._data.StandardScaler.partial_fit"},
    ),
    "numpy function": (lambda: FunctionTransformer(np.amax), {"numpy.amax"}),
}


@pytest.mark.parametrize("name", list(CRAFTED))
def test_crafted_helpers_are_refused_naming_them_before_anything_is_built(name):
    build, named = CRAFTED[name]
    Tripwire.built.clear()
    data = sio.dumps(Pipeline([("step", build()), ("model", DummyClassifier())]))
    trap = sio.dumps(_with_tripwire(build()))
    for archive in (data, trap):
        with pytest.raises(ArtefactError) as error:
            load_artefact(archive)
        for type_name in named:
            assert type_name in str(error.value)
    assert Tripwire.built == []
    assert named <= set(sio.get_untrusted_types(data=data))  # skops itself would not trust them either


def test_prefixes_are_not_trusted():
    assert "numpy.testing._private.utils.runstring" not in artefacts.TRUSTED_TYPES
    for name in artefacts.TRUSTED_TYPES:
        assert not name.endswith(".") and "*" not in name


class TouchOnUnpickle:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def _pickled_object_array_archive(marker: Path) -> bytes:
    """A skops archive whose array file was swapped for a pickled object array. skops reads arrays with
    ``numpy.load(allow_pickle=False)``; unpickling this one would create ``marker``."""
    honest = sio.dumps(np.zeros(1))
    with zipfile.ZipFile(io.BytesIO(honest)) as archive:
        schema = json.loads(archive.read("schema.json"))
    array = np.empty(1, dtype=object)
    array[0] = TouchOnUnpickle(marker)
    npy = io.BytesIO()
    np.lib.format.write_array(npy, array, allow_pickle=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("schema.json", json.dumps(schema))
        archive.writestr(schema["file"], npy.getvalue())
    return out.getvalue()


def test_an_array_that_needs_pickle_is_refused_without_unpickling(tmp_path, platform_storage):
    marker = tmp_path / "unpickled"
    data = _pickled_object_array_archive(marker)
    version = register(RegisteredModelFactory())
    store_as_version(version, data, platform_storage)
    version.refresh_from_db()
    with pytest.raises(ArtefactError, match="could not be loaded safely"):
        artefacts.load_pipeline(version)
    assert not marker.exists()


def test_not_a_skops_archive_is_refused():
    with pytest.raises(ArtefactError, match="not a readable skops file"):
        refuse_untrusted_types(b"PK\x03\x04 not really a zip")
    with pytest.raises(ArtefactError, match="not a readable skops file"):
        refuse_untrusted_types(pickle.dumps({"a": 1}))


def test_only_the_artefacts_module_turns_bytes_into_objects():
    """Predict, training, comparison and drift all load through ``load_artefact``: no other module of
    the project calls skops' loaders or unpickles."""
    root = Path(__file__).resolve().parents[2] / "apps"
    offenders = []
    for path in root.rglob("*.py"):
        text = path.read_text()
        if path.name == "artefacts.py" and path.parent.name == "registry":
            continue
        if any(
            call in text for call in ("sio.load", "skops.io.load", "pickle.load", "joblib.load", "from skops")
        ):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []
