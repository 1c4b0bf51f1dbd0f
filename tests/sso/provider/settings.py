"""Settings of the tests' identity provider (a process of its own; nothing here is the portal's)."""

import os
from pathlib import Path

from jwcrypto import jwk

HERE = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ["PROVIDER_DIR"])
PORT = int(os.environ["PROVIDER_PORT"])
CONTROL_TOKEN = os.environ["PROVIDER_CONTROL_TOKEN"]
ISSUER = f"http://127.0.0.1:{PORT}/o"

SECRET_KEY = os.urandom(32).hex()
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "tests.sso.provider.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "provider.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
# Fast hashing: the tests create their users at every run.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "/login/"
# Its own cookie names, so a browser that also holds the portal's cookies never mixes the two up.
SESSION_COOKIE_NAME = "provider_session"
CSRF_COOKIE_NAME = "provider_csrftoken"

# A fresh RS256 key at every start (published at /o/.well-known/jwks.json), and a second one that the
# misbehaving mode of control.py signs ID tokens with.
SIGNING_KEY = jwk.JWK.generate(kty="RSA", size=2048)
FOREIGN_KEY = jwk.JWK.generate(kty="RSA", size=2048)

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": ISSUER,
    "OIDC_RSA_PRIVATE_KEY": SIGNING_KEY.export_to_pem(private_key=True, password=None).decode(),
    "PKCE_REQUIRED": True,
    "SCOPES": {
        "openid": "OpenID Connect",
        "profile": "Name and username",
        "email": "E-mail address",
        "groups": "Group memberships",
    },
    "DEFAULT_SCOPES": ["openid"],
    "OAUTH2_VALIDATOR_CLASS": "tests.sso.provider.claims.ClaimsValidator",
    # RP-initiated logout at /o/logout/ (the discovery document's end_session_endpoint); a sign-out
    # with the RP's own ID token as hint ends the session without asking.
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False}},
}
