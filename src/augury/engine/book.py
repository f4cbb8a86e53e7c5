"""The order book of one market: one book, priced in YES, with two sides of bids.

Layout. A side is a flat list of price levels indexed by the market grid's step index
(``augury.domain.grid``). The ``bid`` side rests buy-YES orders at their YES price; the
``ask`` side rests buy-NO orders (sell YES) at the YES price ``1 - no_price``. A bid at
``p`` and an ask at ``q`` cross when ``p >= q`` (a YES bid at p and a NO bid at 1-q cross
when their prices sum to $1 or more).

Priority is price, then time: each level is a FIFO deque. Cancelled or fully filled orders
are removed lazily: the level's total drops at once, and the dead entry is skipped (and
popped) when it reaches the head; a level whose total reaches zero is emptied outright.
A level away from the touch may never see its head popped, so once its dead entries
outnumber the live ones (and exceed ``COMPACT_AFTER``) it is rebuilt with the live ones
only: dead entries stay bounded, and memory and snapshots hold only live orders, amortised
O(1) per removal.
An order that will re-enter the book (an amend) is taken out of its queue for real
(``unqueue``), so no stale entry of it can come back to life.
An order keeps its place when only its size goes down; anything else (a price change, a
size increase) re-enters it at the back. Known limit: ``queue_position`` walks the level,
so it is O(orders at that price).

Invariants: ``best_bid`` is the highest index with a non-zero total (or -1), ``best_ask``
the lowest (or ``len(grid)``); a level's total is the sum of its live orders' remaining;
the book is never crossed after a command (``best_bid < best_ask``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from augury.engine.orders import Order

__all__ = ["COMPACT_AFTER", "Book", "Level"]

COMPACT_AFTER = 8  # dead entries a level may carry before compaction is considered


class Level:
    """The orders resting at one price on one side, in time order."""

    __slots__ = ("dead", "orders", "total_c")

    def __init__(self) -> None:
        self.orders: deque[Order] = deque()
        self.total_c = 0
        self.dead = 0  # entries in ``orders`` whose order is no longer live here

    def head(self) -> Order | None:
        """Return the oldest live order, dropping dead entries on the way."""
        orders = self.orders
        while orders:
            order = orders[0]
            if order.live:
                return order
            orders.popleft()
            self.dead -= 1
        return None

    def bury(self) -> None:
        """Count one more dead entry, and compact if they now dominate the queue."""
        self.dead += 1
        self.compact_if_dead()

    def compact_if_dead(self) -> None:
        """Rebuild the queue with its live orders once dead entries outnumber them."""
        if self.dead > COMPACT_AFTER and 2 * self.dead > len(self.orders):
            self.orders = deque(order for order in self.orders if order.live)
            self.dead = 0

    def clear(self) -> None:
        self.orders.clear()
        self.dead = 0


class Book:
    """Both sides of one market's book."""

    __slots__ = ("asks", "best_ask", "best_bid", "bids", "size")

    def __init__(self, size: int) -> None:
        self.size = size
        self.bids: list[Level] = [Level() for _ in range(size)]
        self.asks: list[Level] = [Level() for _ in range(size)]
        self.best_bid = -1
        self.best_ask = size

    def rest(self, order: Order) -> None:
        """Append a live order at the back of its level."""
        idx = order.price_idx
        if order.is_bid:
            level = self.bids[idx]
            if idx > self.best_bid:
                self.best_bid = idx
        else:
            level = self.asks[idx]
            if idx < self.best_ask:
                self.best_ask = idx
        level.orders.append(order)
        level.total_c += order.remaining_c
        order.live = True

    def shrink(self, order: Order, by_c: int) -> None:
        """Lower a resting order's size at its level, keeping its place in the queue."""
        level = self.bids[order.price_idx] if order.is_bid else self.asks[order.price_idx]
        level.total_c -= by_c
        order.remaining_c -= by_c
        if order.remaining_c == 0:
            self.remove(order, already_subtracted=True)

    def remove(
        self, order: Order, *, already_subtracted: bool = False, leaves_entry: bool = True
    ) -> None:
        """Take a resting order out of the book (lazily: its entry dies in place)."""
        idx = order.price_idx
        level = self.bids[idx] if order.is_bid else self.asks[idx]
        if not already_subtracted:
            level.total_c -= order.remaining_c
        order.live = False
        if level.total_c == 0:
            level.clear()
            if order.is_bid and idx == self.best_bid:
                self._retreat_bid()
            elif not order.is_bid and idx == self.best_ask:
                self._retreat_ask()
        elif leaves_entry:
            level.bury()

    def unqueue(self, order: Order) -> None:
        """Take a resting order out of the book *and* its queue, so it can be re-queued.

        Plain ``remove`` leaves a dead entry behind, which is fine for orders that never
        come back; an amended order re-enters the book, and a stale entry of the same
        object would come alive again at its old place.
        """
        level = self.bids[order.price_idx] if order.is_bid else self.asks[order.price_idx]
        if order.live and level.total_c != order.remaining_c:
            level.orders.remove(order)
            self.remove(order, leaves_entry=False)
            level.compact_if_dead()
        else:
            self.remove(order)

    def _retreat_bid(self) -> None:
        idx = self.best_bid
        bids = self.bids
        while idx >= 0 and bids[idx].total_c == 0:
            idx -= 1
        self.best_bid = idx

    def _retreat_ask(self) -> None:
        idx = self.best_ask
        asks = self.asks
        size = self.size
        while idx < size and asks[idx].total_c == 0:
            idx += 1
        self.best_ask = idx

    def levels(self, is_bid: bool) -> Iterator[tuple[int, int]]:
        """Yield ``(index, total_c)`` of non-empty levels, best first."""
        if is_bid:
            for idx in range(self.best_bid, -1, -1):
                total = self.bids[idx].total_c
                if total:
                    yield idx, total
        else:
            for idx in range(self.best_ask, self.size):
                total = self.asks[idx].total_c
                if total:
                    yield idx, total

    def orders_at(self, is_bid: bool, idx: int) -> Iterator[Order]:
        """Yield the live orders of one level in time order."""
        level = self.bids[idx] if is_bid else self.asks[idx]
        return (order for order in level.orders if order.live)

    def queue_position(self, order: Order) -> int:
        """Return the resting size ahead of an order at its price (0 at the front)."""
        ahead = 0
        for other in self.orders_at(order.is_bid, order.price_idx):
            if other is order:
                return ahead
            ahead += other.remaining_c
        raise AssertionError("order is not resting in this book")

    def resting(self) -> Iterator[Order]:
        """Yield every live order, bids then asks, best level first, in time order."""
        for is_bid in (True, False):
            for idx, _ in self.levels(is_bid):
                yield from self.orders_at(is_bid, idx)
