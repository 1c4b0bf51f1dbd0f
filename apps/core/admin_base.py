"""Base classes the apps' admin modules share."""


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
