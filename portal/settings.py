"""Settings read from the environment (12-factor).

Quick start needs no variables: an embedded SQLite database and an embedded filesystem broker under
``var/``. Production sets ``DJANGO_DEBUG=false``, ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS``,
``DATABASE_URL`` and ``CELERY_BROKER_URL`` (see README, "Configuration").
"""

from pathlib import Path

import environ
import plotly
from celery.schedules import crontab
from kombu import Exchange, Queue

# Every setting the environment may change is read through django-environ (bool, int, float, list
# and DATABASE_URL parsing); a variable that is not set takes the default named beside it.
env = environ.Env()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _names(value: list[str]) -> list[str]:
    """A comma-separated list without the blanks around or between its items."""
    return [item.strip() for item in value if item.strip()]


DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false")
    SECRET_KEY = "insecure-quick-start-key-only-for-local-use"  # noqa: S105 - only with DEBUG on

ALLOWED_HOSTS = _names(
    env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
)
CSRF_TRUSTED_ORIGINS = _names(env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[]))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "apps.core",
    "apps.teams",
    "apps.accounts",
    "apps.registry",
    "apps.training",
    "apps.modelrequests",
    "apps.outcomes",
    "apps.practices",
    "apps.search",
    "apps.webhooks",
    "apps.sso",
    "apps.notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "apps.core.validation.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "apps.core.middleware.LoginRequiredMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")
    | {"CONN_MAX_AGE": env.int("DATABASE_CONN_MAX_AGE", default=60)}
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The web server and the worker are two processes writing one file: wait for locks instead of
    # failing, and keep the test database in a file so a worker process can open it too.
    # IMMEDIATE transactions take the write lock up front, so concurrent writers wait for it
    # (busy timeout) instead of failing with "database is locked" on upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # plotly.js ships inside the plotly package; serve that copy, never a CDN.
    ("vendor/plotly", Path(plotly.__file__).parent / "package_data"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = Path(env.str("PORTAL_MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Model artefacts and datasets live here, under keys the server generates.
PLATFORM_STORAGE_ROOT = Path(env.str("PORTAL_PLATFORM_STORAGE", default=str(VAR_DIR / "platform")))
# Prediction monitoring is added up per process and written this often (0: on every call).
OUTCOMES_MONITORING_FLUSH_SECONDS = env.float("PORTAL_MONITORING_FLUSH_SECONDS", default=5.0)

AUTHENTICATION_BACKENDS = [
    # Django's ModelBackend, refusing password sign-in to service accounts (they use tokens only).
    "apps.accounts.backends.PeopleModelBackend",
    # OpenID Connect sign-in; does nothing until PORTAL_OIDC_ISSUER is set.
    "apps.sso.backend.PortalOIDCBackend",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="ml-portal@example.com")
EMAIL_HOST = env.str("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=10)
# Mail is sent by a worker; a failed attempt is retried with exponential backoff from this base.
PORTAL_MAIL_RETRY_BASE_SECONDS = env.int("PORTAL_MAIL_RETRY_BASE_SECONDS", default=30)

DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("PORTAL_MAX_JSON_BYTES", default=20 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger uploads stream to a temporary file
PORTAL_MAX_UPLOAD_BYTES = env.int("PORTAL_MAX_UPLOAD_BYTES", default=200 * 1024 * 1024)
# Shape limits of an uploaded dataset, checked in the web process before anything is stored.
PORTAL_MAX_DATASET_COLUMNS = env.int("PORTAL_MAX_DATASET_COLUMNS", default=2000)
PORTAL_MAX_DATASET_ROWS = env.int("PORTAL_MAX_DATASET_ROWS", default=10_000_000)
PORTAL_MAX_HEADER_BYTES = env.int("PORTAL_MAX_HEADER_BYTES", default=256 * 1024)

# --- Accounts and API tokens (apps.accounts) -----------------------------------------------------
# Tokens are django-rest-knox tokens (only their digest is stored) in the portal's own model.
KNOX_TOKEN_MODEL = "accounts.ApiToken"
PORTAL_TOKEN_DEFAULT_DAYS = env.int("PORTAL_TOKEN_DEFAULT_DAYS", default=90)
PORTAL_TOKEN_MAX_DAYS = env.int("PORTAL_TOKEN_MAX_DAYS", default=365)
# A token's "last used" time is written at most this often per token.
PORTAL_TOKEN_LAST_USED_RESOLUTION_SECONDS = env.int("PORTAL_TOKEN_LAST_USED_RESOLUTION_SECONDS", default=60)
REST_KNOX = {"AUTH_HEADER_PREFIX": "Token", "TOKEN_MODEL": KNOX_TOKEN_MODEL}
# knox's own migrations would create its unused default token table (its migrations do not know the
# model is swapped); without them that model gets no table.
MIGRATION_MODULES = {"knox": None}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.PortalTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.teams.permissions.IsAuthenticatedReadTeamWrite"],
    "DEFAULT_FILTER_BACKENDS": [
        "apps.core.filters.PortalFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    # Every body parser refuses NUL characters, naming the field (apps/core/validation.py).
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.validation.JSONParser",
        "apps.core.validation.FormParser",
        "apps.core.validation.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.PortalPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "apps.core.schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "apps.core.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ML portal API",
    "DESCRIPTION": "Teams, model requests, registry, training, outcomes and practices.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "apps.registry.models.Stage",
        "RequestStatusEnum": "apps.modelrequests.models.RequestStatus",
        "TrainingJobStatusEnum": "apps.training.models.JobStatus",
        "DatasetStatusEnum": "apps.training.models.DatasetStatus",
        "SearchKindEnum": "apps.search.kinds.KIND_KEYS",
        "MemberRoleEnum": "apps.teams.models.MemberRole",
        "ServiceAccountRoleEnum": "apps.accounts.models.SERVICE_ACCOUNT_ROLE_CHOICES",
    },
    # Every operation documents the portal's error answers (apps/core/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.schema.document_error_responses",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery ---------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_DEFAULT_QUEUE = "default"
# Training is heavy and long; it has its own queue so its workers scale apart from light tasks.
CELERY_TASK_QUEUES = [
    Queue("default", Exchange("default"), routing_key="default"),
    Queue("training", Exchange("training"), routing_key="training"),
]
CELERY_TASK_DEFAULT_EXCHANGE = "default"
CELERY_TASK_DEFAULT_ROUTING_KEY = "default"
# Task names are Celery's default, the module path (`apps.<app>.tasks.<function>`).
# The training app's tasks run on the training queue, except its light periodic ones.
CELERY_TASK_ROUTES = {
    "apps.training.tasks.recover_stale_jobs": {"queue": "default"},
    "apps.training.tasks.run_due_schedules": {"queue": "default"},
    "apps.training.tasks.*": {"queue": "training"},
}
CELERY_TASK_ACKS_LATE = True  # a killed worker's task is redelivered, not lost
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # Embedded broker for the quick start: kombu's filesystem transport (it supports the fanout
    # exchange that worker pings need). Web and worker share one folder under var/.
    BROKER_DIR = VAR_DIR / "broker"
    (BROKER_DIR / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        "data_folder_in": str(BROKER_DIR),
        "data_folder_out": str(BROKER_DIR),
        "processed_folder": str(BROKER_DIR / "processed"),
        # the exchange tables too (kombu's default is ./control, inside the checkout)
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Workers write a heartbeat per consumed queue this often (0: off); /healthz counts a queue without a
# heartbeat for PORTAL_WORKER_HEARTBEAT_STALE_SECONDS as having no consumer (then asks by broadcast).
PORTAL_WORKER_HEARTBEAT_SECONDS = env.float("PORTAL_WORKER_HEARTBEAT_SECONDS", default=10.0)
PORTAL_WORKER_HEARTBEAT_STALE_SECONDS = env.float("PORTAL_WORKER_HEARTBEAT_STALE_SECONDS", default=30.0)
# The queues /healthz requires a consumer for (default: every queue above).
PORTAL_HEALTH_QUEUES = env.list("PORTAL_HEALTH_QUEUES", default=[])
CELERY_BEAT_SCHEDULE: dict = {
    # Outcomes: input drift (PSI) per model version and feature, hourly over the last 24 hours.
    "outcomes-drift-check": {"task": "apps.outcomes.tasks.drift_check_all", "schedule": 3600.0},
}
# Practices: recompute every team's and model's scorecard (history rows only when an outcome changes).
CELERY_BEAT_SCHEDULE["practices-recompute-scorecards"] = {
    "task": "apps.practices.tasks.recompute_all_scorecards",
    "schedule": env.float("PRACTICES_RECOMPUTE_SECONDS", default=6 * 3600.0),
}
# Notifications: the daily digest for those who chose it (the hour in TIME_ZONE).
CELERY_BEAT_SCHEDULE["notifications-daily-digest"] = {
    "task": "apps.notifications.tasks.daily_digest",
    "schedule": crontab(hour=env.int("PORTAL_DIGEST_HOUR", default=7), minute=0),
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Webhooks (apps.webhooks) ----------------------------------------------------------------
# Each delivery is retried with exponential backoff (base, capped) for up to a day; a subscription
# is disabled after this many failed attempts in a row, and its owner told by e-mail.
WEBHOOK_TIMEOUT_SECONDS = env.float("PORTAL_WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_RETRY_BASE_SECONDS = env.int("PORTAL_WEBHOOK_RETRY_BASE_SECONDS", default=30)
WEBHOOK_RETRY_MAX_SECONDS = 3600  # below the broker's visibility timeout: a waiting retry is not redelivered
WEBHOOK_RETRY_FOR_SECONDS = env.int("PORTAL_WEBHOOK_RETRY_FOR_SECONDS", default=24 * 3600)
WEBHOOK_DISABLE_AFTER_FAILED_ATTEMPTS = env.int("PORTAL_WEBHOOK_DISABLE_AFTER", default=20)

# --- Training jobs (apps.training) --------------------------------------------------------------
# A running job writes a heartbeat; one silent for TRAINING_STALE_AFTER_SECONDS (its worker died) is
# requeued by `apps.training.tasks.recover_stale_jobs`, or failed after TRAINING_MAX_ATTEMPTS attempts.
# Search: how alike (pg_trgm word similarity, 0-1) a title must be to match a query with a typo.
SEARCH_TYPO_SIMILARITY = 0.5

# OpenMP/BLAS threads per worker process; 0 (default) gives each process its share of the cores.
WORKER_THREADS = env.int("PORTAL_WORKER_THREADS", default=0)
TRAINING_HEARTBEAT_SECONDS = env.int("PORTAL_TRAINING_HEARTBEAT_SECONDS", default=10)
TRAINING_STALE_AFTER_SECONDS = env.int("PORTAL_TRAINING_STALE_AFTER_SECONDS", default=120)
TRAINING_MAX_ATTEMPTS = env.int("PORTAL_TRAINING_MAX_ATTEMPTS", default=3)
TRAINING_DEFAULT_TIME_LIMIT_SECONDS = env.int("PORTAL_TRAINING_TIME_LIMIT_SECONDS", default=1800)
CELERY_BEAT_SCHEDULE["training-recover-stale-jobs"] = {
    "task": "apps.training.tasks.recover_stale_jobs",
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["training-run-due-schedules"] = {
    "task": "apps.training.tasks.run_due_schedules",
    "schedule": 300.0,
}

# --- Single sign-on (apps.sso, OpenID Connect via mozilla-django-oidc) ---------------------------
# Off while PORTAL_OIDC_ISSUER is empty: then the login page shows no SSO button. The provider's
# endpoints come from <issuer>/.well-known/openid-configuration. README, "Single sign-on".
SSO_ISSUER = env.str("PORTAL_OIDC_ISSUER", default="")
SSO_CLIENT_ID = env.str("PORTAL_OIDC_CLIENT_ID", default="")
SSO_CLIENT_SECRET = env.str("PORTAL_OIDC_CLIENT_SECRET", default="")
SSO_SCOPES = env.str("PORTAL_OIDC_SCOPES", default="openid email profile")
SSO_GROUPS_CLAIM = env.str("PORTAL_OIDC_GROUPS_CLAIM", default="groups")
# group=team-slug:role entries, comma-separated, e.g. "ml-platform-leads=ml-platform:lead".
SSO_GROUP_MAP = _names(env.list("PORTAL_OIDC_GROUP_MAP", default=[]))
SSO_STAFF_GROUPS = _names(env.list("PORTAL_OIDC_STAFF_GROUPS", default=[]))
SSO_BUTTON_LABEL = env.str("PORTAL_OIDC_BUTTON_LABEL", default="Sign in with single sign-on")
SSO_SIGN_ALGO = env.str("PORTAL_OIDC_SIGN_ALGO", default="RS256")
# Read by mozilla-django-oidc itself.
OIDC_AUTHENTICATION_CALLBACK_URL = "sso:callback"
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env.float("PORTAL_OIDC_TIMEOUT_SECONDS", default=10.0)

# --- Production hardening (manage.py check --deploy passes with DJANGO_DEBUG=false) ------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("PORTAL_LOG_LEVEL", default="INFO")},
}
