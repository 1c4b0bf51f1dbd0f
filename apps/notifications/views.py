from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from apps.core.pagination import paginate
from apps.modelrequests.models import ModelRequest
from apps.notifications import selectors, services
from apps.notifications.forms import PreferenceForm, WatchForm
from apps.registry.models import RegisteredModel


def inbox(request):
    page = paginate(request, selectors.inbox(request.user))
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "unread": selectors.unread_count(request.user),
            "preference_form": PreferenceForm(initial={"email": selectors.email_choice(request.user)}),
        },
    )


@require_GET
def unread(request):
    """The bell's count, fetched by the page's script so that rendering a page costs no query."""
    return JsonResponse({"unread": selectors.unread_count(request.user)})


@require_POST
def mark_read(request):
    ids = request.POST.getlist("id")
    count = services.mark_read(actor=request.user, ids=[int(i) for i in ids if i.isdigit()] if ids else None)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return redirect("notifications:inbox")


@require_POST
def open_one(request, pk):
    """Mark one notification read and go to what it concerns."""
    notification = get_object_or_404(selectors.inbox(request.user), pk=pk)
    services.mark_read(actor=request.user, ids=[notification.pk])
    return redirect(notification.url or "notifications:inbox")


@require_POST
def preference(request):
    form = PreferenceForm(request.POST)
    if form.is_valid():
        services.preference_set(actor=request.user, email=form.cleaned_data["email"])
        messages.success(request, "E-mail preference saved.")
    else:
        messages.error(request, "Choose how you want to be e-mailed.")
    return redirect("notifications:inbox")


def _watch(http, **target):
    form = WatchForm(http.POST)
    if form.is_valid():
        watching = form.cleaned_data["watching"]
        services.watch_set(actor=http.user, watching=watching, **target)
        what = next(iter(target.values()))
        messages.success(http, f"You {'now watch' if watching else 'muted'} {what}.")
    else:
        messages.error(http, "Choose watch or mute.")
    back = http.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={http.get_host()}):
        return redirect(back)
    return redirect(next(iter(target.values())))


@require_POST
def watch_request(request, pk):
    return _watch(request, request=get_object_or_404(ModelRequest, pk=pk))


@require_POST
def watch_model(request, slug):
    return _watch(request, model=get_object_or_404(RegisteredModel, slug=slug))
