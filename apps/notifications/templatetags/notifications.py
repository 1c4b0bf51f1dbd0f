"""``{% watch_button request_or_model %}``: the watch/mute control on a request's or a model's page."""

from django import template
from django.urls import reverse

from apps.modelrequests.models import ModelRequest
from apps.notifications import selectors

register = template.Library()


@register.inclusion_tag("notifications/_watch_button.html", takes_context=True)
def watch_button(context, target):
    request = context["request"]
    if isinstance(target, ModelRequest):
        watching = selectors.is_watching(request.user, request=target)
        action = reverse("notifications:watch-request", args=[target.pk])
    else:
        watching = selectors.is_watching(request.user, model=target)
        action = reverse("notifications:watch-model", args=[target.slug])
    return {
        "watching": watching,
        "action": action,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
