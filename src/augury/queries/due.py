"""A time-ordered index of what time alone will change: order expiries and market steps.

The lifecycle ticker asks ``next_due_ns()`` every interval; a ``Tick`` command goes to the
sequencer only when something is due. The index is a heap of ``(due_ns, key)`` with lazy
deletion: ``set`` records the key's current due time in a dict and pushes an entry, and
entries whose time no longer matches the dict are dropped when they reach the top. So
``next_due_ns`` costs O(1) amortised and each change O(log n), instead of a scan of every
market and expiring order.

Invariants: ``next_due_ns()`` is the minimum of the current due times (None when there
are none); stale heap entries never outnumber live ones by more than ``_SLACK`` plus
twice the live count (the heap is rebuilt when they would).
"""

from __future__ import annotations

import heapq

__all__ = ["DueIndex"]

_SLACK = 1024


class DueIndex:
    """Due times by key (``("order", id)`` or ``("market", ticker)``), earliest first."""

    __slots__ = ("_due", "_heap")

    def __init__(self) -> None:
        self._due: dict[tuple[str, str], int] = {}
        self._heap: list[tuple[int, tuple[str, str]]] = []

    def __len__(self) -> int:
        return len(self._due)

    def set(self, key: tuple[str, str], due_ns: int | None) -> None:
        """Make ``due_ns`` the key's due time (None: nothing due for it any more)."""
        due = self._due
        if due_ns is None:
            if due.pop(key, None) is not None and len(self._heap) > _SLACK + 3 * len(due):
                self._rebuild()
            return
        if due.get(key) == due_ns:
            return
        due[key] = due_ns
        heapq.heappush(self._heap, (due_ns, key))
        if len(self._heap) > _SLACK + 3 * len(due):
            self._rebuild()

    def next_due_ns(self) -> int | None:
        """Return the earliest due time, or None when nothing is due ever."""
        heap, due = self._heap, self._due
        while heap:
            ts, key = heap[0]
            if due.get(key) == ts:
                return ts
            heapq.heappop(heap)
        return None

    def _rebuild(self) -> None:
        self._heap = [(ts, key) for key, ts in self._due.items()]
        heapq.heapify(self._heap)
