"""How a delivering team's backlog is ordered: by score, with pins.

A pin holds one request at a rank (1 is the top) with who placed it, when and why. Every other
request follows the score of the chosen method: the unpinned requests, best score first, fill the
ranks the pins leave free. Switching RICE/WSJF therefore reorders the unpinned requests only, and a
new or re-scored request takes its place by score at once. Two pins asking for the same rank keep
the order in which they were placed.

Pure functions on small tuples, so the order is the same for the page, the API, the CSV and the
ranking service, and easy to test.
"""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Entry:
    pk: int
    score: float | None
    pin: int | None  # the rank the request is pinned at, None when it follows its score
    pinned_at: datetime | None
    submitted_at: datetime
    size: float = 0.0


def _score_key(entry: Entry):
    return (-entry.score, entry.submitted_at, entry.pk)


def _pin_key(entry: Entry):
    return (entry.pin, entry.pinned_at or entry.submitted_at, entry.pk)


def order(entries: list[Entry]) -> list[Entry]:
    """Pinned entries at their ranks, scored unpinned entries by score in the free ranks; unscored
    unpinned entries are left out (they have no place until scored or pinned). A pin past the end
    of the backlog goes to the end, in pin order."""
    pins = sorted((e for e in entries if e.pin is not None), key=_pin_key)
    scored = sorted((e for e in entries if e.pin is None and e.score is not None), key=_score_key)
    result: list[Entry] = []
    p = s = 0
    while p < len(pins) or s < len(scored):
        slot = len(result) + 1
        if p < len(pins) and (pins[p].pin <= slot or s == len(scored)):
            result.append(pins[p])
            p += 1
        else:
            result.append(scored[s])
            s += 1
    return result


def score_ranks(entries: list[Entry]) -> dict[int, int]:
    """The rank each scored entry would have if no request were pinned: {pk: rank}. Shown next to a
    pin, so a person sees how far the pin holds a request from where its score puts it."""
    scored = sorted((e for e in entries if e.score is not None), key=_score_key)
    return {entry.pk: rank for rank, entry in enumerate(scored, start=1)}


def pins_after_move(ordered: list[Entry], *, moved: int, index: int) -> dict[int, int]:
    """The pin of every pinned request once ``moved`` is placed at ``index`` (0-based) of the order
    without it: the moved request is pinned there and the others keep their place relative to
    their neighbours (the ranks between the old and the new place shift by one), so the page shows
    exactly the order the person made. Returns {pk: rank} for the pinned requests."""
    ids = [entry.pk for entry in ordered if entry.pk != moved]
    ids.insert(index, moved)
    pinned = {entry.pk for entry in ordered if entry.pin is not None} | {moved}
    return {pk: rank for rank, pk in enumerate(ids, start=1) if pk in pinned}
