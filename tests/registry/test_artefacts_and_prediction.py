import pytest
import skops.io as sio
from django.core.exceptions import ValidationError

from apps.registry import artefacts
from apps.registry.artefacts import ArtefactError, load_pipeline, pipeline_cache
from apps.registry.prediction import predict
from tests.registry.factories import RegisteredModelFactory, fitted_classifier, register, training_frame

pytestmark = pytest.mark.django_db

ROW = {"basket_value": 42.5, "items": 3, "channel": "web", "is_member": True}


@pytest.fixture
def version():
    return register(RegisteredModelFactory())


def test_loaded_pipeline_predicts_like_the_original(version):
    frame, _ = training_frame(rows=20, seed=3)
    loaded = load_pipeline(version)
    assert (loaded.predict_proba(frame) == fitted_classifier().predict_proba(frame)).all()
    assert load_pipeline(version) is loaded  # cached per process


def test_tampered_artefact_is_refused_before_loading(version, platform_storage):
    path = platform_storage / version.artefact_key
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ArtefactError, match="does not match its registered sha256"):
        load_pipeline(version)


def test_missing_artefact_is_a_clear_error(version, platform_storage):
    (platform_storage / version.artefact_key).unlink()
    with pytest.raises(ArtefactError, match="missing"):
        load_pipeline(version)


def test_artefact_with_untrusted_types_is_refused_even_with_a_matching_hash(platform_storage):
    data = sio.dumps({"call": print})  # builtins.print is not on the allow-list
    with pytest.raises(ArtefactError, match="builtins.print"):
        artefacts.refuse_untrusted_types(data)


@pytest.mark.parametrize("key", ["../../etc/passwd", "/etc/passwd", "registry/../x.skops", "registry/1/"])
def test_keys_cannot_leave_platform_storage(key):
    with pytest.raises(ArtefactError, match="not a platform storage key"):
        artefacts.read_verified(key, "0" * 64)


def test_cache_is_keyed_by_sha(version):
    load_pipeline(version)
    assert (version.pk, version.artefact_sha256) in pipeline_cache


@pytest.mark.parametrize(
    "payload",
    [
        {"records": [ROW, ROW]},
        {"dataframe_records": [ROW, ROW]},
        {"instances": [ROW, ROW]},
        {"instances": [list(ROW.values()), list(ROW.values())]},
        {"dataframe_split": {"columns": list(ROW), "data": [list(ROW.values())] * 2}},
        {"dataframe_split": {"columns": list(reversed(ROW)), "data": [list(reversed(ROW.values()))] * 2}},
    ],
    ids=["records", "dataframe_records", "instances", "instances-lists", "split", "split-reordered"],
)
def test_every_input_format_predicts_the_same(version, payload):
    result = predict(version=version, records=payload)
    expected = fitted_classifier().predict_proba(training_frame(1)[0].assign(**ROW))[0]
    assert result["model"] == version.model.slug and result["version"] == 1
    assert result["classes"] == [0, 1]
    assert result["probabilities"][0] == pytest.approx(expected.tolist(), abs=1e-6)
    assert result["predictions"] == [int(expected.argmax())] * 2


@pytest.mark.parametrize(
    ("payload", "field", "text"),
    [
        ({"records": [{**ROW, "items": "three"}]}, "items", "not an integer"),
        ({"records": [{**ROW, "items": 2.5}]}, "items", "not an integer"),
        ({"records": [{**ROW, "basket_value": True}]}, "basket_value", "not a number"),
        ({"records": [{**ROW, "is_member": 1}]}, "is_member", "true or false"),
        ({"records": [ROW, {k: v for k, v in ROW.items() if k != "channel"}]}, "channel", "Missing"),
        ({"records": [{**ROW, "colour": "red"}]}, "records", "Unknown columns: colour"),
        ({"records": []}, "records", "non-empty"),
        ({"rows": [ROW]}, "non_field_errors", "Send exactly one of"),
        ({"records": [ROW], "instances": [ROW]}, "non_field_errors", "exactly one"),
        ({"dataframe_split": {"columns": ["basket_value"], "data": [[1.0]]}}, "items", "Missing"),
        ({"dataframe_split": {"columns": list(ROW), "data": [[1.0]]}}, "dataframe_split", "4 values"),
        ({"instances": [[1.0, 2]]}, "instances", "4 values"),
        ({"records": [{**ROW, "channel": None}]}, "channel", "not a string"),
    ],
)
def test_bad_input_names_the_column(version, payload, field, text):
    with pytest.raises(ValidationError) as error:
        predict(version=version, records=payload)
    assert field in error.value.message_dict
    assert text in " ".join(error.value.message_dict[field])


def test_regression_returns_numbers_without_probabilities():
    version = register(RegisteredModelFactory(task="regression", primary_metric="rmse"), score=1, baseline=2)
    result = predict(version=version, records=[ROW])
    assert isinstance(result["predictions"][0], float) and "probabilities" not in result


def test_too_many_rows_is_refused(version, monkeypatch):
    from apps.registry import prediction

    monkeypatch.setattr(prediction, "MAX_ROWS", 3)
    with pytest.raises(ValidationError) as error:
        predict(version=version, records=[ROW] * 4)
    assert "At most 3 rows" in error.value.message_dict["records"][0]


def test_the_compact_artefact_holds_what_skops_writes_and_loads_the_same():
    import io
    import json
    import zipfile

    pipeline = fitted_classifier()
    compact, indented = artefacts.skops_bytes(pipeline), sio.dumps(pipeline)
    assert len(compact) < len(indented)

    def schema(data: bytes) -> tuple[dict, int]:
        """The archive's schema without what differs between any two dumps (object ids, which also
        name the array files), and how many files it holds."""

        def plain(node):
            if isinstance(node, dict):
                return {k: plain(v) for k, v in node.items() if k not in ("__id__", "file")}
            return [plain(item) for item in node] if isinstance(node, list) else node

        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return plain(json.loads(archive.read("schema.json"))), len(archive.namelist())

    assert schema(compact) == schema(indented)  # the same schema and arrays, less whitespace
    assert artefacts.refuse_untrusted_types(compact) == artefacts.refuse_untrusted_types(indented)
    frame, _ = training_frame(rows=20, seed=3)
    loaded = sio.loads(compact, trusted=sio.get_untrusted_types(data=compact))
    assert (loaded.predict_proba(frame) == pipeline.predict_proba(frame)).all()
