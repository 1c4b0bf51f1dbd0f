"""Base classes the apps' admin modules share."""


class ReadOnlyAdminMixin:
    """Nobody adds, edits or deletes these rows in the admin; the services write them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
