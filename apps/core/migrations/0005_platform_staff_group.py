"""Create the ``Platform staff`` group (apps/core/staff_group.py); a ``post_migrate`` handler keeps its
permissions in sync afterwards, when every app's permissions exist."""

from django.db import migrations


def create_group(apps, schema_editor):
    from apps.core.staff_group import sync_platform_staff_group

    sync_platform_staff_group(apps)


def drop_group(apps, schema_editor):
    from apps.core.staff_group import PLATFORM_STAFF_GROUP

    apps.get_model("auth", "Group").objects.filter(name=PLATFORM_STAFF_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_remove_heartbeat"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, drop_group)]
