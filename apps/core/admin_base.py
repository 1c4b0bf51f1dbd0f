"""Base classes the apps' admin modules share."""

from apps.core.policy import allowed


class ReadOnlyAdminMixin:
    """Nobody adds, edits or deletes these rows in the admin; the services write them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def adopt_saved(obj, saved) -> None:
    """After a service wrote the row, the admin's object becomes that row: the admin keeps working with
    the object its form built (its inlines, change message and redirect point at it), so it takes the
    saved primary key and the values the service stored."""
    obj.pk = saved.pk
    obj.refresh_from_db()
    obj._state.adding = False


class PolicyAdminMixin:
    """The admin's per-object change and delete permission follows the policy: beside the model
    permission (which the ``Platform staff`` group grants), the user must pass ``change_rule`` /
    ``delete_rule`` on ``policy_object(obj)``: the object whose people decide (a team, a stream).
    Platform staff pass every rule that lets staff act; a rule only staff may pass keeps anybody
    else who was handed a model permission out of that object. ``policy_object`` may return a tuple:
    passing the rule on any of its objects is enough (an interaction: either team).

    Every portal model's admin uses this mixin or ``ReadOnlyAdminMixin`` (``tests/policy/test_admin.py``
    checks it)."""

    change_rule: str = ""
    delete_rule: str = ""

    def policy_object(self, obj):
        return obj

    def policy_object_for(self, rule_name: str, obj):
        """The object ``rule_name`` is checked on (``policy_object`` unless a rule needs another)."""
        return self.policy_object(obj)

    def delete_rule_for(self, obj) -> str:
        return self.delete_rule

    def _follows(self, request, rule_name: str, obj) -> bool:
        if obj is None or not rule_name:
            return True
        subjects = self.policy_object_for(rule_name, obj)
        if not isinstance(subjects, tuple):
            subjects = (subjects,)
        return any(allowed(request.user, rule_name, subject) for subject in subjects)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._follows(request, self.change_rule, obj)

    def has_delete_permission(self, request, obj=None):
        allowed_by_model = super().has_delete_permission(request, obj)
        return allowed_by_model and self._follows(request, self.delete_rule_for(obj) if obj else "", obj)
