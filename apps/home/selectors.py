"""The home page of each role: what waits for the signed-in person first. It reads from the apps
below it (requests, the registry, training, teams) and writes nothing.

- a product manager or lead of a delivering team: requests to triage or decide, requests to size;
- a stream's accountable PM, a requesting team's PM or lead: requests waiting for their value inputs,
  and the stream's requests (the stream view);
- every member: their team's open feedback to answer, versions whose production gates fail, their
  overdue time-boxed interactions, and the requests they filed;
- platform staff: the same across every team.

A fixed number of queries whatever the number of rows (each list is cut at ``LIMIT``)."""

from typing import Any

from django.db.models import Q

from apps.core.permissions import is_platform_staff
from apps.modelrequests import policy, scoring
from apps.modelrequests.models import BACKLOG_STATUSES, Board, RequestStatus, ScoringMethod
from apps.modelrequests.selectors import request_list
from apps.modelrequests.streamview import default_stream
from apps.registry.gates import failed_production_gates
from apps.registry.models import Feedback, ModelVersion, Stage
from apps.registry.selectors import UNRESOLVED
from apps.teams.permissions import TEAM_EDITOR_ROLES
from apps.teams.selectors import home_summary

LIMIT = 10


def _roles(user) -> dict[int, set[str]]:
    return policy.roles_of(user)


def _missing(request, methods: dict[int, str], side: tuple[str, ...] | None) -> list[str]:
    method = methods.get(request.delivering_team_id, ScoringMethod.RICE)
    names = scoring.RICE_INPUTS if method == ScoringMethod.RICE else scoring.WSJF_INPUTS
    return [
        name.replace("_", " ")
        for name in names
        if getattr(request, name) is None and (name in policy.SIZE_FIELDS) == (side == policy.SIZE_FIELDS)
    ]


def decisions(*, user) -> dict:
    """The decisions waiting for ``user``: lists of at most ``LIMIT`` rows with their counts."""
    staff = is_platform_staff(user)
    roles = _roles(user)
    leading = [team for team, names in roles.items() if names & set(TEAM_EDITOR_ROLES)]
    member_of = list(roles)
    deliver = Q() if staff else Q(delivering_team_id__in=leading)
    value_side = Q() if staff else Q(requesting_team_id__in=leading) | Q(value_stream__product_manager=user)
    # rows carry what they miss (``missing``, ``missing_value``) for the page
    backlog: list[Any] = list(
        request_list()
        .filter(status__in=BACKLOG_STATUSES)
        .filter(deliver | value_side if not staff else Q())
        .order_by("submitted_at", "pk")[:200]
    )
    methods = dict(
        Board.objects.filter(team_id__in={r.delivering_team_id for r in backlog}).values_list(
            "team_id", "scoring_method"
        )
    )
    may_deliver = set(leading)

    def decides(r):
        return staff or r.delivering_team_id in may_deliver

    def values(r):
        return staff or r.requesting_team_id in may_deliver or r.value_stream.product_manager_id == user.pk

    to_triage = [r for r in backlog if r.status == RequestStatus.SUBMITTED and decides(r)]
    to_decide = [r for r in backlog if r.status == RequestStatus.TRIAGED and decides(r)]
    to_size, to_value = [], []
    for r in backlog:
        if (
            r.status == RequestStatus.ACCEPTED
            and decides(r)
            and (missing := _missing(r, methods, policy.SIZE_FIELDS))
        ):
            r.missing = missing
            to_size.append(r)
        if values(r) and (missing := _missing(r, methods, None)):
            r.missing_value = missing
            to_value.append(r)
    teams = Q() if staff else Q(model__owning_team_id__in=member_of)
    feedback = (
        Feedback.objects.filter(teams, status__in=UNRESOLVED)
        .select_related("model", "from_team")
        .order_by("filed_at")
    )
    candidates = (
        ModelVersion.objects.filter(Q() if staff else Q(model__owning_team_id__in=member_of))
        .filter(stage=Stage.STAGING)
        .select_related("model")
        .order_by("-created_at")[:50]
    )
    blocked = []
    version: Any
    for version in candidates:
        failures = failed_production_gates(version)
        if failures:
            version.failures = failures
            blocked.append(version)
    return {
        "to_triage": to_triage[:LIMIT],
        "to_triage_count": len(to_triage),
        "to_decide": to_decide[:LIMIT],
        "to_decide_count": len(to_decide),
        "to_size": to_size[:LIMIT],
        "to_size_count": len(to_size),
        "to_value": to_value[:LIMIT],
        "to_value_count": len(to_value),
        "feedback": list(feedback[:LIMIT]),
        "feedback_count": feedback.count(),
        "blocked_versions": blocked[:LIMIT],
    }


def role_home(*, user) -> dict:
    """Everything the home page shows the signed-in person, their roles in words first."""
    context = home_summary(user=user)
    roles = _roles(user)
    staff = is_platform_staff(user)
    stream = default_stream(user=user)
    accountable = stream is not None and stream.product_manager_id == user.pk
    my_team_ids = set(roles)
    context.update(
        decisions(user=user),
        is_staff=staff,
        stream=stream,
        accountable_for=stream if accountable else None,
        leads=any(names & set(TEAM_EDITOR_ROLES) for names in roles.values()),
        my_overdue=[
            i
            for i in context["overdue_interactions"]
            if staff or {i.from_team_id, i.to_team_id} & my_team_ids
        ],
        my_requests=list(
            request_list()
            .filter(created_by=user)
            .exclude(status=RequestStatus.RETIRED)
            .order_by("-submitted_at")[:LIMIT]
        ),
    )
    return context
