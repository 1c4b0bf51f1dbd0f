"""Before/after of an engagement's goals, from its two snapshots."""

from apps.practices.checks import CHECKS, STATUS_LABELS


def status_of(snapshot, code: str) -> str | None:
    if snapshot is None:
        return None
    return next((row["status"] for row in snapshot.results if row["check"] == code), None)


def goal_progress(engagement) -> list[dict]:
    rows = []
    for code in engagement.goals:
        before = status_of(engagement.before_snapshot, code)
        after = status_of(engagement.after_snapshot, code)
        rows.append(
            {
                "check": code,
                "title": CHECKS[code].title if code in CHECKS else code,
                "before": before,
                "after": after,
                "before_label": STATUS_LABELS.get(before, "—"),
                "after_label": STATUS_LABELS.get(after, "—"),
                "improved": before != "pass" and after == "pass",
            }
        )
    return rows
