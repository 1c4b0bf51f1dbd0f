"""DRF's plain-text tokens (``authtoken_token``, from before the portal used knox) become hashed
tokens that keep working until the default expiry; the plain-text rows are then deleted. The old
table itself is left in place (empty) so that this runs on databases with or without it."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone

OLD_TABLE = "authtoken_token"


def move_tokens(apps, schema_editor):
    from knox.crypto import hash_token
    from knox.settings import CONSTANTS

    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    expiry = timezone.now() + timedelta(days=settings.PORTAL_TOKEN_DEFAULT_DAYS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id FROM {OLD_TABLE}")  # noqa: S608 - a constant table name
        rows = cursor.fetchall()
        ApiToken.objects.bulk_create(
            ApiToken(
                digest=hash_token(key),
                token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH],
                user_id=user_id,
                name="API token from before expiring tokens",
                expiry=expiry,
            )
            for key, user_id in rows
        )
        cursor.execute(f"DELETE FROM {OLD_TABLE}")  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_tokens_service_accounts_sessions")]

    operations = [migrations.RunPython(move_tokens, migrations.RunPython.noop)]
