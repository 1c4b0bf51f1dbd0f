"""The account pages under the user menu: API tokens, sign out everywhere, and for platform staff and
team leads the users and service accounts they manage."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.accounts import selectors, services
from apps.accounts.filtersets import TokenFilterSet
from apps.accounts.forms import TokenForm
from apps.core.forms import add_service_errors


def _token_owners(user) -> list:
    """The users the token form offers: yourself, then the service accounts you manage."""
    managed = [
        account.user
        for account in selectors.service_account_list().filter(team__in=selectors.teams_led_by(user))
    ]
    return [user, *managed]


def token_list(request):
    form = TokenForm(request.POST or None, owners=_token_owners(request.user))
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, plain = services.token_create(
                actor=request.user,
                owner=form.owner(request.user),
                name=form.cleaned_data["name"],
                expiry=form.cleaned_data["expires_on"],
                read_only=form.cleaned_data["read_only"],
            )
            created = {"token": token, "plain": plain}
            form = TokenForm(owners=_token_owners(request.user))
        except ValidationError as error:
            add_service_errors(form, error)
    listed = TokenFilterSet(request.GET, queryset=selectors.tokens_visible_to(request.user))
    return render(
        request,
        "accounts/token_list.html",
        {"form": form, "filter": listed, "tokens": listed.qs, "created": created},
    )


@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(selectors.tokens_visible_to(request.user), pk=pk)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, f"Token “{token.name}” of {token.user.username} revoked; it no longer works.")
    return redirect("accounts:token-list")


def account(request):
    """Who you are signed in as, your password, your sessions and tokens, and signing out everywhere."""
    user = request.user
    context = {
        "session_count": selectors.sessions_of(user).count(),
        "token_count": selectors.token_list().filter(user=user).count(),
        "session_hours": settings.SESSION_COOKIE_AGE / 3600,
        "memberships": user.memberships.select_related("team").order_by("team__name"),
    }
    return render(request, "accounts/account.html", context)


@require_POST
def sign_out_everywhere(request):
    ended = services.sign_out_everywhere(user=request.user)
    logout(request)  # this browser's session was among them: start a fresh, signed-out one
    messages.success(
        request,
        f"Signed out everywhere: {ended['sessions_ended']} session(s) ended and "
        f"{ended['tokens_revoked']} API token(s) revoked. Sign in again to go on.",
    )
    return redirect("login")
