"""Login lockout (django-axes counts the failures): the answer a locked-out sign-in gets, naming when
to retry, as a 429 JSON error on the API and as the login page with the message in the browser."""

import math
from datetime import datetime

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Max, Q
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.utils import timezone

API_PREFIX = "/api/"


def client_address(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or behind ``PORTAL_PROXY_COUNT`` proxies the address the outermost one saw."""
    proxies = settings.PORTAL_PROXY_COUNT
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if proxies > 0 and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def locked_until(*, username: str | None, address: str | None) -> datetime:
    """When the lockout of this username or address ends: its last counted failure plus the cool-off."""
    cool_off = get_cool_off()
    now = timezone.now()
    match = Q(ip_address=address) if address else Q(pk__in=[])
    if username:
        match |= Q(username=username)
    last = AccessAttempt.objects.filter(match, attempt_time__gte=now - cool_off).aggregate(
        last=Max("attempt_time")
    )["last"]
    return (last or now) + cool_off


def lockout_message(until: datetime) -> str:
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    return (
        f"Too many failed sign-ins for this username or from this address: signing in is locked "
        f"until {timezone.localtime(until):%H:%M} {settings.TIME_ZONE} (in {minutes} minute"
        f"{'s' if minutes != 1 else ''}). Platform staff can unlock it sooner."
    )


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    until = locked_until(
        username=get_client_username(request, credentials), address=getattr(request, "axes_ip_address", None)
    )
    message = lockout_message(until)
    retry_seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    if request.path.startswith(API_PREFIX):
        response = JsonResponse(
            {"detail": message, "retry_after": until.isoformat(), "retry_after_seconds": retry_seconds},
            status=429,
        )
    else:
        form = AuthenticationForm(request, initial={"username": get_client_username(request, credentials)})
        next_url = request.POST.get("next", "") if request.method == "POST" else ""
        response = render(
            request,
            "registration/login.html",
            {"form": form, "locked": message, "next": next_url},
            status=429,
        )
    response["Retry-After"] = str(retry_seconds)
    return response
