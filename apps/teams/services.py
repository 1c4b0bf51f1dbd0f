"""Writes for the teams catalogue. Each service checks who acts, validates, and saves atomically."""

from django.contrib.auth.models import User
from django.db import transaction

from apps.core.permissions import ensure_platform_staff, is_platform_staff
from apps.core.services import apply_and_save
from apps.teams.memberships import (
    ensure_editable_by_hand,
    ensure_team_accepts_hand_members,
    ensure_user_accepts_hand_memberships,
)
from apps.teams.models import Interaction, Membership, Team, ValueStream
from apps.teams.permissions import can_change_team, ensure_can_change_team

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


def can_change_stream(actor, stream: ValueStream) -> bool:
    return is_platform_staff(actor) or bool(
        stream.product_manager_id and stream.product_manager_id == actor.pk
    )


def ensure_can_change_stream(actor, stream: ValueStream) -> None:
    if not can_change_stream(actor, stream):
        ensure_platform_staff(actor, action=f"change the value stream {stream.name}")


def stream_create(*, actor: User, data: dict) -> ValueStream:
    ensure_platform_staff(actor, action="create value streams")
    return apply_and_save(ValueStream(), data=data, fields=STREAM_FIELDS)


def stream_update(*, actor: User, stream: ValueStream, data: dict) -> ValueStream:
    ensure_can_change_stream(actor, stream)
    return apply_and_save(stream, data=data, fields=STREAM_FIELDS)


def stream_delete(*, actor: User, stream: ValueStream) -> None:
    ensure_platform_staff(actor, action="delete value streams")
    stream.delete()


def team_create(*, actor: User, data: dict) -> Team:
    ensure_platform_staff(actor, action="create teams")
    return apply_and_save(Team(), data=data, fields=TEAM_FIELDS)


def team_update(*, actor: User, team: Team, data: dict) -> Team:
    ensure_can_change_team(actor, team)
    return apply_and_save(team, data=data, fields=TEAM_FIELDS)


def team_delete(*, actor: User, team: Team) -> None:
    ensure_platform_staff(actor, action="delete teams")
    team.delete()


def membership_create(*, actor: User, data: dict) -> Membership:
    ensure_can_change_team(actor, data.get("team"), action="add members to")
    ensure_team_accepts_hand_members(data.get("team"))
    ensure_user_accepts_hand_memberships(data.get("user"))
    return apply_and_save(Membership(), data=data, fields=MEMBERSHIP_FIELDS)


def membership_update(*, actor: User, membership: Membership, data: dict) -> Membership:
    ensure_can_change_team(actor, membership.team, action="change members of")
    ensure_editable_by_hand(membership)
    if "team" in data and data["team"] != membership.team:
        ensure_can_change_team(actor, data["team"], action="add members to")
        ensure_team_accepts_hand_members(data["team"])
    if "user" in data and data["user"] != membership.user:
        ensure_user_accepts_hand_memberships(data["user"])
    return apply_and_save(membership, data=data, fields=MEMBERSHIP_FIELDS)


def membership_delete(*, actor: User, membership: Membership) -> None:
    ensure_can_change_team(actor, membership.team, action="remove members from")
    ensure_editable_by_hand(membership)
    membership.delete()


def _ensure_can_change_interaction(actor, from_team: Team | None, to_team: Team | None) -> None:
    """Either side's lead or product manager may record or change an interaction."""
    if not (can_change_team(actor, from_team) or can_change_team(actor, to_team)):
        ensure_can_change_team(actor, from_team, action="record interactions of")


def interaction_create(*, actor: User, data: dict) -> Interaction:
    _ensure_can_change_interaction(actor, data.get("from_team"), data.get("to_team"))
    return apply_and_save(Interaction(), data=data, fields=INTERACTION_FIELDS)


@transaction.atomic
def interaction_update(*, actor: User, interaction: Interaction, data: dict) -> Interaction:
    _ensure_can_change_interaction(actor, interaction.from_team, interaction.to_team)
    if {"from_team", "to_team"} & set(data):
        _ensure_can_change_interaction(
            actor, data.get("from_team", interaction.from_team), data.get("to_team", interaction.to_team)
        )
    return apply_and_save(interaction, data=data, fields=INTERACTION_FIELDS)


def interaction_delete(*, actor: User, interaction: Interaction) -> None:
    _ensure_can_change_interaction(actor, interaction.from_team, interaction.to_team)
    interaction.delete()
