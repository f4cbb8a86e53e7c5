"""An optional response cache with a time-to-live, for public market data only.

Off by default. When a client is given a ``TtlCache``, an unsigned-endpoint GET (markets,
events, series, order books, trades: nothing private) answered within ``ttl_s`` of an
identical earlier GET (same path and query) is served from memory. Private data, writes
and anything signed-only are never cached, so a cache can never show one user another
user's data, and a write is never skipped.

Invariants: at most ``max_entries`` entries (the oldest is evicted first); expiry reads
the injected clock only.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Final

from augury.client.call import Call
from augury.client.clock import NS_PER_S, Clock

__all__ = ["TtlCache"]

_DEFAULT_MAX: Final = 1024


class TtlCache:
    """Decoded responses of public GETs, each kept for ``ttl_s`` seconds."""

    def __init__(self, ttl_s: float, clock: Clock, *, max_entries: int = _DEFAULT_MAX) -> None:
        if ttl_s <= 0 or max_entries <= 0:
            raise ValueError("ttl_s and max_entries must be positive")
        self.ttl_ns = round(ttl_s * NS_PER_S)
        self.clock = clock
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[str, tuple[tuple[str, str], ...]], tuple[int, Any]] = (
            OrderedDict()
        )
        self.hits = 0
        self.misses = 0

    @staticmethod
    def cacheable(call: Call[Any]) -> bool:
        """Whether a call may be cached: a GET of a public (unsigned) endpoint."""
        return call.method == "GET" and not call.signed

    def get(self, call: Call[Any]) -> tuple[bool, Any]:
        """Return ``(True, value)`` for a fresh entry, else ``(False, None)``."""
        key = (call.path, call.query)
        found = self._entries.get(key)
        if found is not None and self.clock.now_ns() - found[0] < self.ttl_ns:
            self.hits += 1
            return True, found[1]
        if found is not None:
            del self._entries[key]
        self.misses += 1
        return False, None

    def put(self, call: Call[Any], value: Any) -> None:
        """Store a decoded response."""
        key = (call.path, call.query)
        self._entries[key] = (self.clock.now_ns(), value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
