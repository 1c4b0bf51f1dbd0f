"""The tests' OpenID Connect provider: a second Django process running django-oauth-toolkit with its own
settings and SQLite database, an RS256 key generated at start, a login page, and users whose ``groups``
claim the tests set between sign-ins through a small control endpoint (``control.py``).

Started by ``tests/sso/conftest.py`` (``ProviderProcess``) on 127.0.0.1 at a free port; run by hand with
``PROVIDER_PORT=8100 PROVIDER_DIR=/tmp/idp PROVIDER_CONTROL_TOKEN=x python -m tests.sso.provider``."""
