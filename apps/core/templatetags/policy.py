"""The permission policy in templates, so a page hides or explains an action before it is submitted:

    {% load policy %}
    {% allowed "teams.change_team" team as can_edit %}
    {% if can_edit %}<a href="...">Edit</a>
    {% else %}<p class="muted">{% who_can "teams.change_team" team %}</p>{% endif %}

``who_can`` renders the sentence a refused user would read ("Only the lead or product manager of ML
Platform, or platform staff, can ...")."""

from django import template

from apps.core import policy

register = template.Library()


@register.simple_tag(takes_context=True)
def allowed(context, name: str, obj=None) -> bool:
    request = context.get("request")
    return policy.allowed(getattr(request, "user", None), name, obj)


@register.simple_tag
def who_can(name: str, obj=None, action: str | None = None) -> str:
    return policy.denial(name, obj, action=action)
