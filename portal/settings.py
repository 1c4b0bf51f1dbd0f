"""Settings read from the environment (12-factor).

Quick start needs no variables: an embedded SQLite database and an embedded filesystem broker under
``var/``. Production sets ``DJANGO_DEBUG=false``, ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS``,
``DATABASE_URL`` and ``CELERY_BROKER_URL`` (see README, "Configuration").
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from kombu import Exchange, Queue
from whitenoise.compress import Compressor

from portal.storage import platform_entry

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
# templates/403_csrf.html, or the same in words to htmx (into the page's alert region).
CSRF_FAILURE_VIEW = "apps.core.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "axes",
    "csp",
    "django_filters",
    "django_htmx",
    "django_structlog",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # django-auditlog records the writes; its entry model is apps.audit's AuditEvent.
    "auditlog",
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
    "apps.home",
    "apps.audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_structlog.middlewares.RequestMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "apps.core.validation.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.htmx: a view answers an htmx request with the fragment it swaps, others with the page.
    "django_htmx.middleware.HtmxMiddleware",
    # Who acts, through which channel (ui, api, admin) and the request id, for the audit trail.
    "apps.core.acting.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # After it: the pages of an SSO session may post to the provider (its sign-out), apps.sso.middleware.
    "apps.sso.middleware.ProviderSignOutFormAction",
    "apps.core.middleware.ChartImageExport",
    "apps.core.middleware.LoginRequiredMiddleware",
    # Last: turns a sign-in refused for too many failures into the lockout answer (apps.accounts.lockout).
    "axes.middleware.AxesMiddleware",
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

# A filter's empty choice reads "Any" (model choices: "Any team", apps/core/filters.PortalFilterSet).
FILTERS_EMPTY_CHOICE_LABEL = "Any"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # plotly.js ships inside the plotly package; serve that copy, never a CDN.
    "apps.core.staticfiles.PlotlyFinder",
]
# Without DEBUG (production and `make run`): hashed names cached for a year, gzip and brotli copies
# (apps/core/staticfiles.py), collected by `manage.py collectstatic` (the image build, `manage.py serve`).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Datasets and model artefacts (apps.core.storage): S3 when PORTAL_S3_BUCKET is set, else a folder.
    "platform": platform_entry(env),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "apps.core.staticfiles.CompressedStaticStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Only the hashed copies are kept (every page names files through {% static %}): half the files to
# compress. Source maps are never downloaded by a page; they are not compressed.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
MEDIA_ROOT = Path(env.str("PORTAL_MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Model artefacts and datasets live here, under keys the server generates (with S3: only scratch files).
PLATFORM_STORAGE_ROOT = Path(env.str("PORTAL_PLATFORM_STORAGE", default=str(VAR_DIR / "platform")))
# Prediction monitoring is added up per process and written this often (0: on every call).
OUTCOMES_MONITORING_FLUSH_SECONDS = env.float("PORTAL_MONITORING_FLUSH_SECONDS", default=5.0)

AUTHENTICATION_BACKENDS = [
    # First: refuses every sign-in (password, token endpoint, admin) while the user or address is locked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, refusing password sign-in to service accounts (they use tokens only).
    "apps.accounts.backends.PeopleModelBackend",
    # OpenID Connect sign-in; does nothing until PORTAL_OIDC_ISSUER is set.
    "apps.sso.backend.PortalOIDCBackend",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# A browser session ends this many hours after sign-in (default 12); "sign out everywhere" ends them all.
SESSION_COOKIE_AGE = int(env.float("PORTAL_SESSION_HOURS", default=12) * 3600)

# --- Content-Security-Policy (django-csp) ---------------------------------------------------------
# Scripts, styles, images, fonts and connections only from the portal's own origin: no inline script
# or style (the templates keep their data in JSON script blocks, which never run), no eval, no CDN.
# The API docs page adds what Swagger UI needs on that view alone (portal/api_urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Login throttling and lockout (django-axes) ---------------------------------------------------
# After PORTAL_LOGIN_FAILURE_LIMIT failed sign-ins (login page, admin login or /api/v1/auth/token/)
# for one username, or from one address, further sign-ins for it are refused for
# PORTAL_LOCKOUT_MINUTES, counted from the last failure before the lockout; platform staff unlock in
# the admin (Axes > Access attempts) or at /api/v1/auth/lockouts/.
AXES_FAILURE_LIMIT = env.int("PORTAL_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("PORTAL_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A refused attempt while locked does not push the end of the lockout further out: the answer can
# say when to retry and mean it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "apps.accounts.lockout.lockout_response"
# Behind reverse proxies, how many of them append to X-Forwarded-For (0: the address is REMOTE_ADDR).
PORTAL_PROXY_COUNT = env.int("PORTAL_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "apps.accounts.lockout.client_address"
AXES_VERBOSE = False

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
# A model trained elsewhere (skops or ONNX) is read whole to be checked before it is stored.
PORTAL_MAX_ARTEFACT_BYTES = env.int("PORTAL_MAX_ARTEFACT_BYTES", default=100 * 1024 * 1024)
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
MIGRATION_MODULES = {"knox": None, "auditlog": None}

# --- Audit trail (apps.audit, django-auditlog) -------------------------------------------------
# Every write to a portal model becomes an AuditEvent with its actor, channel, request id (the
# auditlog "correlation id") and address; auditlog's own LogEntry table is not created (as for knox,
# its migrations do not know the model is swapped). Secret fields are recorded as changed, never
# with their values.
AUDITLOG_LOGENTRY_MODEL = "audit.AuditEvent"
AUDITLOG_CID_GETTER = "apps.audit.recording.current_request_id"
AUDITLOG_MASK_CALLABLE = "apps.audit.recording.hidden"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.PortalTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.core.api.permissions.PolicyPermission"],
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
        "TrainingJobKindEnum": "apps.training.models.JobKind",
        "ArtefactFormatEnum": ["skops", "onnx"],
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
    # No call to the public validator service (its badge would load from another origin).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
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
# Loopback and link-local receivers (the portal's own host, cloud metadata) are refused unless allowed.
WEBHOOK_ALLOW_LOCAL_ADDRESSES = env.bool("PORTAL_WEBHOOK_ALLOW_LOCAL_ADDRESSES", default=False)
WEBHOOK_DISABLE_AFTER_FAILED_ATTEMPTS = env.int("PORTAL_WEBHOOK_DISABLE_AFTER", default=20)

# --- Training jobs (apps.training) --------------------------------------------------------------
# A running job writes a heartbeat; one silent for TRAINING_STALE_AFTER_SECONDS (its worker died) is
# requeued by `apps.training.tasks.recover_stale_jobs`, or failed after TRAINING_MAX_ATTEMPTS attempts.
# Search: how alike (pg_trgm word similarity, 0-1) a title must be to match a query with a typo.
SEARCH_TYPO_SIMILARITY = 0.5

# OpenMP/BLAS threads per worker process; 0 (default) gives each process its share of the cores.
WORKER_THREADS = env.int("PORTAL_WORKER_THREADS", default=0)
# How long a worker's job keeps retrying its writes while PostgreSQL is unreachable (a restart, a
# failover) before it gives up (apps.core.reconnect).
DATABASE_RETRY_SECONDS = env.int("PORTAL_DATABASE_RETRY_SECONDS", default=120)
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
# Kept in the session for the provider's sign-out (its id_token_hint), see apps.sso.views.LogoutView.
OIDC_STORE_ID_TOKEN = True
OIDC_TIMEOUT = env.float("PORTAL_OIDC_TIMEOUT_SECONDS", default=10.0)

# --- Production hardening (manage.py check --deploy passes with DJANGO_DEBUG=false) ------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # `manage.py serve` (the quick start, plain HTTP on 127.0.0.1) turns the redirect and these off.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# --- Logs: JSON lines (request id, user, duration) in production, plain lines in the quick start --
LOG_FORMAT = env.str("PORTAL_LOG_FORMAT", default="console" if DEBUG else "json")
LOG_LEVEL = env.str("PORTAL_LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "apps.core.request_log.json_formatter"},
        "console": {"()": "apps.core.request_log.console_formatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # One line per request; the quick start's runserver already prints its own.
    "loggers": {"django_structlog": {"level": LOG_LEVEL if LOG_FORMAT == "json" else "WARNING"}},
}
DJANGO_STRUCTLOG_CELERY_ENABLED = True
DJANGO_STRUCTLOG_USER_ID_FIELD = "pk"
# A caller's (or proxy's) X-Request-ID is kept, so one id follows a call through logs and the audit
# trail; apps.core.acting replaces one that is not a plain token of at most 64 characters.
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = True

# --- Error reports to Sentry (or any Sentry-compatible service), only when SENTRY_DSN is set ----
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,
    )

# --- django-debug-toolbar: development only, when installed (`.[dev]`) and asked for -----------
DEBUG_TOOLBAR = DEBUG and env.bool("PORTAL_DEBUG_TOOLBAR", default=False)
if DEBUG_TOOLBAR:
    INSTALLED_APPS.append("debug_toolbar")
    MIDDLEWARE.insert(0, "debug_toolbar.middleware.DebugToolbarMiddleware")
    INTERNAL_IPS = ["127.0.0.1"]
