from django import template
from django.conf import settings

from apps.accounts import selectors
from apps.accounts.forms import ServiceAccountForm
from apps.accounts.permissions import can_manage_service_accounts_of, service_accounts_refusal, team_role_of

register = template.Library()


@register.inclusion_tag("accounts/_team_service_accounts.html", takes_context=True)
def team_service_accounts(context, team):
    """The team page's Service accounts section: its members read it; its lead and platform staff
    create and deactivate service accounts and issue their tokens there."""
    user = context["request"].user
    can_manage = can_manage_service_accounts_of(user, team)
    shown = can_manage or team_role_of(user, team) is not None
    return {
        "team": team,
        "shown": shown,
        "can_manage": can_manage,
        "refusal": service_accounts_refusal(team),
        "accounts": list(selectors.service_accounts_of_team(team)) if shown else [],
        "form": ServiceAccountForm(),
        "default_days": settings.PORTAL_TOKEN_DEFAULT_DAYS,
        "max_days": settings.PORTAL_TOKEN_MAX_DAYS,
        "csrf_token": context.get("csrf_token"),
    }
