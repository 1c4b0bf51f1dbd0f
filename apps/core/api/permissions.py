"""The API's default permission: signed-in users read; writes are checked by the policy. A viewset
may name the rule per action (``policy_rules = {"update": ("teams.change_team", lambda team: team)}``)
so an object write is refused before its body is validated; the service checks again (``ensure``)
against the stored row either way."""

from rest_framework import permissions

from apps.core.policy import allowed, denial


class PolicyPermission(permissions.IsAuthenticated):
    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        name, subject = (getattr(view, "policy_rules", None) or {}).get(view.action, (None, None))
        if name is None:
            return True  # the service decides
        target = subject(obj)
        if allowed(request.user, name, target):
            return True
        self.message = denial(name, target)
        return False
