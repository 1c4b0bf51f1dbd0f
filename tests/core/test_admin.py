"""Every model is in the admin console, and its list (with search and filters) and add pages open."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import InteractionFactory, MembershipFactory

pytestmark = pytest.mark.django_db

REGISTERED = [(model._meta.app_label, model._meta.model_name) for model in admin.site._registry]


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
def test_admin_pages_open_for_platform_staff(client, admin_user, app_label, model_name):
    InteractionFactory()
    MembershipFactory()
    client.force_login(admin_user)
    changelist = reverse(f"admin:{app_label}_{model_name}_changelist")
    assert client.get(changelist).status_code == 200
    assert client.get(changelist, {"q": "x"}).status_code == 200


def test_every_portal_model_is_in_the_admin():
    from django.apps import apps

    missing = [
        f"{model._meta.app_label}.{model.__name__}"
        for config in apps.get_app_configs()
        if config.name.startswith("apps.")
        for model in config.get_models()
        if model not in admin.site._registry
    ]
    assert missing == []


def test_admin_is_closed_to_non_staff(client, outsider):
    client.force_login(outsider)
    assert client.get("/admin/").status_code == 302
