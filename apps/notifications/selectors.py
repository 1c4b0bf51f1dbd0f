from django.db.models import F, QuerySet

from apps.notifications.models import Notification, Preference, Watch


def inbox(user) -> QuerySet[Notification]:
    """The user's notifications, unread first, newest first."""
    return Notification.objects.filter(user=user).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-id"
    )


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def email_choice(user) -> str:
    preference = Preference.objects.filter(user=user).first()
    return preference.email if preference else Preference._meta.get_field("email").default


def is_watching(user, *, request=None, model=None) -> bool:
    """The explicit choice if there is one, else the default (filer or team member)."""
    target = {"request": request} if request is not None else {"model": model}
    choice = Watch.objects.filter(user=user, **target).values_list("watching", flat=True).first()
    if choice is not None:
        return choice
    if request is not None:
        return (
            request.created_by_id == user.pk
            or user.memberships.filter(team_id=request.requesting_team_id).exists()
        )
    return user.memberships.filter(team_id=model.owning_team_id).exists()
