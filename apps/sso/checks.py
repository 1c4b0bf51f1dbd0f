from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from apps.sso.config import sso_config


@register()
def sso_configuration(app_configs, **kwargs):
    """A malformed PORTAL_OIDC_* setting stops `manage.py check` (and `migrate`, `serve`) with its name."""
    try:
        sso_config()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="sso.E001")]
    return []
