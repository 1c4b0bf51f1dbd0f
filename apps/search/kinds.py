"""What the header search box finds: one entry per kind of object, in the order results are grouped.

A kind names the fields matched (the first is the title, matched and ranked most strongly), how a hit
reads in the list, and where it links. Search is the top layer: it reads every app below it and none
of them knows it exists.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model, QuerySet

from apps.modelrequests.models import ModelRequest
from apps.outcomes.models import Kpi
from apps.registry.models import ModelVersion, RegisteredModel
from apps.teams.models import Team, ValueStream
from apps.training.models import DatasetVersion


@dataclass(frozen=True)
class SearchKind:
    key: str
    label: str
    queryset: Callable[[], QuerySet]
    fields: tuple[str, ...]
    title: Callable[[Model], str]
    detail: Callable[[Model], str]
    url: Callable[[Model], str]


def _version_url(version: ModelVersion) -> str:
    return f"{version.model.get_absolute_url()}#v{version.number}"


KINDS: tuple[SearchKind, ...] = (
    SearchKind(
        key="team",
        label="Teams",
        queryset=lambda: Team.objects.select_related("value_stream"),
        fields=("name", "slug", "focus"),
        title=lambda team: team.name,
        detail=lambda team: (
            f"{team.get_team_type_display()} team"
            + (f" in {team.value_stream.name}" if team.value_stream_id else "")
        ),
        url=lambda team: team.get_absolute_url(),
    ),
    SearchKind(
        key="stream",
        label="Value streams",
        queryset=lambda: ValueStream.objects.all(),
        fields=("name", "slug", "description"),
        title=lambda stream: stream.name,
        detail=lambda stream: "Value stream",
        url=lambda stream: stream.get_absolute_url(),
    ),
    SearchKind(
        key="model",
        label="Models",
        queryset=lambda: RegisteredModel.objects.select_related("owning_team"),
        fields=("name", "slug", "purpose"),
        title=lambda model: model.name,
        detail=lambda model: f"Owned by {model.owning_team.name}",
        url=lambda model: model.get_absolute_url(),
    ),
    SearchKind(
        key="version",
        label="Model versions",
        queryset=lambda: ModelVersion.objects.select_related("model"),
        fields=("model__name", "estimator", "dataset_name"),
        title=lambda version: f"{version.model.name} v{version.number}",
        detail=lambda version: f"{version.get_stage_display()} · {version.estimator}",
        url=_version_url,
    ),
    SearchKind(
        key="request",
        label="Model requests",
        queryset=lambda: ModelRequest.objects.select_related("requesting_team"),
        fields=("title", "problem_statement", "kpi"),
        title=lambda request: request.title,
        detail=lambda request: (
            f"#{request.pk} · {request.get_status_display()} · from {request.requesting_team.name}"
        ),
        url=lambda request: request.get_absolute_url(),
    ),
    SearchKind(
        key="dataset",
        label="Datasets",
        queryset=lambda: DatasetVersion.objects.select_related("team"),
        fields=("name", "description", "original_filename"),
        title=lambda dataset: f"{dataset.name} v{dataset.version}",
        detail=lambda dataset: f"Dataset of {dataset.team.name}",
        url=lambda dataset: dataset.get_absolute_url(),
    ),
    SearchKind(
        key="kpi",
        label="KPIs",
        queryset=lambda: Kpi.objects.select_related("stream"),
        fields=("name", "description"),
        title=lambda kpi: kpi.name,
        detail=lambda kpi: f"KPI of {kpi.stream.name}",
        url=lambda kpi: kpi.get_absolute_url(),
    ),
)
KIND_KEYS = tuple(kind.key for kind in KINDS)
