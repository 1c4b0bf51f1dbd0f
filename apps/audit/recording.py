"""What the audit trail records, and the context each record gets.

Every model of the portal's apps is registered with django-auditlog, except rows that are machine
telemetry or derived data rather than anybody's change (listed in ``NOT_AUDITED`` with the reason);
fields that change on every use (a token's last use, a job's heartbeat) are left out, and secrets are
masked. Each record takes its actor, channel, request id and address from the context the write runs
in (``apps.core.acting``): a web request, a Celery task, the single sign-on sync or the shell.
"""

import copy

from auditlog import get_logentry_model
from auditlog.context import auditlog_disabled
from auditlog.diff import model_instance_diff
from auditlog.registry import auditlog
from django.apps import apps
from django.conf import settings
from django.db.models.signals import pre_save

from apps.core import acting
from apps.core.changes import rows_updated

# app_label.ModelName -> why it is not audited.
NOT_AUDITED = {
    "core.DemoLoad": "marks a demo area as loaded",
    "core.WorkerHeartbeat": "a worker's liveness, written every few seconds",
    "accounts.UserSession": "a sign-in session's bookkeeping",
    "notifications.Notification": "a person's inbox item, derived from audited events",
    "outcomes.PredictionStats": "prediction monitoring counters",
    "outcomes.InputSample": "sampled prediction inputs",
    "outcomes.DailyAggregate": "derived daily roll-up of observations",
    "outcomes.DriftResult": "computed drift figures",
    "practices.ScorecardSnapshot": "computed scorecard history",
    "webhooks.Delivery": "delivery attempts, with their own log",
}
# Fields that change on every use of a row: recording them would drown the changes people make.
NOISY_FIELDS = {
    "auth.User": ["last_login"],
    "accounts.ApiToken": ["last_used"],
    "training.TrainingJob": ["heartbeat_at", "progress", "stage", "log", "timings"],
    "training.DatasetVersion": ["progress"],
}
SECRET_FIELDS = {
    "auth.User": ["password"],
    "accounts.ApiToken": ["digest"],
    "webhooks.Subscription": ["secret"],
}


def _label(model) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


def audited_models() -> list:
    portal = [
        model
        for config in apps.get_app_configs()
        if config.name.startswith("apps.") and config.label != "audit"
        for model in config.get_models()
        if _label(model) not in NOT_AUDITED
    ]
    return [apps.get_model(settings.AUTH_USER_MODEL), *portal]


def register_portal_models() -> None:
    for model in audited_models():
        label = _label(model)
        if auditlog.contains(model):
            continue
        noisy = NOISY_FIELDS.get(label, [])
        # Only the row's own columns: on a create or delete django-auditlog would otherwise read every
        # reverse relation too (a query each, and a "does not exist" cached on the instance).
        columns = [field.name for field in model._meta.concrete_fields if field.name not in noisy]
        auditlog.register(
            model,
            include_fields=columns,
            mask_fields=[name for name in SECRET_FIELDS.get(label, []) if name in columns],
        )
    pre_save.connect(_stamp_context, sender=apps.get_model(settings.AUDITLOG_LOGENTRY_MODEL))
    rows_updated.connect(record_rows_updated, dispatch_uid="audit-rows-updated")


def record_rows_updated(sender, before, values, **kwargs) -> None:
    """A guarded bulk update (``apps.core.changes.update_rows``): one record per row, as a save's."""
    if auditlog_disabled.get() or not auditlog.contains(sender):
        return
    if any(hasattr(value, "resolve_expression") for value in values.values()):
        written = sender._base_manager.in_bulk([row.pk for row in before])
    else:
        written = {}
    entries = get_logentry_model().objects
    for old in before:
        new = written.get(old.pk)
        if new is None:
            new = copy.copy(old)
            new._state = copy.copy(old._state)
            new._state.fields_cache = {}
            for name, value in values.items():
                setattr(new, name, value)
        changes = model_instance_diff(old, new, fields_to_check=set(values))
        if changes:
            entries.log_create(new, action=get_logentry_model().Action.UPDATE, changes=changes)


def _stamp_context(sender, instance, **kwargs) -> None:
    """Fill a new record's actor, channel and address from the context it is written in."""
    if not instance._state.adding:
        return
    context = acting.current()
    user = context.user()
    if user is not None and instance.actor_id is None:
        instance.actor = user
        instance.actor_email = user.email or None
    instance.channel = context.channel
    instance.remote_addr = instance.remote_addr or context.remote_addr


def current_request_id() -> str:
    """``AUDITLOG_CID_GETTER``: a record's correlation id is the request id of its context."""
    return acting.current().request_id


def hidden(value) -> str:
    """``AUDITLOG_MASK_CALLABLE``: a secret's record says it changed, not what it is."""
    return "(hidden)"
