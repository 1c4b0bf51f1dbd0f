"""The per-transition work of the flow metrics, done by the database in two queries.

- ``cumulative_flow_counts``: each transition's stay in its status (``LEAD`` over the request's
  transitions gives when it left), turned into +1 on the day it came and -1 on the day it left; a
  running ``SUM`` over a series of days (``generate_series`` on PostgreSQL, a recursive CTE on
  SQLite) gives the count per status at the end of each day.
- ``time_means``: each request's first submitted / in progress / delivered time (one GROUP BY),
  then mean lead, queue and cycle time and the delivered count, overall, per delivering team and
  per stream (UNION ALL: SQLite has no GROUPING SETS).

Only the day arithmetic differs by database (``_Dialect``); the rest of each statement is shared so
both give the same numbers.
"""

import datetime
from dataclasses import dataclass

from django.db import connections
from django.db.models import QuerySet

from apps.modelrequests.models import ModelRequest, RequestStatus, RequestTransition

TRANSITIONS = RequestTransition._meta.db_table
REQUESTS = ModelRequest._meta.db_table


@dataclass(frozen=True)
class _Dialect:
    day_of: str  # whole days from the start date (a parameter) to the UTC date of {}
    seconds_between: str  # seconds from {1} to {0}
    days: str  # CTE "days(day)" of 0..n (n a parameter)
    recursive: str = ""


POSTGRES = _Dialect(
    day_of="(({} AT TIME ZONE 'UTC')::date - %s::date)",
    seconds_between="EXTRACT(EPOCH FROM ({0} - {1}))",
    days="days(day) AS (SELECT generate_series(0, %s))",
)
# Django keeps SQLite datetimes as UTC text, which date() and julianday() read.
SQLITE = _Dialect(
    day_of="CAST(julianday(date({})) - julianday(%s) AS INTEGER)",
    seconds_between="((julianday({0}) - julianday({1})) * 86400.0)",
    days="days(day) AS (SELECT 0 UNION ALL SELECT day + 1 FROM days WHERE day < %s)",
    recursive="RECURSIVE",
)


def _dialect(connection) -> _Dialect:
    return POSTGRES if connection.vendor == "postgresql" else SQLITE


def _ids(requests: QuerySet) -> tuple[str, tuple]:
    return requests.order_by().values("pk").query.sql_with_params()


def _run(requests: QuerySet, sql: str, params: list) -> list[tuple]:
    with connections[requests.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def cumulative_flow_counts(requests: QuerySet, *, start: datetime.date, end: datetime.date) -> list[tuple]:
    """``(status, day index, count)`` for every status that occurs and every day 0..(end - start),
    ordered by status and day: how many of the requests were in that status at the end of the day
    (a request with no transition yet counts nowhere)."""
    connection = connections[requests.db]
    sql_dialect = _dialect(connection)
    ids_sql, ids_params = _ids(requests)
    start_value = connection.ops.adapt_datefield_value(start)
    last_day = (end - start).days
    came = sql_dialect.day_of.format("t.at")
    left = sql_dialect.day_of.format("LEAD(t.at) OVER (PARTITION BY t.request_id ORDER BY t.at, t.id)")
    sql = f"""
        WITH {sql_dialect.recursive} {sql_dialect.days},
        stays AS (
            SELECT t.to_status AS status, {came} AS came, {left} AS went
            FROM {TRANSITIONS} t WHERE t.request_id IN ({ids_sql})
        ),
        moves AS (
            SELECT status, CASE WHEN came < 0 THEN 0 ELSE came END AS day, 1 AS delta
            FROM stays WHERE came <= %s
            UNION ALL
            SELECT status, CASE WHEN went < 0 THEN 0 ELSE went END AS day, -1 AS delta
            FROM stays WHERE went IS NOT NULL AND went <= %s
        ),
        daily AS (SELECT status, day, SUM(delta) AS delta FROM moves GROUP BY status, day),
        statuses AS (SELECT DISTINCT status FROM daily)
        SELECT s.status, d.day,
               SUM(COALESCE(daily.delta, 0)) OVER (PARTITION BY s.status ORDER BY d.day) AS n
        FROM days d CROSS JOIN statuses s
        LEFT JOIN daily ON daily.status = s.status AND daily.day = d.day
        ORDER BY s.status, d.day
    """
    params = [last_day, start_value, start_value, *ids_params, last_day, last_day]
    return [(status, day, int(n)) for status, day, n in _run(requests, sql, params)]


def time_means(requests: QuerySet, *, since: datetime.datetime) -> list[tuple]:
    """``(group, key, lead, queue, cycle, delivered)`` rows: group "all" (key None),
    "delivering_team" and "value_stream" (key: the id). Lead = first submitted -> first delivered
    and cycle = first in progress -> first delivered of requests delivered since ``since``; queue =
    first submitted -> first in progress of requests started since then; in seconds (None when
    nothing counts)."""
    connection = connections[requests.db]
    sql_dialect = _dialect(connection)
    ids_sql, ids_params = _ids(requests)
    since_value = connection.ops.adapt_datetimefield_value(since)
    lead = sql_dialect.seconds_between.format("t_done", "t_sub")
    queue = sql_dialect.seconds_between.format("t_start", "t_sub")
    cycle = sql_dialect.seconds_between.format("t_done", "t_start")
    means = f"""
        AVG(CASE WHEN t_done >= %s THEN {lead} END),
        AVG(CASE WHEN t_start >= %s THEN {queue} END),
        AVG(CASE WHEN t_start IS NOT NULL AND t_done >= %s THEN {cycle} END),
        COUNT(CASE WHEN t_done >= %s THEN 1 END)
    """
    S = RequestStatus
    sql = f"""
        WITH firsts AS (
            SELECT r.delivering_team_id AS team_id, r.value_stream_id AS stream_id,
                COALESCE(MIN(CASE WHEN t.to_status = %s THEN t.at END), r.submitted_at) AS t_sub,
                MIN(CASE WHEN t.to_status = %s THEN t.at END) AS t_start,
                MIN(CASE WHEN t.to_status = %s THEN t.at END) AS t_done
            FROM {TRANSITIONS} t JOIN {REQUESTS} r ON r.id = t.request_id
            WHERE t.request_id IN ({ids_sql})
            GROUP BY t.request_id, r.submitted_at, r.delivering_team_id, r.value_stream_id
        )
        SELECT 'all', NULL, {means} FROM firsts
        UNION ALL SELECT 'delivering_team', team_id, {means} FROM firsts GROUP BY team_id
        UNION ALL SELECT 'value_stream', stream_id, {means} FROM firsts GROUP BY stream_id
    """
    params = [S.SUBMITTED.value, S.IN_PROGRESS.value, S.DELIVERED.value, *ids_params]
    params += [since_value] * 4 * 3
    return _run(requests, sql, params)
