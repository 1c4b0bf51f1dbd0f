"""E-mail the requesting team on every status change (Django's e-mail backend; console by default).
Run by the worker task ``modelrequests.status_change_mail``, sent once the move commits."""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from apps.modelrequests.models import RequestTransition


def recipients(transition: RequestTransition) -> list[str]:
    team = transition.request.requesting_team
    return sorted({email for email in team.memberships.values_list("user__email", flat=True) if email})


def send_status_change(*, transition_id: int) -> int:
    transition = RequestTransition.objects.select_related("request", "request__requesting_team", "actor").get(
        pk=transition_id
    )
    to = recipients(transition)
    if not to:
        return 0
    request = transition.request
    labels = dict(transition._meta.get_field("to_status").choices)
    subject = f"[ML portal] #{request.pk} {request.title}: {labels[transition.to_status]}"
    lines = [
        f'The request "{request.title}" of {request.requesting_team} moved from '
        f"{labels.get(transition.from_status, 'new')} to {labels[transition.to_status]}",
        f"by {transition.actor or 'the portal'} at {transition.at:%Y-%m-%d %H:%M %Z}.",
    ]
    if transition.note:
        lines += ["", f"Note: {transition.note}"]
    link = reverse("modelrequests:request-detail", args=[request.pk])
    lines += ["", f"{getattr(settings, 'PORTAL_BASE_URL', '')}{link}"]
    return send_mail(subject, "\n".join(lines), None, to)
