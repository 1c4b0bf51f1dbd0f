"""A small per-process cache whose entries expire after a few seconds, for lookups on the prediction
endpoint's latency-critical path (each one a database round trip otherwise): a ``cachetools``
time-aware LRU whose lifetime is read from the settings on every write."""

import threading
from collections.abc import Callable, Hashable

from cachetools import TLRUCache


class TtlCache:
    """``seconds()`` is read on every write, so settings (and tests) can change the lifetime; 0 or less
    turns caching off. Past ``max_entries`` the least recently used entry goes first."""

    def __init__(self, seconds: Callable[[], float], *, max_entries: int = 1000):
        self._seconds = seconds
        self._entries = TLRUCache(maxsize=max_entries, ttu=lambda _key, _value, now: now + seconds())
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        """The live value for ``key``, or None (always None while the lifetime is 0)."""
        if self._seconds() <= 0:
            return None
        with self._lock:
            return self._entries.get(key)

    def put(self, key: Hashable, value) -> None:
        if self._seconds() <= 0:
            return
        with self._lock:
            self._entries[key] = value

    def clear(self, **_signal_kwargs) -> None:
        """Forget everything (also usable as a signal receiver)."""
        with self._lock:
            self._entries.clear()
