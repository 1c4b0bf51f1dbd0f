"""Structured logs: one JSON object per line in production, readable lines in the quick start.

django-structlog binds a request id (or the caller's ``X-Request-ID``), the user id and the client
address to every log line written while a request is served, and to the Celery tasks it enqueues.
This module adds the user name and the request's duration to its ``request_finished`` line.
"""

import time

import structlog
from django.dispatch import receiver
from django_structlog import signals

# Applied to log records from the standard library (Django, Celery, gunicorn) and from structlog alike.
SHARED_PROCESSORS = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure() -> None:
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *SHARED_PROCESSORS,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            structlog.processors.UnicodeDecoder(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def json_formatter() -> structlog.stdlib.ProcessorFormatter:
    return structlog.stdlib.ProcessorFormatter(
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        foreign_pre_chain=SHARED_PROCESSORS,
    )


def console_formatter() -> structlog.stdlib.ProcessorFormatter:
    return structlog.stdlib.ProcessorFormatter(
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.dev.ConsoleRenderer(colors=False),
        ],
        foreign_pre_chain=SHARED_PROCESSORS,
    )


@receiver(signals.bind_extra_request_metadata)
def _start_clock(request, **kwargs):
    request.log_started_at = time.perf_counter()


@receiver(signals.bind_extra_request_finished_metadata)
def _add_user_and_duration(request, log_kwargs, **kwargs):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        log_kwargs["user"] = user.get_username()
    started = getattr(request, "log_started_at", None)
    if started is not None:
        log_kwargs["duration_ms"] = round((time.perf_counter() - started) * 1000, 1)
