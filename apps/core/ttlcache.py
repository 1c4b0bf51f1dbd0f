"""A small per-process cache whose entries expire after a few seconds, for lookups on the prediction
endpoint's latency-critical path (each one a database round trip otherwise)."""

import threading
import time
from collections.abc import Callable, Hashable


class TtlCache:
    """``seconds()`` is read on every write, so settings (and tests) can change the lifetime; 0 or less
    turns caching off. When ``max_entries`` is reached the cache is emptied rather than evicted
    entry by entry: it only ever holds a handful of hot keys."""

    def __init__(self, seconds: Callable[[], float], *, max_entries: int = 1000):
        self._seconds = seconds
        self._max_entries = max_entries
        self._entries: dict[Hashable, tuple[float, object]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        """The live value for ``key``, or None (always None while the lifetime is 0)."""
        entry = self._entries.get(key)
        if entry and self._seconds() <= 0:
            return None
        if entry and entry[0] > time.monotonic():
            return entry[1]
        return None

    def put(self, key: Hashable, value) -> None:
        ttl = self._seconds()
        if ttl <= 0:
            return
        with self._lock:
            if len(self._entries) >= self._max_entries:
                self._entries.clear()
            self._entries[key] = (time.monotonic() + ttl, value)

    def clear(self, **_signal_kwargs) -> None:
        """Forget everything (also usable as a signal receiver)."""
        with self._lock:
            self._entries.clear()
