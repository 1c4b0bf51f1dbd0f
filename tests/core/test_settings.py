"""The configuration table of the README: each variable is read from the environment with its
documented default (settings are imported in a fresh interpreter per case)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAMES = [
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "EMAIL_USE_TLS",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "OUTCOMES_MONITORING_FLUSH_SECONDS",
    "PORTAL_MAX_UPLOAD_BYTES",
    "PORTAL_HEALTH_QUEUES",
    "TRAINING_MAX_ATTEMPTS",
]


def settings_with(tmp_path, **variables) -> dict:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PORTAL_", "DATABASE_", "CELERY_"))
    }
    environment |= {"PORTAL_VAR_DIR": str(tmp_path)} | variables
    script = (
        "import json, portal.settings as s; "
        f"names = {NAMES!r}; "
        "print(json.dumps({n: getattr(s, n) for n in names} | {'DB': s.DATABASES['default']}, default=str))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_no_variables_gives_the_quick_start(tmp_path):
    values = settings_with(tmp_path)
    assert values["DEBUG"] is True
    assert values["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1", "[::1]", "testserver"]
    assert values["CSRF_TRUSTED_ORIGINS"] == []
    assert values["EMAIL_USE_TLS"] is False
    assert values["CELERY_BROKER_URL"] == "filesystem://"
    assert values["CELERY_RESULT_BACKEND"] is None
    assert values["OUTCOMES_MONITORING_FLUSH_SECONDS"] == 5
    assert values["PORTAL_MAX_UPLOAD_BYTES"] == 200 * 1024 * 1024
    assert values["PORTAL_HEALTH_QUEUES"] == []
    assert values["TRAINING_MAX_ATTEMPTS"] == 3
    assert values["DB"]["ENGINE"] == "django.db.backends.sqlite3"
    assert values["DB"]["NAME"] == str(tmp_path / "portal.sqlite3")


def test_variables_override_the_defaults(tmp_path):
    values = settings_with(
        tmp_path,
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="from-the-environment",
        DJANGO_ALLOWED_HOSTS=" portal.example.com , api.example.com,,",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://portal.example.com",
        DJANGO_EMAIL_USE_TLS="true",
        DATABASE_URL="postgres://user:p%40ss@db.example.com:5433/portal?sslmode=require",
        DATABASE_CONN_MAX_AGE="0",
        CELERY_BROKER_URL="redis://broker.example.com:6379/0",
        PORTAL_MONITORING_FLUSH_SECONDS="0.5",
        PORTAL_MAX_UPLOAD_BYTES="1000",
        PORTAL_HEALTH_QUEUES="default,,training",
        PORTAL_TRAINING_MAX_ATTEMPTS="5",
    )
    assert values["DEBUG"] is False
    assert values["ALLOWED_HOSTS"] == ["portal.example.com", "api.example.com"]
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://portal.example.com"]
    assert values["EMAIL_USE_TLS"] is True
    assert values["CELERY_BROKER_URL"] == "redis://broker.example.com:6379/0"
    assert values["OUTCOMES_MONITORING_FLUSH_SECONDS"] == 0.5
    assert values["PORTAL_MAX_UPLOAD_BYTES"] == 1000
    assert values["PORTAL_HEALTH_QUEUES"] == ["default", "training"]
    assert values["TRAINING_MAX_ATTEMPTS"] == 5
    db = values["DB"]
    assert (db["ENGINE"], db["HOST"], db["PORT"], db["NAME"]) == (
        "django.db.backends.postgresql",
        "db.example.com",
        5433,
        "portal",
    )
    assert (db["USER"], db["PASSWORD"], db["OPTIONS"], db["CONN_MAX_AGE"]) == (
        "user",
        "p@ss",
        {"sslmode": "require"},
        0,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment |= {"PORTAL_VAR_DIR": str(tmp_path), "DJANGO_DEBUG": "false"}
    result = subprocess.run(
        [sys.executable, "-c", "import portal.settings"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "DJANGO_SECRET_KEY must be set" in result.stderr
