"""The tests' remote control of the provider (JSON, guarded by the control token the test run chose):
people and their groups, the portal's client registration, and the misbehaving ID-token mode."""

import json
from functools import wraps

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from oauth2_provider.models import Application

from tests.sso.provider import claims


def controlled(methods):
    def decorate(view):
        @csrf_exempt
        @require_http_methods(methods)
        @wraps(view)
        def checked(request, *args, **kwargs):
            if request.headers.get("Authorization") != f"Bearer {settings.CONTROL_TOKEN}":
                return HttpResponseForbidden("control token missing or wrong")
            body = json.loads(request.body or b"{}")
            return view(request, body, *args, **kwargs)

        return checked

    return decorate


@controlled(["PUT"])
@transaction.atomic
def person(request, body, username):
    """Create or update a person; ``groups`` replaces their groups (an empty list removes them all)."""
    user, _ = User.objects.get_or_create(username=username)
    user.email = body.get("email", user.email)
    user.first_name = body.get("given_name", user.first_name)
    user.last_name = body.get("family_name", user.last_name)
    if "password" in body and not user.check_password(body["password"]):
        user.set_password(body["password"])  # a new password ends the person's provider sessions
    user.save()
    if "groups" in body:
        user.groups.set([Group.objects.get_or_create(name=name)[0] for name in body["groups"]])
    return JsonResponse({"sub": str(user.pk), "groups": sorted(user.groups.values_list("name", flat=True))})


@controlled(["PUT"])
@transaction.atomic
def client(request, body, client_id):
    """Register (or re-register) a confidential client that signs in with the code flow and RS256."""
    Application.objects.filter(client_id=client_id).delete()
    Application.objects.create(
        name=client_id,
        client_id=client_id,
        client_secret=body["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(body["redirect_uris"]),
        post_logout_redirect_uris=" ".join(body.get("post_logout_redirect_uris", [])),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,  # a company's own app: no consent screen
    )
    return JsonResponse({"client_id": client_id})


@controlled(["PUT", "DELETE"])
def misbehaviour(request, body):
    """PUT ``{"audience": ..., "issuer": ..., "expires_in": -60, "foreign_key": true}`` (any of them)
    spoils the next ID tokens, ``{"userinfo_subject": ...}`` the userinfo answers; DELETE
    makes the provider honest again."""
    claims.MISBEHAVIOUR.clear()
    if request.method == "PUT":
        claims.MISBEHAVIOUR.update(body)
    return HttpResponse(status=204)
