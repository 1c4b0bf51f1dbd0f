"""CSV export of the board views (same filters as the page); streamed, so 5,000 rows cost little."""

import itertools

from django.http import StreamingHttpResponse

from apps.core import csvexport

BASE_COLUMNS = [
    ("id", lambda r: r.pk),
    ("title", lambda r: r.title),
    ("status", lambda r: r.status),
    ("requesting_team", lambda r: r.requesting_team.slug),
    ("delivering_team", lambda r: r.delivering_team.slug),
    ("value_stream", lambda r: r.value_stream.slug),
    ("kpi", lambda r: r.kpi),
    ("expected_change_pct", lambda r: r.expected_change),
    ("affected_volume", lambda r: r.affected_volume),
    ("rice", lambda r: _number(r.rice)),
    ("wsjf", lambda r: _number(r.wsjf)),
    ("manual_rank", lambda r: r.manual_rank or ""),
    ("rank_reason", lambda r: r.rank_reason),
    ("submitted_at", lambda r: r.submitted_at.isoformat()),
    ("delivered_at", lambda r: r.delivered_at.isoformat() if r.delivered_at else ""),
]


def _number(value) -> str:
    return "" if value is None else f"{value:.4g}"


def csv_response(rows, *, filename: str, extra_columns=()) -> StreamingHttpResponse:
    """``rows`` is an iterable of requests (annotated with ``rice`` and ``wsjf``)."""
    columns = [*extra_columns, *BASE_COLUMNS]
    cells = ([get(row) for _, get in columns] for row in rows)
    return csvexport.csv_response([name for name, _ in columns], cells, filename=filename)


def wants_csv(request) -> bool:
    return request.GET.get("export") == "csv"


def backlog_csv(board, *, team, method: str) -> StreamingHttpResponse:
    """The ranked rows (rank, score, cumulative size, capacity line, pin), then the unscored ones."""

    def ranked(row) -> bool:
        return getattr(row, "cumulative_size", None) is not None

    extra = [
        ("position", lambda r: r.position if ranked(r) else ""),
        ("score_method", lambda r: method),
        ("score", lambda r: _number(r.score)),
        ("cumulative_size", lambda r: r.cumulative_size if ranked(r) else ""),
        ("above_capacity_line", lambda r: r.fits if ranked(r) else ""),
    ]
    rows = itertools.chain(iter(board.ranked), board.unscored.iterator(chunk_size=500))
    return csv_response(rows, filename=f"backlog-{team.slug}-{method}.csv", extra_columns=extra)


def roadmap_csv(lanes, *, filename: str) -> StreamingHttpResponse:
    """One row per request of the roadmap: its horizon (now, next, later) and backlog position."""
    rows = [
        (horizon, item)
        for lane in lanes
        for horizon in ("now", "next", "later")
        for item in getattr(lane, horizon)
    ]
    for horizon, item in rows:
        item.horizon = horizon
    extra = [
        ("horizon", lambda r: r.horizon),
        ("position", lambda r: getattr(r, "position", "")),
    ]
    return csv_response((item for _, item in rows), filename=filename, extra_columns=extra)
