"""Single sign-on configuration, read from the settings (which read PORTAL_OIDC_* from the environment).

The group map says which identity-provider group makes a person what in the portal:
``ml-platform-leads=ml-platform:lead`` makes every member of the IdP group ``ml-platform-leads`` a lead
of the team with slug ``ml-platform``. When one person is in several groups that map to the same team,
the first matching entry of the map decides the role."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from apps.teams.models import MemberRole

GROUP_MAP_VARIABLE = "PORTAL_OIDC_GROUP_MAP"


@dataclass(frozen=True)
class GroupGrant:
    group: str
    team_slug: str
    role: str


@dataclass(frozen=True)
class SsoConfig:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    groups_claim: str
    grants: tuple[GroupGrant, ...]
    staff_groups: frozenset[str]
    button_label: str
    sign_algo: str

    @property
    def enabled(self) -> bool:
        return bool(self.issuer)

    def groups_granting(self, team_slug: str) -> list[str]:
        return [grant.group for grant in self.grants if grant.team_slug == team_slug]


def parse_grant(entry: str) -> GroupGrant:
    roles = ", ".join(MemberRole.values)
    group, equals, target = entry.partition("=")
    team_slug, colon, role = target.partition(":")
    group, team_slug, role = group.strip(), team_slug.strip(), role.strip()
    if not (equals and colon and group and team_slug and role):
        raise ImproperlyConfigured(
            f"{GROUP_MAP_VARIABLE} entry {entry!r} is not of the form group=team-slug:role "
            f"(e.g. ml-platform-leads=ml-platform:lead)."
        )
    if role not in MemberRole.values:
        raise ImproperlyConfigured(
            f"{GROUP_MAP_VARIABLE} entry {entry!r}: {role!r} is not a role; use one of {roles}."
        )
    return GroupGrant(group=group, team_slug=team_slug, role=role)


def sso_config() -> SsoConfig:
    """The configuration in force (read on every call, so a changed setting takes effect at once)."""
    issuer = settings.SSO_ISSUER.strip().rstrip("/")
    if issuer and not (settings.SSO_CLIENT_ID and settings.SSO_CLIENT_SECRET):
        raise ImproperlyConfigured(
            "PORTAL_OIDC_ISSUER is set: PORTAL_OIDC_CLIENT_ID and PORTAL_OIDC_CLIENT_SECRET are needed too."
        )
    return SsoConfig(
        issuer=issuer,
        client_id=settings.SSO_CLIENT_ID,
        client_secret=settings.SSO_CLIENT_SECRET,
        scopes=settings.SSO_SCOPES,
        groups_claim=settings.SSO_GROUPS_CLAIM,
        grants=tuple(parse_grant(entry) for entry in settings.SSO_GROUP_MAP),
        staff_groups=frozenset(settings.SSO_STAFF_GROUPS),
        button_label=settings.SSO_BUTTON_LABEL,
        sign_algo=settings.SSO_SIGN_ALGO,
    )
