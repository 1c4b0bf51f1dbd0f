"""ONNX artefacts: models trained outside the portal (converted with skl2onnx or exported by any
framework), run by onnxruntime, which executes a graph of operators and never Python.

:func:`inspect_onnx` reads the graph (protobuf, nothing is run) and refuses what the platform does not
run: operators outside the standard domains (``ai.onnx`` and ``ai.onnx.ml``: no custom operator
libraries), tensors stored in external files (a path the graph names), inputs that do not match the
version's input schema, and outputs that are not predictions of the version's task. :class:`OnnxModel`
then wraps a session in what the rest of the platform calls on a scikit-learn pipeline:
``predict``, ``predict_proba`` and ``classes_`` over named columns (a DataFrame or a dict of arrays).

Two input layouts are accepted: one input per column (as skl2onnx converts a pipeline with a
ColumnTransformer; names may have their spaces and punctuation replaced by ``_``), or a single 2-D
numeric input holding every column of the schema in order (as most frameworks export)."""

import re
from dataclasses import dataclass

import numpy as np

STANDARD_DOMAINS = frozenset({"", "ai.onnx", "ai.onnx.ml"})
FLOATS = {"tensor(float)": np.float32, "tensor(double)": np.float64}
ELEMENT_TYPES = FLOATS | {
    "tensor(int64)": np.int64,
    "tensor(int32)": np.int32,
    "tensor(bool)": np.bool_,
    "tensor(string)": np.str_,
}
# Which ONNX input types a column of each schema type may feed.
COMPATIBLE = {
    "number": {"tensor(float)", "tensor(double)"},
    "integer": {"tensor(int64)", "tensor(int32)", "tensor(float)", "tensor(double)"},
    "boolean": {"tensor(bool)", "tensor(float)", "tensor(double)", "tensor(int64)"},
    "string": {"tensor(string)"},
}
CLASS_LABEL_ATTRIBUTES = ("classlabels_strings", "classlabels_int64s")


class OnnxError(Exception):
    """An ONNX artefact the platform will not run, or whose predictions are not usable; in plain words."""


@dataclass(frozen=True)
class Port:
    name: str
    type: str
    shape: tuple


@dataclass(frozen=True)
class OnnxGraph:
    """What the platform needs to know about a graph: how columns bind to inputs, which outputs to read."""

    bindings: dict  # ONNX input name -> schema column name (one input per column)
    matrix_input: str  # or the single 2-D input that takes every column in schema order
    matrix_type: str
    input_types: dict  # ONNX input name -> element type
    input_ranks: dict
    prediction_output: str  # classification: the probabilities; regression: the values
    class_labels: tuple  # from the graph (ai.onnx.ml classifiers and ZipMap), if it names them
    producer: str


def _onnx():
    import onnx

    return onnx


def _walk_nodes(graph):
    for node in graph.node:
        yield node
        for attribute in node.attribute:
            if attribute.g is not None and attribute.g.node:
                yield from _walk_nodes(attribute.g)
            for subgraph in attribute.graphs:
                yield from _walk_nodes(subgraph)


def _parse(data: bytes):
    onnx = _onnx()
    try:
        model = onnx.load_model_from_string(data)
    except Exception as exc:  # noqa: BLE001 - any parse failure is a refusal in plain words
        raise OnnxError(f"The artefact is not a readable ONNX model ({type(exc).__name__}).") from exc
    if not model.graph.node:
        raise OnnxError("The artefact is not a readable ONNX model (its graph has no operators).")
    return model


def _refuse_untrusted(model) -> None:
    onnx = _onnx()
    nodes = list(_walk_nodes(model.graph))
    for function in model.functions:
        nodes.extend(function.node)
    custom = sorted(
        {f"{node.domain}.{node.op_type}" for node in nodes if node.domain not in STANDARD_DOMAINS}
    )
    if custom:
        raise OnnxError(
            "The ONNX graph uses operators outside the standard domains (ai.onnx, ai.onnx.ml), which "
            f"onnxruntime would need custom code for: {', '.join(custom)}."
        )
    external = [
        tensor.name for tensor in model.graph.initializer if tensor.data_location == onnx.TensorProto.EXTERNAL
    ]
    if external:
        raise OnnxError(
            "The ONNX graph keeps tensors in external files, which the platform does not read: "
            f"{', '.join(external[:5])}. Save the model with its weights inside the file."
        )


