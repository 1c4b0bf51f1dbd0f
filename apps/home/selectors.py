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

from apps.core.policy import allowed_everywhere, is_platform_staff
from apps.modelrequests import policy
from apps.modelrequests.models import RequestStatus
from apps.modelrequests.selectors import request_list, waiting_decisions
from apps.modelrequests.streamview import default_stream
from apps.registry.gates import failed_production_gates
from apps.registry.models import Feedback, ModelVersion, Stage
from apps.registry.selectors import UNRESOLVED
from apps.teams.models import MemberRole
from apps.teams.permissions import TEAM_EDITOR_ROLES
from apps.teams.selectors import home_summary

LIMIT = 10


def _roles(user) -> dict[int, set[str]]:
    return policy.roles_of(user)


def decisions(*, user, roles: dict[int, set[str]] | None = None) -> dict:
    """The decisions waiting for ``user``: lists of at most ``LIMIT`` rows with their counts."""
    roles = _roles(user) if roles is None else roles
    member_of = list(roles)
    waiting = waiting_decisions(user=user, limit=LIMIT, roles=roles)
    waiting_total = waiting.pop("total")["count"]
    for row in waiting["value"]["rows"]:
        row.missing_value = row.missing
    every_feedback = allowed_everywhere(user, "registry.respond_to_feedback")
    teams = Q() if every_feedback else Q(model__owning_team_id__in=member_of)
    feedback = (
        Feedback.objects.filter(teams, status__in=UNRESOLVED)
        .select_related("model", "from_team")
        .order_by("filed_at")
    )
    candidates = (
        ModelVersion.objects.filter(
            Q()
            if allowed_everywhere(user, "registry.promote_version")
            else Q(model__owning_team_id__in=member_of)
        )
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
        **{f"to_{kind}": entry["rows"] for kind, entry in waiting.items()},
        **{f"to_{kind}_count": entry["count"] for kind, entry in waiting.items()},
        "waiting": waiting,
        "waiting_count": waiting_total,
        "feedback": list(feedback[:LIMIT]),
        "feedback_count": feedback.count(),
        "blocked_versions": blocked[:LIMIT],
    }


def role_home(*, user) -> dict:
    """Everything the home page shows the signed-in person, their roles in words first."""
    context = home_summary(user=user)
    roles = _roles(user)
    staff = is_platform_staff(user)  # the role in words ("platform staff")
    every_interaction = allowed_everywhere(user, "teams.record_interaction")
    stream = default_stream(user=user)
    accountable = stream is not None and stream.product_manager_id == user.pk
    my_team_ids = set(roles)
    labels = dict(MemberRole.choices)
    context.update(
        decisions(user=user, roles=roles),
        # "Product manager of ML Platform", "Engineer in Checkout Experience": what each team expects
        my_roles=[
            " and ".join(labels[name] for name in sorted(roles.get(team.pk, ())))
            + (" of " if roles.get(team.pk, set()) & set(TEAM_EDITOR_ROLES) else " in ")
            + team.name
            for team in context["my_teams"]
            if roles.get(team.pk)
        ],
        is_staff=staff,
        stream=stream,
        accountable_for=stream if accountable else None,
        leads=any(names & set(TEAM_EDITOR_ROLES) for names in roles.values()),
        my_overdue=[
            i
            for i in context["overdue_interactions"]
            if every_interaction or {i.from_team_id, i.to_team_id} & my_team_ids
        ],
        my_requests=list(
            request_list()
            .filter(created_by=user)
            .exclude(status=RequestStatus.RETIRED)
            .order_by("-submitted_at")[:LIMIT]
        ),
    )
    return context
