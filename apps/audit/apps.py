from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "apps.audit"
    verbose_name = "Audit trail"

    def ready(self):
        from apps.audit import recording

        recording.register_portal_models()
        connect_fresh_content_types()


def connect_fresh_content_types() -> None:
    """Each task reads content type ids afresh: Django caches them per process, and a worker outlives
    the database it started with (a restore or re-created database gives the types new ids, and an
    audit record naming a stale id would fail its foreign key and with it the task's write)."""
    from celery import signals
    from django.contrib.contenttypes.models import ContentType

    def clear(**kwargs):
        ContentType.objects.clear_cache()

    signals.task_prerun.connect(clear, weak=False, dispatch_uid="audit-fresh-content-types")