def _port(value_info) -> Port:
    kind = value_info.type
    field = kind.WhichOneof("value")
    if field == "tensor_type":
        onnx = _onnx()
        element = onnx.helper.tensor_dtype_to_string(kind.tensor_type.elem_type)
        type_name = {
            "TensorProto.FLOAT": "tensor(float)",
            "TensorProto.DOUBLE": "tensor(double)",
            "TensorProto.INT64": "tensor(int64)",
            "TensorProto.INT32": "tensor(int32)",
            "TensorProto.BOOL": "tensor(bool)",
            "TensorProto.STRING": "tensor(string)",
        }.get(element, element)
        shape = tuple(
            dim.dim_value if dim.HasField("dim_value") else None for dim in kind.tensor_type.shape.dim
        )
        return Port(value_info.name, type_name, shape)
    if field == "sequence_type":
        return Port(value_info.name, "seq(map)", ())
    return Port(value_info.name, str(field), ())


def column_key(name: str) -> str:
    """How converters spell a column name as an input name (skl2onnx: ``mean radius`` -> ``mean_radius``)."""
    return re.sub(r"[^0-9A-Za-z_]", "_", name)


def _bind_inputs(inputs: list[Port], schema: list[dict]) -> tuple[dict, str, str]:
    types = {column["name"]: column["type"] for column in schema}
    by_key = {column_key(name): name for name in types}
    names = ", ".join(types)
    if len(inputs) == 1 and inputs[0].name not in types and inputs[0].name not in by_key:
        port = inputs[0]
        if port.type not in FLOATS or len(port.shape) != 2:
            raise OnnxError(
                f"The ONNX graph's single input {port.name!r} ({port.type}, shape {list(port.shape)}) "
                f"matches no column of the input schema ({names}); a single input must be a 2-D float "
                "matrix of every column in schema order, otherwise name one input per column."
            )
        text = [name for name, kind in types.items() if kind == "string"]
        if text:
            raise OnnxError(
                f"The ONNX graph takes one numeric matrix, but the input schema has text columns "
                f"({', '.join(text)}); give each column its own input."
            )
        width = port.shape[1]
        if width is not None and width != len(types):
            raise OnnxError(
                f"The ONNX graph's input {port.name!r} takes {width} columns; the input schema has "
                f"{len(types)} ({names})."
            )
        return {}, port.name, port.type
    bindings, problems = {}, []
    for port in inputs:
        column = port.name if port.name in types else by_key.get(port.name)
        if column is None:
            problems.append(f"input {port.name!r} matches no column of the input schema ({names})")
        elif port.type not in COMPATIBLE[types[column]]:
            allowed = ", ".join(sorted(COMPATIBLE[types[column]]))
            problems.append(
                f"input {port.name!r} is {port.type} but column {column!r} is {types[column]} "
                f"(it may feed {allowed})"
            )
        elif len(port.shape) not in (1, 2) or (len(port.shape) == 2 and port.shape[1] not in (1, None)):
            problems.append(f"input {port.name!r} has shape {list(port.shape)}; one column is [N] or [N, 1]")
        else:
            bindings[port.name] = column
    if problems:
        raise OnnxError("The ONNX graph's inputs do not match the input schema: " + "; ".join(problems) + ".")
    return bindings, "", ""


def _prediction_output(outputs: list[Port], task: str) -> str:
    listed = ", ".join(f"{port.name} ({port.type})" for port in outputs)
    if task == "classification":
        for port in outputs:
            if port.type == "seq(map)" or (port.type in FLOATS and len(port.shape) == 2):
                return port.name
        raise OnnxError(
            f"An ONNX classifier must output class probabilities (a 2-D float tensor or a ZipMap); "
            f"this graph outputs {listed}."
        )
    for port in outputs:
        if port.type in FLOATS and (
            len(port.shape) == 1 or (len(port.shape) == 2 and port.shape[1] in (1, None))
        ):
            return port.name
    raise OnnxError(f"An ONNX regressor must output one float value per row; this graph outputs {listed}.")


def _class_labels(model) -> tuple:
    for node in _walk_nodes(model.graph):
        for attribute in node.attribute:
            if attribute.name == "classlabels_strings" and attribute.strings:
                return tuple(label.decode() for label in attribute.strings)
            if attribute.name == "classlabels_int64s" and attribute.ints:
                return tuple(int(label) for label in attribute.ints)
    return ()


