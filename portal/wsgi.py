import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

from apps.core.chunked import ChunkedBodyMiddleware  # noqa: E402 - needs the settings loaded above

application = ChunkedBodyMiddleware(application)
