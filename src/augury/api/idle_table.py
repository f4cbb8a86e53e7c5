"""A bounded table of per-subject state that forgets entries once they are idle.

The rate limiter's per-address buckets and ``AuthGuard``'s failure budgets are token
buckets keyed by who sent a request. A bucket that has refilled to capacity answers
exactly as a missing one would, so it can be forgotten; one still short of tokens must
be kept, or an attacker would get a fresh burst by waiting out a sweep.

Invariants:
    - At most ``entries_max`` entries; ``put`` makes its key the most recently used and
      drops the least recently used past the cap (the dict's order is recency).
    - ``sweep(now_ns)`` does its work at most once every ``SWEEP_INTERVAL_NS`` on the
      injected clock (a clock that steps back runs it again) and removes exactly the
      entries the ``idle`` predicate names, keeping the others' order.
    - A dict keeps its table size after deletes, so when a sweep leaves the table under a
      quarter of its peak it is rebuilt at its new size: what an attack from many
      addresses left behind goes once its buckets have refilled.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Final, Generic, TypeVar

__all__ = ["SWEEP_INTERVAL_NS", "IdleTable"]

# How often (injected clock) the tables forget entries whose bucket is full.
SWEEP_INTERVAL_NS: Final = 10 * 1_000_000_000

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class IdleTable(Generic[K, V]):
    """Entries by key, least recently used first, bounded, idle ones swept."""

    __slots__ = ("_entries", "_idle", "_peak", "_swept_ns", "entries_max")

    def __init__(self, entries_max: int, idle: Callable[[K, V, int], bool]) -> None:
        self.entries_max = entries_max
        self._idle = idle  # (key, value, now_ns) -> whether a new entry would answer the same
        self._entries: dict[K, V] = {}
        self._swept_ns: int | None = None
        self._peak = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> V | None:
        """The entry of ``key`` (its recency unchanged), or None."""
        return self._entries.get(key)

    def pop(self, key: K) -> V | None:
        """Remove and return the entry of ``key``, or None."""
        return self._entries.pop(key, None)

    def put(self, key: K, value: V) -> None:
        """Store ``value`` as the most recently used entry; drop the oldest past the cap."""
        entries = self._entries
        entries.pop(key, None)
        entries[key] = value
        while len(entries) > self.entries_max:
            del entries[next(iter(entries))]
        self._peak = max(self._peak, len(entries))

    def sweep(self, now_ns: int) -> None:
        """Forget the idle entries, if the last sweep is ``SWEEP_INTERVAL_NS`` old."""
        swept = self._swept_ns
        if swept is not None and 0 <= now_ns - swept < SWEEP_INTERVAL_NS:
            return
        self._swept_ns = now_ns
        entries, idle = self._entries, self._idle
        for key in [key for key, value in entries.items() if idle(key, value, now_ns)]:
            del entries[key]
        if len(entries) * 4 < self._peak:
            self._entries = dict(entries)  # same order: least recently used first
            self._peak = len(entries)
