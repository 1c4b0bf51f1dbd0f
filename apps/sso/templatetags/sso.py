from django import template

from apps.sso.config import sso_config

register = template.Library()


@register.inclusion_tag("sso/_sign_in.html")
def sso_sign_in(next_url: str = ""):
    """The single sign-on button of the login page; nothing at all when SSO is not configured."""
    config = sso_config()
    return {"enabled": config.enabled, "label": config.button_label, "next": next_url}
