"""The account pages under the user menu: API tokens, sign out everywhere, and for platform staff and
team leads the users and service accounts they manage."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from apps.accounts import selectors, services
from apps.accounts.filtersets import TokenFilterSet, UserFilterSet
from apps.accounts.forms import ServiceAccountForm, TokenForm, UserCreateForm
from apps.core.forms import add_service_errors, save_form_with
from apps.core.pagination import paginate
from apps.core.policy import ensure
from apps.teams.models import Team


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


def user_list(request):
    """Platform staff: every user, a form to add one, and deactivate / reactivate buttons."""
    ensure(request.user, "accounts.manage_users")
    form = UserCreateForm(request.POST or None)
    if request.method == "POST":
        created = save_form_with(form, lambda data: services.user_create(actor=request.user, **data))
        if created:
            messages.success(
                request,
                f"Created {created.username}. They sign in through single sign-on or set a password with "
                "“Forgot your password?” on the login page.",
            )
            return redirect("accounts:user-list")
    listed = UserFilterSet(request.GET, queryset=selectors.user_list())
    return render(
        request,
        "accounts/user_list.html",
        {"form": form, "filter": listed, "page": paginate(request, listed.qs)},
    )


def _user_or_404(pk):
    return get_object_or_404(selectors.user_list(), pk=pk)


def _back(request, default):
    """Back to the list the button was on (its filters and page), never to another site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


@require_POST
def user_deactivate(request, pk):
    ensure(request.user, "accounts.manage_users")
    user = _user_or_404(pk)
    try:
        services.user_deactivate(actor=request.user, user=user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, f"Deactivated {user.username}: signed out everywhere, every token revoked.")
    return _back(request, "accounts:user-list")


@require_POST
def user_reactivate(request, pk):
    ensure(request.user, "accounts.manage_users")
    user = _user_or_404(pk)
    services.user_reactivate(actor=request.user, user=user)
    messages.success(request, f"Reactivated {user.username}; they can sign in again.")
    return _back(request, "accounts:user-list")


@require_POST
def service_account_create(request, slug):
    team = get_object_or_404(Team, slug=slug)
    form = ServiceAccountForm(request.POST)
    created = save_form_with(
        form, lambda data: services.service_account_create(actor=request.user, team=team, **data)
    )
    if created:
        messages.success(
            request,
            f"Created the service account {created.user.username} ({created.get_role_display()}); "
            "issue it a token below.",
        )
    else:
        for field, errors in form.errors.items():
            messages.error(
                request, f"{field if field != '__all__' else 'Service account'}: {' '.join(errors)}"
            )
    return redirect(f"{team.get_absolute_url()}#service-accounts")


def _service_account_or_404(pk):
    return get_object_or_404(selectors.service_account_list(), pk=pk)


@require_POST
def service_account_deactivate(request, pk):
    account = _service_account_or_404(pk)
    services.service_account_deactivate(actor=request.user, account=account)
    messages.success(request, f"Deactivated {account.user.username}; its tokens are revoked.")
    return redirect(f"{account.team.get_absolute_url()}#service-accounts")


@require_POST
def service_account_reactivate(request, pk):
    account = _service_account_or_404(pk)
    services.service_account_reactivate(actor=request.user, account=account)
    messages.success(request, f"Reactivated {account.user.username}; issue it a new token to use it.")
    return redirect(f"{account.team.get_absolute_url()}#service-accounts")


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
