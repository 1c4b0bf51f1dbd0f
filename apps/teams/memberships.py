"""Which memberships may be changed by hand: none that the identity provider syncs, and none in a team
whose members the identity provider manages. Services, forms and the admin all ask here."""

from django.core.exceptions import ValidationError

from apps.teams.hooks import why_members_are_managed
from apps.teams.models import Membership, MembershipSource


def synced_membership_message(membership: Membership) -> str:
    return (
        f"{membership.user}'s membership of {membership.team} comes from the identity provider and is "
        "synced at each sign-in; change the person's groups there."
    )


def ensure_editable_by_hand(membership: Membership) -> None:
    if membership.pk and membership.source == MembershipSource.IDP:
        raise ValidationError(synced_membership_message(membership))


def ensure_team_accepts_hand_members(team) -> None:
    reason = why_members_are_managed(team) if team is not None else None
    if reason:
        raise ValidationError({"team": reason})
