"""ONNX artefacts: the graph's inputs bound to the input schema, its outputs read as the task's
predictions, and the graphs the platform refuses to run, each refusal naming the problem."""

import numpy as np
import onnx
import pandas as pd
import pytest
from onnx import TensorProto, helper
from skl2onnx import convert_sklearn, to_onnx
from skl2onnx.common.data_types import FloatTensorType, StringTensorType
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from apps.registry.onnx_models import OnnxError, OnnxModel, inspect_onnx

SCHEMA = [
    {"name": "mean radius", "type": "number"},
    {"name": "mean texture", "type": "number"},
    {"name": "clinic", "type": "string"},
]
NUMERIC = SCHEMA[:2]


def frame(rows=200, seed=0):
    rng = np.random.default_rng(seed)
    data = pd.DataFrame(
        {
            "mean radius": rng.normal(14, 3, rows),
            "mean texture": rng.normal(19, 4, rows),
            "clinic": rng.choice(["north", "south"], rows),
        }
    )
    labels = np.where(data["mean radius"] + rng.normal(0, 1, rows) > 14, "malignant", "benign")
    return data, pd.Series(labels)


def column_pipeline():
    X, y = frame()
    pre = ColumnTransformer(
        [("n", StandardScaler(), ["mean radius", "mean texture"]), ("c", OneHotEncoder(), ["clinic"])]
    )
    pipeline = Pipeline([("pre", pre), ("model", LogisticRegression())]).fit(X, y)
    types = [
        ("mean radius", FloatTensorType([None, 1])),
        ("mean texture", FloatTensorType([None, 1])),
        ("clinic", StringTensorType([None, 1])),
    ]
    return pipeline, convert_sklearn(pipeline, initial_types=types).SerializeToString()


def matrix_classifier(zipmap=False):
    X, y = frame()
    values = X[["mean radius", "mean texture"]].to_numpy(np.float32)
    fitted = LogisticRegression().fit(values, y)
    return fitted, to_onnx(fitted, values[:1], options={"zipmap": zipmap}).SerializeToString()


def test_a_converted_pipeline_predicts_as_scikit_learn_does():
    pipeline, data = column_pipeline()
    model = OnnxModel(data, input_schema=SCHEMA, task="classification")
    X, _ = frame(50, seed=1)
    assert model.classes_.tolist() == ["benign", "malignant"]
    np.testing.assert_allclose(model.predict_proba(X), pipeline.predict_proba(X), atol=1e-5)
    assert model.predict(X).tolist() == pipeline.predict(X).tolist()


def test_a_single_matrix_input_takes_the_columns_in_schema_order():
    fitted, data = matrix_classifier(zipmap=False)
    model = OnnxModel(data, input_schema=NUMERIC, task="classification")
    X, _ = frame(30, seed=2)
    columns = {name: X[name].to_numpy() for name in ("mean radius", "mean texture")}  # as prediction sends
    expected = fitted.predict_proba(X[["mean radius", "mean texture"]].to_numpy(np.float32))
    np.testing.assert_allclose(model.predict_proba(columns), expected, atol=1e-5)


def test_a_regressor_returns_one_value_per_row():
    X, _ = frame()
    values = X[["mean radius", "mean texture"]].to_numpy(np.float32)
    fitted = LinearRegression().fit(values, values[:, 0] * 2 + 1)
    model = OnnxModel(
        to_onnx(fitted, values[:1]).SerializeToString(), input_schema=NUMERIC, task="regression"
    )
    predictions = model.predict(X)
    assert predictions.shape == (len(X),)
    np.testing.assert_allclose(predictions, fitted.predict(values), rtol=1e-4)


def test_inputs_that_do_not_match_the_schema_are_refused_by_name():
    _, data = column_pipeline()
    wrong = [{"name": "mean radius", "type": "number"}, {"name": "clinic", "type": "number"}]
    with pytest.raises(OnnxError) as refusal:
        inspect_onnx(data, input_schema=wrong, task="classification")
    message = str(refusal.value)
    assert "input 'mean_texture' matches no column of the input schema" in message
    assert "input 'clinic' is tensor(string) but column 'clinic' is number" in message


def test_a_matrix_of_the_wrong_width_is_refused():
    _, data = matrix_classifier()
    with pytest.raises(OnnxError, match="takes 2 columns; the input schema has 3"):
        inspect_onnx(data, input_schema=[*NUMERIC, {"name": "age", "type": "number"}], task="classification")


def test_a_classifier_graph_for_a_regression_model_is_refused():
    _, data = column_pipeline()
    with pytest.raises(OnnxError, match="An ONNX regressor must output one float value per row"):
        inspect_onnx(data, input_schema=SCHEMA, task="regression")


def _graph(node, *, domain="", external=False):
    inputs = [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 2])]
    outputs = [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, 1])]
    initializers = []
    if external:
        weight = helper.make_tensor("W", TensorProto.FLOAT, [2, 1], [1.0, 1.0])
        weight.data_location = TensorProto.EXTERNAL
        weight.ClearField("float_data")
        entry = weight.external_data.add()
        entry.key, entry.value = "location", "../../etc/passwd"
        initializers.append(weight)
    graph = helper.make_graph([node], "g", inputs, outputs, initializer=initializers)
    opsets = [helper.make_opsetid("", 17)] + ([helper.make_opsetid(domain, 1)] if domain else [])
    return helper.make_model(graph, opset_imports=opsets).SerializeToString()


def test_custom_operators_are_refused_by_name():
    data = _graph(
        helper.make_node("RunPython", ["X"], ["Y"], domain="com.example.evil"), domain="com.example.evil"
    )
    with pytest.raises(OnnxError, match="outside the standard domains .*com.example.evil.RunPython"):
        inspect_onnx(data, input_schema=NUMERIC, task="regression")


def test_tensors_in_external_files_are_refused():
    data = _graph(helper.make_node("MatMul", ["X", "W"], ["Y"]), external=True)
    with pytest.raises(
        OnnxError, match="keeps tensors in external files, which the platform does not read: W"
    ):
        inspect_onnx(data, input_schema=NUMERIC, task="regression")


def test_bytes_that_are_not_onnx_are_refused():
    with pytest.raises(OnnxError, match="not a readable ONNX model"):
        inspect_onnx(b"PK\x03\x04 not a model", input_schema=NUMERIC, task="regression")


def test_a_probability_tensor_without_labels_needs_the_classes():
    # as a neural network exports: logits through a softmax, no label names in the graph
    weights = np.array([[0.5, -0.5], [-0.2, 0.2]], dtype=np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["X", "W"], ["logits"]), helper.make_node("Softmax", ["logits"], ["P"])],
        "net",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 2])],
        [helper.make_tensor_value_info("P", TensorProto.FLOAT, [None, 2])],
        initializer=[onnx.numpy_helper.from_array(weights, "W")],
    )
    data = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString()
    with pytest.raises(OnnxError, match="names no class labels; send the classes"):
        inspect_onnx(data, input_schema=NUMERIC, task="classification")
    named = OnnxModel(data, input_schema=NUMERIC, task="classification", classes=["yes", "no"])
    X, _ = frame(20)
    logits = X[["mean radius", "mean texture"]].to_numpy(np.float32) @ weights
    softmax = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert named.classes_.tolist() == ["no", "yes"]  # sorted, as scikit-learn keeps them
    np.testing.assert_allclose(named.predict_proba(X), softmax[:, ::-1], atol=1e-5)
