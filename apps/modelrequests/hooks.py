"""What model requests ask of the apps above them. The KPIs a request may name live in outcomes,
which this app may not import: outcomes registers a provider here in its ``AppConfig.ready()``."""

from collections.abc import Callable, Iterable

# ``provider(stream_ids)`` -> ``{stream_id: [kpi name, ...]}`` (the streams' live KPIs)
KpiProvider = Callable[[Iterable[int]], dict[int, list[str]]]

_kpi_providers: list[KpiProvider] = []


def provide_kpis(provider: KpiProvider) -> None:
    if provider not in _kpi_providers:
        _kpi_providers.append(provider)


def kpis_of_streams(stream_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each stream's KPI names (empty when no app provides KPIs)."""
    ids = list(stream_ids)
    names: dict[int, list[str]] = {pk: [] for pk in ids}
    for provider in _kpi_providers:
        for pk, kpis in provider(ids).items():
            names.setdefault(pk, []).extend(name for name in kpis if name not in names[pk])
    return names
