from rest_framework import mixins, permissions, viewsets

from apps.audit import selectors
from apps.audit.api.serializers import AuditEventSerializer
from apps.audit.filtersets import AuditEventFilterSet
from apps.audit.policy import READ_AUDIT_LOG
from apps.core import policy


class MayReadAuditLog(permissions.BasePermission):
    message = READ_AUDIT_LOG.denial()

    def has_permission(self, request, view):
        return policy.allowed(request.user, "audit.read_audit_log")


class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Every recorded write to the portal (platform staff only), newest first: who, when, through
    which channel (ui, api, admin, task, idp-sync, shell), the request id and each changed field's
    old and new value. Read-only: audit events are never changed or deleted."""

    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilterSet
    permission_classes = [permissions.IsAuthenticated, MayReadAuditLog]
    queryset = selectors.audit_events()
    ordering_fields = ["timestamp"]
