"""Database writes that outlive a PostgreSQL restart, for long work outside a web request (a training
job on a worker). A restart ends every session: the next query fails with OperationalError or
InterfaceError and the connection stays broken for the rest of the task. ``through_restarts`` closes
it and tries again with backoff (tenacity) for up to ``DATABASE_RETRY_SECONDS``, then raises.

Only for calls made outside a transaction whose writes are safe to repeat: a write that commits but
whose answer is lost is done again, so it must be conditional or idempotent."""

import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from tenacity import RetryCallState, retry, retry_if_exception, wait_exponential

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


def database_gone(exc: BaseException) -> bool:
    """The connection was lost or refused, and no outer transaction would be cut in two by a retry."""
    return isinstance(exc, OperationalError | InterfaceError) and not connection.in_atomic_block


def _given_up(state: RetryCallState) -> bool:
    return state.seconds_since_start >= settings.DATABASE_RETRY_SECONDS


def _reconnect(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    logger.warning("database unreachable (%s); reconnecting, attempt %d", error, state.attempt_number)
    connection.close()  # the next query opens a new connection


def through_restarts(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """``function(*args, **kwargs)``, called again on a fresh connection while the database is gone."""
    retrying = retry(
        retry=retry_if_exception(database_gone),
        wait=wait_exponential(multiplier=0.25, max=5),
        stop=_given_up,
        before_sleep=_reconnect,
        reraise=True,
    )
    return retrying(function)(*args, **kwargs)
