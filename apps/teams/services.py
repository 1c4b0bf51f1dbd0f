"""Writes for the teams catalogue. Each service checks who acts, validates, and saves atomically."""

from django.contrib.auth.models import User
from django.db import transaction

from apps.core.policy import allowed, ensure
from apps.core.services import apply_and_save, changed_fields, stored
from apps.teams.memberships import (
    ensure_editable_by_hand,
    ensure_team_accepts_hand_members,
    ensure_user_accepts_hand_memberships,
)
from apps.teams.models import Interaction, Membership, Team, ValueStream

STREAM_FIELDS = ("name", "slug", "description", "product_manager")
TEAM_FIELDS = (
    "name",
    "slug",
    "team_type",
    "value_stream",
    "focus",
    "provides_services",
    "services_offered",
    "service_level_expectations",
    "software_owned",
    "chat_channels",
    "ways_of_working",
    "current_work",
    "capacity_points",
    "wip_limit",
)
MEMBERSHIP_FIELDS = ("team", "user", "role")
INTERACTION_FIELDS = ("from_team", "to_team", "mode", "purpose", "start_date", "expected_end", "ended_on")


STREAM_OWNERSHIP_FIELDS = {"slug", "product_manager"}


def can_change_stream(actor, stream: ValueStream) -> bool:
    return allowed(actor, "teams.change_stream", stream)


def ensure_can_change_stream(actor, stream: ValueStream) -> None:
    ensure(actor, "teams.change_stream", stream)


def stream_create(*, actor: User, data: dict) -> ValueStream:
    ensure(actor, "teams.create_stream")
    return apply_and_save(ValueStream(), data=data, fields=STREAM_FIELDS)


@transaction.atomic
def stream_update(*, actor: User, stream: ValueStream, data: dict) -> ValueStream:
    before = stored(stream)
    ensure(actor, "teams.change_stream", before)
    if changed_fields(stream, data, before=before) & STREAM_OWNERSHIP_FIELDS:
        ensure(actor, "teams.change_stream_ownership", before)
    return apply_and_save(stream, data=data, fields=STREAM_FIELDS)


def stream_delete(*, actor: User, stream: ValueStream) -> None:
    ensure(actor, "teams.create_stream")
    stream.delete()


def team_create(*, actor: User, data: dict) -> Team:
    ensure(actor, "teams.create_team")
    return apply_and_save(Team(), data=data, fields=TEAM_FIELDS)


@transaction.atomic
def team_update(*, actor: User, team: Team, data: dict) -> Team:
    before = stored(team)
    ensure(actor, "teams.change_team", before)
    if "value_stream" in changed_fields(team, data, before=before) and data["value_stream"] is not None:
        # Joining a stream grants write access to its data: the receiving stream's PM agrees.
        ensure(actor, "teams.join_stream", data["value_stream"])
    return apply_and_save(team, data=data, fields=TEAM_FIELDS)


def team_delete(*, actor: User, team: Team) -> None:
    ensure(actor, "teams.create_team")
    team.delete()


def membership_create(*, actor: User, data: dict) -> Membership:
    ensure(actor, "teams.manage_members", data.get("team"))
    ensure_team_accepts_hand_members(data.get("team"))
    ensure_user_accepts_hand_memberships(data.get("user"))
    return apply_and_save(Membership(), data=data, fields=MEMBERSHIP_FIELDS)


@transaction.atomic
def membership_update(*, actor: User, membership: Membership, data: dict) -> Membership:
    before = stored(membership)
    ensure(actor, "teams.manage_members", before.team)
    ensure_editable_by_hand(before)
    if "team" in changed_fields(membership, data, before=before):
        ensure(actor, "teams.manage_members", data["team"])
        ensure_team_accepts_hand_members(data["team"])
    if "user" in data and data["user"] != membership.user:
        ensure_user_accepts_hand_memberships(data["user"])
    return apply_and_save(membership, data=data, fields=MEMBERSHIP_FIELDS)


def membership_delete(*, actor: User, membership: Membership) -> None:
    before = stored(membership)
    ensure(actor, "teams.manage_members", before.team)
    ensure_editable_by_hand(before)
    membership.delete()


def _ensure_can_change_interaction(actor, from_team: Team | None, to_team: Team | None) -> None:
    """Either side's lead or product manager may record or change an interaction."""
    if not (
        allowed(actor, "teams.record_interaction", from_team)
        or allowed(actor, "teams.record_interaction", to_team)
    ):
        ensure(actor, "teams.record_interaction", from_team)


def interaction_create(*, actor: User, data: dict) -> Interaction:
    _ensure_can_change_interaction(actor, data.get("from_team"), data.get("to_team"))
    return apply_and_save(Interaction(), data=data, fields=INTERACTION_FIELDS)


@transaction.atomic
def interaction_update(*, actor: User, interaction: Interaction, data: dict) -> Interaction:
    before = stored(interaction)
    _ensure_can_change_interaction(actor, before.from_team, before.to_team)
    if {"from_team", "to_team"} & changed_fields(interaction, data, before=before):
        _ensure_can_change_interaction(
            actor, data.get("from_team", before.from_team), data.get("to_team", before.to_team)
        )
    return apply_and_save(interaction, data=data, fields=INTERACTION_FIELDS)


def interaction_delete(*, actor: User, interaction: Interaction) -> None:
    before = stored(interaction)
    _ensure_can_change_interaction(actor, before.from_team, before.to_team)
    interaction.delete()
