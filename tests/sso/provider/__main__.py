"""Start the provider: create its database, then serve on 127.0.0.1:$PROVIDER_PORT until stopped."""

import os

os.environ["DJANGO_SETTINGS_MODULE"] = "tests.sso.provider.settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.servers.basehttp import run  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

call_command("migrate", verbosity=0, interactive=False)
run("127.0.0.1", settings.PORT, get_wsgi_application(), threading=True)
