"""Who may write outcome data: platform staff, members of a team in the KPI's value stream or the
stream's product manager, and (for model-attributed rows and costs) the model's owning team.
Everyone signed in reads."""

from django.core.exceptions import PermissionDenied

from apps.core.permissions import is_platform_staff
from apps.teams.models import Membership


def can_write_stream(user, stream) -> bool:
    if is_platform_staff(user):
        return True
    if not (user and user.is_authenticated) or stream is None:
        return False
    if stream.product_manager_id == user.pk:
        return True
    return Membership.objects.filter(user=user, team__value_stream=stream).exists()


def can_write_model(user, model) -> bool:
    if is_platform_staff(user):
        return True
    if not (user and user.is_authenticated) or model is None:
        return False
    return Membership.objects.filter(user=user, team_id=model.owning_team_id).exists()


def ensure_can_write_stream(user, stream, *, action: str) -> None:
    if not can_write_stream(user, stream):
        raise PermissionDenied(f"Only platform staff or members of a team in {stream} may {action}.")


def ensure_can_write_model(user, model, *, action: str) -> None:
    if not (can_write_model(user, model) or can_write_stream(user, model.value_stream)):
        raise PermissionDenied(
            f"Only platform staff or members of {model.owning_team} or of a team in "
            f"{model.value_stream} may {action}."
        )
