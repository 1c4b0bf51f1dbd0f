from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet

from apps.accounts import policy
from apps.accounts.models import ApiToken, ServiceAccount, UserSession
from apps.teams.models import MemberRole, Membership, Team


def led_team_ids(user) -> list[int]:
    return list(Membership.objects.filter(user=user, role=MemberRole.LEAD).values_list("team_id", flat=True))


def token_list() -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("user", "user__service_account__team", "created_by").order_by(
        "-created"
    )


def tokens_visible_to(user) -> QuerySet[ApiToken]:
    """Staff: every token; others: their own and those of the service accounts of teams they lead."""
    tokens = token_list()
    if policy.manages_every_token(user):
        return tokens
    return tokens.filter(Q(user=user) | Q(user__service_account__team_id__in=led_team_ids(user)))


def service_account_list() -> QuerySet[ServiceAccount]:
    return ServiceAccount.objects.select_related("user", "team", "created_by").annotate(
        token_count=Count("user__auth_token_set")
    )


def service_accounts_visible_to(user) -> QuerySet[ServiceAccount]:
    """Staff: every one; others: those of the teams they are in (a lead manages them, members read)."""
    accounts = service_account_list()
    if policy.sees_every_service_account(user):
        return accounts
    member_of = Membership.objects.filter(user=user).values_list("team_id", flat=True)
    return accounts.filter(team_id__in=member_of)


def service_accounts_of_team(team) -> QuerySet[ServiceAccount]:
    return service_account_list().filter(team=team).order_by("-user__is_active", "user__username")


def user_list() -> QuerySet:
    """People and service accounts, with their teams and how many tokens they hold."""
    return (
        get_user_model()
        .objects.select_related("service_account__team")
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("team").order_by("team__name"))
        )
        .annotate(token_count=Count("auth_token_set", distinct=True))
        .order_by("username")
    )


def teams_led_by(user) -> QuerySet[Team]:
    """The teams whose service accounts ``user`` manages."""
    if policy.manages_every_service_account(user):
        return Team.objects.order_by("name")
    return Team.objects.filter(pk__in=led_team_ids(user)).order_by("name")


def service_account_memberships(user_ids: list[int]) -> dict[int, str]:
    """Why these users' memberships are not changed by hand: they are service accounts (the teams
    app asks through ``apps.teams.hooks.managed_members``)."""
    return {
        account.user_id: (
            f"{account.user.username} is a service account of {account.team.name}: it belongs to that team "
            "only, and its role is changed under Service accounts on the team page."
        )
        for account in ServiceAccount.objects.filter(user_id__in=user_ids).select_related("user", "team")
    }


def sessions_of(user) -> QuerySet[UserSession]:
    return UserSession.objects.filter(user=user).order_by("-created_at")


def lockout_list() -> QuerySet[AccessAttempt]:
    """Rows of failed sign-ins per username, address and browser, newest failure first."""
    return AccessAttempt.objects.order_by("-attempt_time", "-id")


def user_for_reset(pk: str | None):
    """The active user a password-reset link names, or None."""
    if not pk:
        return None
    try:
        return get_user_model().objects.filter(pk=pk, is_active=True).first()
    except (ValueError, TypeError):
        return None
