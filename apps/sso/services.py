"""Signing in from the identity provider: find or create the portal user, then make their
identity-provider memberships and platform-staff status what the provider's groups say.

Only memberships marked ``source=idp`` are added, changed or removed; local memberships are left alone,
except that a local membership of a team the provider now grants is taken over (the provider's role
wins and the row is marked as synced)."""

import logging
import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.utils import timezone

from apps.core.acting import IDP_SYNC, acting
from apps.sso.config import GroupGrant, SsoConfig
from apps.sso.models import IdentityLink
from apps.teams.models import Membership, MembershipSource, Team

logger = logging.getLogger(__name__)
User = get_user_model()

PROFILE_CLAIMS = {"email": "email", "given_name": "first_name", "family_name": "last_name"}


@dataclass
class MembershipChanges:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def groups_in(claims: dict, claim: str) -> list[str]:
    """The groups a claim carries: a list of names (a single name is taken as a list of one)."""
    value = claims.get(claim) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return [group for group in value if isinstance(group, str)]


def roles_granted(groups: list[str], grants: tuple[GroupGrant, ...]) -> dict[str, str]:
    """``{team slug: role}`` for the groups the person is in; the first matching grant per team wins."""
    member_of = set(groups)
    roles: dict[str, str] = {}
    for grant in grants:
        if grant.group in member_of:
            roles.setdefault(grant.team_slug, grant.role)
    return roles


def sync_memberships(*, user, groups: list[str], grants: tuple[GroupGrant, ...]) -> MembershipChanges:
    roles = roles_granted(groups, grants)
    teams = {team.slug: team for team in Team.objects.filter(slug__in=roles)}
    for slug in sorted(set(roles) - set(teams)):
        logger.warning("PORTAL_OIDC_GROUP_MAP names the team %r, which does not exist; ignored.", slug)
    changes = MembershipChanges()
    current = {m.team.slug: m for m in Membership.objects.filter(user=user).select_related("team")}
    for slug, existing in current.items():
        if existing.source == MembershipSource.IDP and slug not in teams:
            existing.delete()
            changes.removed.append(slug)
    for slug, team in teams.items():
        membership = current.get(slug)
        if membership is None:
            Membership.objects.create(user=user, team=team, role=roles[slug], source=MembershipSource.IDP)
            changes.added.append(slug)
        elif (membership.role, membership.source) != (roles[slug], MembershipSource.IDP):
            membership.role, membership.source = roles[slug], MembershipSource.IDP
            membership.save(update_fields=["role", "source"])
            changes.changed.append(slug)
    return changes


def sync_staff(*, user, groups: list[str], staff_groups: frozenset[str]) -> None:
    """Platform staff exactly while in a staff group (when staff groups are configured at all)."""
    if not staff_groups:
        return
    is_staff = bool(staff_groups & set(groups))
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


def _free_username(claims: dict) -> str:
    wanted = claims.get("preferred_username") or (claims.get("email") or "").split("@")[0] or claims["sub"]
    base = re.sub(r"[^\w.@+-]", "-", str(wanted))[:140] or "user"
    username, number = base, 1
    while User.objects.filter(username__iexact=username).exists():
        number += 1
        username = f"{base}-{number}"
    return username


def _update_profile(user, claims: dict) -> None:
    changed = []
    for claim, name in PROFILE_CLAIMS.items():
        value = claims.get(claim)
        if isinstance(value, str) and getattr(user, name) != value[:150]:
            setattr(user, name, value[:150])
            changed.append(name)
    if changed:
        user.save(update_fields=changed)


class AccountDeactivated(Exception):
    """The person signing in has a portal account that was deactivated in the portal: the provider
    does not bring them back, and nothing of theirs is synced."""


def _linked_user(*, issuer: str, claims: dict, groups: list[str]):
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise SuspiciousOperation("The identity provider sent no subject (sub claim).")
    now = timezone.now()
    link = IdentityLink.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    if link is not None and not link.user.is_active:
        # Refused before anything is written: no membership, staff flag, profile or link update for a
        # deactivated account (a sync would hand it its teams back for the next reactivation).
        raise AccountDeactivated(link.user.username)
    if link is None:
        user = User.objects.create_user(_free_username(claims))  # no password: signs in only through SSO
        IdentityLink.objects.create(
            user=user, issuer=issuer, subject=subject, groups=groups, last_sign_in_at=now
        )
        return user
    link.groups, link.last_sign_in_at = groups, now
    link.save(update_fields=["groups", "last_sign_in_at"])
    return link.user


@transaction.atomic
def sign_in_from_idp(*, claims: dict, config: SsoConfig):
    """The portal user for these verified claims, with memberships and staff status synced. The
    writes are the identity provider's (channel ``idp-sync``), made for the person signing in.
    Raises ``AccountDeactivated`` (and writes nothing) for a user deactivated in the portal."""
    groups = groups_in(claims, config.groups_claim)
    with acting(channel=IDP_SYNC, inherit_actor=False) as context:
        user = _linked_user(issuer=config.issuer, claims=claims, groups=groups)
        context.actor = user
        _update_profile(user, claims)
        changes = sync_memberships(user=user, groups=groups, grants=config.grants)
        sync_staff(user=user, groups=groups, staff_groups=config.staff_groups)
    logger.info(
        "SSO sign-in of %s: memberships added %s, changed %s, removed %s",
        user.username,
        changes.added,
        changes.changed,
        changes.removed,
    )
    return user