def inspect_onnx(
    data: bytes, *, input_schema: list[dict], task: str, classes: list | None = None
) -> OnnxGraph:
    """The graph's bindings to the schema and its prediction output; refuses (``OnnxError``) a graph
    the platform will not run or that cannot serve this schema and task. Nothing is executed."""
    model = _parse(data)
    _refuse_untrusted(model)
    initializers = {tensor.name for tensor in model.graph.initializer}
    inputs = [_port(value) for value in model.graph.input if value.name not in initializers]
    outputs = [_port(value) for value in model.graph.output]
    if not inputs or not outputs:
        raise OnnxError("The ONNX graph has no inputs or no outputs.")
    bindings, matrix_input, matrix_type = _bind_inputs(inputs, input_schema)
    output = _prediction_output(outputs, task)
    labels = _class_labels(model) if task == "classification" else ()
    if task == "classification" and not labels and not classes:
        raise OnnxError(
            "The ONNX graph names no class labels; send the classes in the order of its probability columns."
        )
    return OnnxGraph(
        bindings=bindings,
        matrix_input=matrix_input,
        matrix_type=matrix_type,
        input_types={port.name: port.type for port in inputs},
        input_ranks={port.name: len(port.shape) for port in inputs},
        prediction_output=output,
        class_labels=labels,
        producer=" ".join(part for part in (model.producer_name, model.producer_version) if part),
    )


def _column(values, name: str, onnx_type: str) -> np.ndarray:
    values = np.asarray(values)
    if onnx_type == "tensor(string)":
        as_text = np.array(
            ["" if value is None or value != value else str(value) for value in values.tolist()]
        )
        return as_text.astype(np.str_) if len(as_text) else np.array([], dtype=np.str_)
    if values.dtype.kind == "O":
        try:
            values = values.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise OnnxError(f"Column {name!r} holds values that are not numbers.") from exc
    target = ELEMENT_TYPES[onnx_type]
    if np.issubdtype(target, np.integer) and values.dtype.kind == "f" and np.isnan(values).any():
        raise OnnxError(
            f"Column {name!r} has missing values, which the ONNX graph's {onnx_type} input cannot hold."
        )
    return values.astype(target)


class OnnxModel:
    """An ONNX graph in an onnxruntime session, with the calls the platform makes on a pipeline."""

    def __init__(self, data: bytes, *, input_schema: list[dict], task: str, classes: list | None = None):
        import onnxruntime

        self.graph = inspect_onnx(data, input_schema=input_schema, task=task, classes=classes)
        self.input_schema, self.task = input_schema, task
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1  # the worker and web processes set their own parallelism
        options.inter_op_num_threads = 1
        try:
            self.session = onnxruntime.InferenceSession(data, options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # noqa: BLE001 - e.g. an opset this onnxruntime does not know
            detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise OnnxError(f"onnxruntime could not load the ONNX graph: {detail}") from exc
        declared = tuple(classes or ())
        labels = self.graph.class_labels or declared
        self._declared = labels
        self.classes_ = np.array(sorted(labels)) if labels else None

    def _feed(self, X) -> dict:
        graph = self.graph
        if graph.matrix_input:
            names = [column["name"] for column in self.input_schema]
            matrix = np.column_stack([_column(X[name], name, graph.matrix_type) for name in names])
            return {graph.matrix_input: matrix}
        feed = {}
        for port, column in graph.bindings.items():
            values = _column(X[column], column, graph.input_types[port])
            feed[port] = values.reshape(-1, 1) if graph.input_ranks[port] == 2 else values
        return feed

    def _run(self, X):
        try:
            (output,) = self.session.run([self.graph.prediction_output], self._feed(X))
        except OnnxError:
            raise
        except Exception as exc:  # noqa: BLE001 - onnxruntime's own errors, in one line
            detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise OnnxError(f"The ONNX graph failed to predict: {detail}") from exc
        return output

    def predict_proba(self, X) -> np.ndarray:
        if self.task != "classification":
            raise AttributeError("predict_proba")
        output = self._run(X)
        if isinstance(output, list):  # ZipMap: one {label: probability} per row
            labels = list(output[0]) if output else list(self._declared)
            matrix = np.array([[row[label] for label in labels] for row in output], dtype=np.float64)
        else:
            labels, matrix = list(self._declared), np.asarray(output, dtype=np.float64)
        if matrix.ndim != 2 or matrix.shape[1] != len(labels):
            raise OnnxError(
                f"The ONNX graph returned probabilities of shape {list(matrix.shape)} for "
                f"{len(labels)} classes ({', '.join(map(str, labels))})."
            )
        order = [labels.index(label) for label in self.classes_.tolist()]
        return matrix[:, order]

    def predict(self, X) -> np.ndarray:
        if self.task == "classification":
            return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
        return np.asarray(self._run(X), dtype=np.float64).reshape(-1)
