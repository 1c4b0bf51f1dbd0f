from django import template
from django.conf import settings

from apps.accounts import selectors
from apps.accounts.forms import ServiceAccountForm
from apps.core.policy import allowed, denial

register = template.Library()


@register.inclusion_tag("accounts/_team_service_accounts.html", takes_context=True)
def team_service_accounts(context, team):
    """The team page's Service accounts section: its members and platform staff read it (as the API
    lists them, ``accounts.see_service_accounts``); whom ``accounts.manage_service_accounts``
    allows also creates and deactivates them and issues their tokens there."""
    user = context["request"].user
    shown = allowed(user, "accounts.see_service_accounts", team)
    can_manage = shown and allowed(user, "accounts.manage_service_accounts", team)
    return {
        "team": team,
        "shown": shown,
        "can_manage": can_manage,
        "refusal": denial("accounts.manage_service_accounts", team),
        "accounts": list(selectors.service_accounts_of_team(team)) if shown else [],
        "form": ServiceAccountForm(auto_id="service_account_%s"),  # ids apart from the member form
        "default_days": settings.PORTAL_TOKEN_DEFAULT_DAYS,
        "max_days": settings.PORTAL_TOKEN_MAX_DAYS,
        "csrf_token": context.get("csrf_token"),
    }
