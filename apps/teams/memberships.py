"""Which memberships may be changed by hand: none that the identity provider syncs, none in a team
whose members the identity provider manages, and none of a user whose memberships another app
manages (a service account's one team). Services, forms and the admin all ask here."""

from django.core.exceptions import ValidationError

from apps.teams.hooks import managed_members, why_members_are_managed
from apps.teams.models import Membership, MembershipSource


def synced_membership_message(membership: Membership) -> str:
    return (
        f"{membership.user}'s membership of {membership.team} comes from the identity provider and is "
        "synced at each sign-in; change the person's groups there."
    )


def ensure_editable_by_hand(membership: Membership) -> None:
    if membership.pk and membership.source == MembershipSource.IDP:
        raise ValidationError(synced_membership_message(membership))
    if membership.pk:
        ensure_user_accepts_hand_memberships(membership.user)


def ensure_user_accepts_hand_memberships(user) -> None:
    reason = managed_members([user.pk]).get(user.pk) if user is not None else None
    if reason:
        raise ValidationError({"user": reason})


def ensure_team_accepts_hand_members(team) -> None:
    reason = why_members_are_managed(team) if team is not None else None
    if reason:
        raise ValidationError({"team": reason})
