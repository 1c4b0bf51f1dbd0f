"""Settings read from the environment (12-factor).

Quick start needs no variables: an embedded SQLite database and an embedded filesystem broker under
``var/``. Production sets ``DJANGO_DEBUG=false``, ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS``,
``DATABASE_URL`` and ``CELERY_BROKER_URL`` (see README, "Configuration").
"""

import os
from pathlib import Path

import dj_database_url
import plotly
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false")
    SECRET_KEY = "insecure-quick-start-key-only-for-local-use"  # noqa: S105 - only with DEBUG on

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "apps.core",
    "apps.teams",
    "apps.registry",
    "apps.training",
    "apps.modelrequests",
    "apps.outcomes",
    "apps.practices",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "apps.core.middleware.RejectNulInQueryMiddleware",
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
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
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
MEDIA_ROOT = Path(os.environ.get("PORTAL_MEDIA_ROOT", VAR_DIR / "media"))
# Model artefacts and datasets live here, under keys the server generates.
PLATFORM_STORAGE_ROOT = Path(os.environ.get("PORTAL_PLATFORM_STORAGE", VAR_DIR / "platform"))
# Prediction monitoring is added up per process and written this often (0: on every call).
OUTCOMES_MONITORING_FLUSH_SECONDS = float(os.environ.get("PORTAL_MONITORING_FLUSH_SECONDS", "5"))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "ml-portal@example.com")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)

DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("PORTAL_MAX_JSON_BYTES", str(20 * 1024 * 1024)))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger uploads stream to a temporary file
PORTAL_MAX_UPLOAD_BYTES = int(os.environ.get("PORTAL_MAX_UPLOAD_BYTES", str(200 * 1024 * 1024)))
# Shape limits of an uploaded dataset, checked in the web process before anything is stored.
PORTAL_MAX_DATASET_COLUMNS = int(os.environ.get("PORTAL_MAX_DATASET_COLUMNS", "2000"))
PORTAL_MAX_DATASET_ROWS = int(os.environ.get("PORTAL_MAX_DATASET_ROWS", "10000000"))
PORTAL_MAX_HEADER_BYTES = int(os.environ.get("PORTAL_MAX_HEADER_BYTES", str(256 * 1024)))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.core.authentication.PortalTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.teams.permissions.IsAuthenticatedReadTeamWrite"],
    "DEFAULT_FILTER_BACKENDS": [
        "apps.core.filter_backend.PortalFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.PortalPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.api.exception_handler",
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
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery ---------------------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_DEFAULT_QUEUE = "default"
# Training is heavy and long; it has its own queue so its workers scale apart from light tasks.
CELERY_TASK_QUEUES = [
    Queue("default", Exchange("default"), routing_key="default"),
    Queue("training", Exchange("training"), routing_key="training"),
]
CELERY_TASK_DEFAULT_EXCHANGE = "default"
CELERY_TASK_DEFAULT_ROUTING_KEY = "default"
CELERY_TASK_ROUTES = {"apps.training.tasks.*": {"queue": "training"}}
CELERY_TASK_ACKS_LATE = True  # a killed worker's task is redelivered, not lost
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
}
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
PORTAL_WORKER_HEARTBEAT_SECONDS = float(os.environ.get("PORTAL_WORKER_HEARTBEAT_SECONDS", "10"))
PORTAL_WORKER_HEARTBEAT_STALE_SECONDS = float(os.environ.get("PORTAL_WORKER_HEARTBEAT_STALE_SECONDS", "30"))
# The queues /healthz requires a consumer for (default: every queue above).
PORTAL_HEALTH_QUEUES = [name for name in os.environ.get("PORTAL_HEALTH_QUEUES", "").split(",") if name]
CELERY_BEAT_SCHEDULE: dict = {
    # Outcomes: input drift (PSI) per model version and feature, hourly over the last 24 hours.
    "outcomes-drift-check": {"task": "apps.outcomes.tasks.drift_check_all", "schedule": 3600.0},
}
# Practices: recompute every team's and model's scorecard (history rows only when an outcome changes).
CELERY_BEAT_SCHEDULE["practices-recompute-scorecards"] = {
    "task": "apps.practices.tasks.recompute_all_scorecards",
    "schedule": float(os.environ.get("PRACTICES_RECOMPUTE_SECONDS", str(6 * 3600))),
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Training jobs (apps.training) --------------------------------------------------------------
# A running job writes a heartbeat; one silent for TRAINING_STALE_AFTER_SECONDS (its worker died) is
# requeued by `training.recover_stale_jobs`, or failed after TRAINING_MAX_ATTEMPTS attempts.
# OpenMP/BLAS threads per worker process; 0 (default) gives each process its share of the cores.
WORKER_THREADS = int(os.environ.get("PORTAL_WORKER_THREADS", "0"))
TRAINING_HEARTBEAT_SECONDS = int(os.environ.get("PORTAL_TRAINING_HEARTBEAT_SECONDS", "10"))
TRAINING_STALE_AFTER_SECONDS = int(os.environ.get("PORTAL_TRAINING_STALE_AFTER_SECONDS", "120"))
TRAINING_MAX_ATTEMPTS = int(os.environ.get("PORTAL_TRAINING_MAX_ATTEMPTS", "3"))
TRAINING_DEFAULT_TIME_LIMIT_SECONDS = int(os.environ.get("PORTAL_TRAINING_TIME_LIMIT_SECONDS", "1800"))
CELERY_BEAT_SCHEDULE["training.recover_stale_jobs"] = {
    "task": "training.recover_stale_jobs",
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["training.run_due_schedules"] = {
    "task": "training.run_due_schedules",
    "schedule": 300.0,
}

# --- Production hardening (manage.py check --deploy passes with DJANGO_DEBUG=false) ------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PORTAL_LOG_LEVEL", "INFO")},
}
