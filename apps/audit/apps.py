from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "apps.audit"
    verbose_name = "Audit trail"

    def ready(self):
        from apps.audit import recording

        recording.register_portal_models()
