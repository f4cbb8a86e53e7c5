"""The engine's time-ordered index of what time alone will change.

A ``Tick`` only has work where something is due: an order whose expiration has come, or a
market whose next lifecycle step (open, close, finalize after the settlement timer) has.
``DueQueue`` keeps keys by due time so a tick takes exactly the due keys, in O(k log n)
for k due among n, instead of scanning every market and expiring order.

It is a mapping ``key -> due time`` (the truth) beside a binary heap of ``(due, key)``
entries with lazy deletion: changing or removing a key leaves its old heap entry behind,
and an entry counts only while the mapping still holds exactly that time for its key.

Invariants: every key in the mapping has a heap entry with its current due time;
``take_due(t)`` removes and returns exactly the keys whose due time is at or before ``t``
(each once, in no particular order: callers sort by what their contract orders by); stale
entries never outnumber live ones by more than ``_SLACK`` plus twice the live count (the
heap is rebuilt from the mapping when they would). The index is derived state: snapshots
do not carry it; loading rebuilds it (``engine/snapshot.py``).

The exchange keeps two (``engine/exchange.py``): ``expiring`` (order id -> expiration) and
``market_due`` (ticker -> the time of the market's next step, ``market_due_ns``).
"""

from __future__ import annotations

import heapq
from collections.abc import ItemsView, Iterator, KeysView, ValuesView
from typing import TYPE_CHECKING, Generic, TypeVar

from augury.domain.enums import MarketStatus

if TYPE_CHECKING:
    from augury.engine.market import Market

__all__ = ["DueQueue", "market_due_ns"]

K = TypeVar("K", bound=str)

_SLACK = 1024
_NS_PER_S = 1_000_000_000
_DETERMINED = (MarketStatus.DETERMINED, MarketStatus.AMENDED)


def market_due_ns(market: Market) -> int | None:
    """When ``lifecycle.advance_market`` next has something to do for the market (None:
    never, until a command changes it). Mirrors ``advance_market``'s conditions exactly:
    an initialized market opens at its open time and (being before its close) closes at its
    close time, an open or paused one closes at its close time, a determined or amended one
    finalizes when its settlement timer has run."""
    status = market.status
    if status is MarketStatus.INITIALIZED:
        return min(market.open_ts_ns, market.close_ts_ns)
    if status is MarketStatus.ACTIVE or status is MarketStatus.INACTIVE:
        return market.close_ts_ns
    if status in _DETERMINED and market.determined_ns is not None:
        return market.determined_ns + market.settlement_timer_s * _NS_PER_S
    return None


class DueQueue(Generic[K]):
    """Keys by due time, earliest first; reads like a ``dict[K, int]``."""

    __slots__ = ("_due", "_heap")

    def __init__(self) -> None:
        self._due: dict[K, int] = {}
        self._heap: list[tuple[int, K]] = []

    # --- the mapping --------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._due)

    def __contains__(self, key: object) -> bool:
        return key in self._due

    def __iter__(self) -> Iterator[K]:
        return iter(self._due)

    def __getitem__(self, key: K) -> int:
        return self._due[key]

    def get(self, key: K, default: int | None = None) -> int | None:
        return self._due.get(key, default)

    def keys(self) -> KeysView[K]:
        return self._due.keys()

    def values(self) -> ValuesView[int]:
        return self._due.values()

    def items(self) -> ItemsView[K, int]:
        return self._due.items()

    def __setitem__(self, key: K, due_ns: int) -> None:
        due = self._due
        if due.get(key) == due_ns:
            return  # its heap entry is already there
        due[key] = due_ns
        heapq.heappush(self._heap, (due_ns, key))
        if len(self._heap) > _SLACK + 3 * len(due):
            self._rebuild()

    def pop(self, key: K, default: int | None = None) -> int | None:
        """Forget the key (its heap entry goes stale); return its due time."""
        found = self._due.pop(key, default)
        if len(self._heap) > _SLACK + 3 * len(self._due):
            self._rebuild()
        return found

    def set(self, key: K, due_ns: int | None) -> None:
        """Make ``due_ns`` the key's due time (None: nothing is due for it)."""
        if due_ns is None:
            self.pop(key)
        else:
            self[key] = due_ns

    # --- time ---------------------------------------------------------------------------

    def take_due(self, now_ns: int) -> list[K]:
        """Remove and return every key due at or before ``now_ns`` (unordered)."""
        heap, due = self._heap, self._due
        taken: list[K] = []
        while heap and heap[0][0] <= now_ns:
            ts, key = heapq.heappop(heap)
            if due.get(key) == ts:
                del due[key]  # a duplicate entry of the same time is stale from here on
                taken.append(key)
        return taken

    def heap_entries(self) -> list[tuple[int, K]]:
        """The heap's entries, stale ones included (for the auditor)."""
        return list(self._heap)

    def _rebuild(self) -> None:
        self._heap = [(ts, key) for key, ts in self._due.items()]
        heapq.heapify(self._heap)
