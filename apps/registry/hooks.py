"""What the registry announces to the apps above it. It never imports them: they subscribe here in
their ``AppConfig.ready()`` (e.g. the outcomes monitoring counts every prediction served)."""

from collections.abc import Callable

PredictionReceiver = Callable[..., None]

_prediction_served: list[PredictionReceiver] = []


def on_prediction_served(receiver: PredictionReceiver) -> None:
    """Call ``receiver(*, version, row_count, latency_ms, error, inputs)`` after every prediction call;
    ``inputs`` is None or a callable taking row indices and returning ``{index: row}``. Receivers must
    not raise: a prediction never fails because of who listens to it."""
    if receiver not in _prediction_served:
        _prediction_served.append(receiver)


def prediction_served(
    *, version, row_count: int, latency_ms: float, error: bool = False, inputs=None
) -> None:
    for receiver in _prediction_served:
        receiver(version=version, row_count=row_count, latency_ms=latency_ms, error=error, inputs=inputs)
