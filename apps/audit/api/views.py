from rest_framework import mixins, permissions, viewsets

from apps.audit import selectors
from apps.audit.api.serializers import AuditEventSerializer
from apps.audit.filtersets import AuditEventFilterSet
from apps.core.permissions import is_platform_staff


class IsPlatformStaff(permissions.BasePermission):
    message = "Only platform staff may read the audit trail."

    def has_permission(self, request, view):
        return is_platform_staff(request.user)


class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Every recorded write to the portal (platform staff only), newest first: who, when, through
    which channel (ui, api, admin, task, idp-sync, shell), the request id and each changed field's
    old and new value. Read-only: audit events are never changed or deleted."""

    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilterSet
    permission_classes = [permissions.IsAuthenticated, IsPlatformStaff]
    queryset = selectors.audit_events()
    ordering_fields = ["timestamp"]
