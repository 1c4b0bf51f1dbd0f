"""Platform staff without superuser rights use the admin console through the ``Platform staff``
group: every portal model, but no user's password."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission

from apps.core.staff_group import PLATFORM_STAFF_GROUP, sync_platform_staff_group
from tests.factories import StaffFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def portal_models():
    return [m for c in apps.get_app_configs() if c.name.startswith("apps.") for m in c.get_models()]


def test_the_group_holds_every_portal_models_permissions_but_not_user_changes():
    group = Group.objects.get(name=PLATFORM_STAFF_GROUP)
    granted = {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }
    for model in portal_models():
        for action in model._meta.default_permissions:  # audit events: view only
            codename = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
            assert codename in granted, codename
    assert "auth.view_user" in granted
    assert not {"auth.change_user", "auth.add_user", "auth.delete_user", "auth.change_group"} & granted


def test_the_group_is_resynced(db):
    group = Group.objects.get(name=PLATFORM_STAFF_GROUP)
    group.permissions.remove(Permission.objects.get(codename="change_team"))
    group.permissions.add(Permission.objects.get(codename="change_user"))
    sync_platform_staff_group()
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert "change_team" in codenames and "change_user" not in codenames


def test_membership_follows_is_staff():
    staff, plain = StaffFactory(), UserFactory()
    assert staff.groups.filter(name=PLATFORM_STAFF_GROUP).exists()
    assert not plain.groups.filter(name=PLATFORM_STAFF_GROUP).exists()
    staff.is_staff = False
    staff.save()
    assert not staff.groups.filter(name=PLATFORM_STAFF_GROUP).exists()


def test_staff_without_superuser_rights_use_the_admin(client):
    staff = StaffFactory()
    assert not staff.is_superuser
    client.force_login(staff)
    index = client.get("/admin/").content.decode()
    assert "have permission to view or edit anything" not in index and "Teams" in index
    assert client.get("/admin/modelrequests/board/").status_code == 200
    team = TeamFactory()
    page = client.get(f"/admin/teams/team/{team.pk}/change/")
    assert page.status_code == 200
    data = {**page.context["adminform"].form.initial, "focus": "Edited by staff"}
    data = {k: ("" if v is None else v.pk if hasattr(v, "pk") else v) for k, v in data.items()}
    for inline in page.context["inline_admin_formsets"]:  # a new team has no members or interactions
        management = inline.formset.management_form
        data |= {f"{management.prefix}-{name}": value for name, value in management.initial.items()}
    assert client.post(f"/admin/teams/team/{team.pk}/change/", data).status_code == 302
    team.refresh_from_db()
    assert team.focus == "Edited by staff"
    other = UserFactory()
    assert client.get(f"/admin/auth/user/{other.pk}/password/").status_code == 403
    assert (
        client.post(
            f"/admin/auth/user/{other.pk}/password/", {"password1": "x9!Kq2#pLm", "password2": "x9!Kq2#pLm"}
        ).status_code
        == 403
    )
    other.refresh_from_db()
    assert other.check_password("x9!Kq2#pLm") is False
