"""The ``Platform staff`` group: what platform staff (``is_staff`` users who are not superusers) may
do in the admin console. It holds every model permission of the portal's own apps, and may view
(not change) users and groups, so no staff member changes another user's password there. Created by
a migration (``core.0005``), re-synced after every ``migrate`` (new models bring new permissions) and
its members follow ``is_staff`` whenever a user is saved."""

from django.apps import apps as django_apps

PLATFORM_STAFF_GROUP = "Platform staff"
ACCOUNT_PERMISSIONS = (("auth", "view_user"), ("auth", "view_group"))


def portal_app_labels() -> list[str]:
    return sorted(c.label for c in django_apps.get_app_configs() if c.name.startswith("apps."))


def sync_platform_staff_group(apps=django_apps) -> None:
    """Create the group if needed, give it exactly the portal's model permissions and put every
    active non-superuser staff member in it. ``apps`` is a migration's app registry or Django's."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    User = apps.get_model("auth", "User")
    group, _ = Group.objects.get_or_create(name=PLATFORM_STAFF_GROUP)
    portal = Permission.objects.filter(content_type__app_label__in=portal_app_labels())
    accounts = [
        p.pk
        for p in Permission.objects.filter(content_type__app_label="auth").select_related("content_type")
        if (p.content_type.app_label, p.codename) in ACCOUNT_PERMISSIONS
    ]
    group.permissions.set([*portal.values_list("pk", flat=True), *accounts])
    staff = User.objects.filter(is_staff=True, is_superuser=False, is_active=True)
    group.user_set.add(*staff)
    group.user_set.remove(*group.user_set.exclude(pk__in=staff.values("pk")))


def sync_membership(user) -> None:
    """Put ``user`` in the group while they are active staff (not superuser), take them out otherwise."""
    from django.contrib.auth.models import Group

    group = Group.objects.filter(name=PLATFORM_STAFF_GROUP).first()
    if group is None:
        return  # before the migration ran
    if user.is_staff and user.is_active and not user.is_superuser:
        group.user_set.add(user)
    else:
        group.user_set.remove(user)
