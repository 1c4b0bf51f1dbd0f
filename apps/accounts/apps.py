from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Accounts and tokens"
    demo = "apps.accounts.demo.load"  # run once by load_demo (apps.core.demo)

    def ready(self):
        from apps.accounts import authentication, schema, sessions  # noqa: F401 - schema registers itself
        from apps.accounts.selectors import service_account_memberships
        from apps.teams.hooks import on_member_managed

        authentication.connect_invalidation()
        sessions.connect_session_tracking()
        on_member_managed(service_account_memberships)
