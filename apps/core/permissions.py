"""Compatibility names for the ground rules of ``apps.core.policy``."""

from django.core.exceptions import PermissionDenied

from apps.core.policy import is_platform_staff

__all__ = ["ensure_platform_staff", "is_platform_staff"]


def ensure_platform_staff(user, *, action: str) -> None:
    if not is_platform_staff(user):
        raise PermissionDenied(f"Only platform staff can {action}.")
