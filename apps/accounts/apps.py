from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Accounts and tokens"

    def ready(self):
        from apps.accounts import authentication, schema, sessions  # noqa: F401 - schema registers itself

        authentication.connect_invalidation()
        sessions.connect_session_tracking()
