from django.shortcuts import render

from apps.audit import presenting, selectors
from apps.audit.filtersets import AuditEventFilterSet
from apps.core import policy
from apps.core.csvexport import csv_response
from apps.core.pagination import paginate

CSV_HEADER = [
    "time",
    "action",
    "object type",
    "object id",
    "object",
    "changes",
    "actor",
    "actor e-mail",
    "channel",
    "request id",
    "address",
]


def _csv_row(event):
    return [
        event.timestamp.isoformat(),
        presenting.action_word(event),
        presenting.object_type(event),
        event.object_pk,
        event.object_repr,
        presenting.changes_text(event),
        presenting.actor_name(event),
        event.actor_email or "",
        event.channel,
        event.cid or "",
        event.remote_addr or "",
    ]


def audit_log(request):
    """Platform staff search every recorded write; ``?export=csv`` downloads all rows of the filters."""
    policy.ensure(request.user, "audit.read_audit_log")
    filterset = AuditEventFilterSet(request.GET, queryset=selectors.audit_events())
    if request.GET.get("export") == "csv":
        rows = (_csv_row(event) for event in filterset.qs.iterator(chunk_size=500))
        return csv_response(CSV_HEADER, rows, filename="audit-events.csv")
    return render(
        request, "audit/audit_log.html", {"filter": filterset, "page": paginate(request, filterset.qs)}
    )
