"""Order groups: a contracts limit over a rolling 15-second window.

Every fill of an order in a group adds its size to the group's window. When the matched
size within the last 15 seconds reaches the group's ``contracts_limit``, the group
*triggers*: all its resting orders are cancelled and it accepts no new order until it is
reset. ``trigger`` does the same on demand, ``reset`` re-arms the group and empties the
window, ``delete`` cancels the orders and forgets the group. A group without a limit only
collects orders (so they can be cancelled together).
"""

from __future__ import annotations

from collections import deque

__all__ = ["WINDOW_NS", "OrderGroup"]

WINDOW_NS = 15 * 1_000_000_000


class OrderGroup:
    """One order group and its rolling window of matched size."""

    __slots__ = (
        "created_ns",
        "group_id",
        "key",
        "limit_c",
        "orders",
        "triggered",
        "window",
        "window_c",
    )

    def __init__(
        self, group_id: str, key: tuple[str, int], limit_c: int | None, ts_ns: int
    ) -> None:
        self.group_id = group_id
        self.key = key
        self.limit_c = limit_c
        self.triggered = False
        self.orders: dict[str, None] = {}  # live member order ids, in insertion order
        self.window: deque[tuple[int, int]] = deque()
        self.window_c = 0
        self.created_ns = ts_ns

    def record_fill(self, count_c: int, ts_ns: int) -> bool:
        """Add a matched size to the window; return True when the limit is now reached."""
        self.window.append((ts_ns, count_c))
        self.window_c += count_c
        self._expire(ts_ns)
        return self.limit_c is not None and self.window_c >= self.limit_c

    def _expire(self, ts_ns: int) -> None:
        horizon = ts_ns - WINDOW_NS
        window = self.window
        while window and window[0][0] <= horizon:
            self.window_c -= window.popleft()[1]

    def reset(self) -> None:
        """Re-arm the group with an empty window."""
        self.triggered = False
        self.window.clear()
        self.window_c = 0
