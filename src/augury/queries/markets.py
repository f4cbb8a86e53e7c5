"""The read side's record of one market: its listing, lifecycle, statistics and book.

``MarketState`` is built from the ``AddMarket`` command that listed the market and then
follows the engine's events only: ``MarketUpdate`` (lifecycle), ``BookDelta`` (resting
size per level), ``TradeEvent`` (volume, last price) and ``FillEvent`` (open interest).
(open interest follows the positions, see ``LiveIndex``). It never reads engine memory,
so any engine that emits the same events keeps it equal.

Invariants (checked against the engine by ``tests/queries``):

- ``bids_c[i]``/``asks_c[i]`` equal the engine book's level totals at grid step ``i``;
  ``best_bid`` is the highest step with bids (-1 if none), ``best_ask`` the lowest with
  asks (``len(grid)`` if none), as in ``augury.engine.book``.
- ``open_interest_c`` is the number of YES contracts held, i.e. open (YES, NO) pairs: each
  position change moves it by the change of ``max(position, 0)``; settlement sets it to 0.
- Each level keeps its resting orders in queue order (``queue``), so the head of a level
  and an order's place in it are answered without the engine's book.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from augury.domain.enums import MarketStatus
from augury.domain.grid import PriceGrid
from augury.domain.units import ONE_DOLLAR_CC
from augury.engine.events import OrderUpdate
from augury.queries.views import BookView, TopOfBook

__all__ = ["PRE_CLOSE", "MarketState", "due_ns"]

PRE_CLOSE = frozenset({MarketStatus.INITIALIZED, MarketStatus.ACTIVE, MarketStatus.INACTIVE})
_AWAITING_PAYOUT = frozenset({MarketStatus.DETERMINED, MarketStatus.AMENDED})
_NS_PER_S = 1_000_000_000


class MarketState:
    """One market as the read side knows it (implements ``views.MarketView``)."""

    __slots__ = (
        "asks_c",
        "best_ask",
        "best_bid",
        "bids_c",
        "close_ts_ns",
        "created_ns",
        "determined_ns",
        "event_ticker",
        "fractional",
        "grid",
        "last_price_cc",
        "last_trade_ns",
        "lot_c",
        "market_type",
        "meta",
        "open_interest_c",
        "open_ts_ns",
        "queues",
        "result",
        "settled_ns",
        "settlement_timer_s",
        "settlement_value_cc",
        "size",
        "status",
        "step_of",
        "ticker",
        "updated_ns",
        "volume_c",
    )

    def __init__(
        self,
        ticker: str,
        event_ticker: str,
        grid: PriceGrid,
        *,
        fractional: bool,
        open_ts_ns: int,
        close_ts_ns: int,
        settlement_timer_s: int,
        market_type: str,
        meta: Mapping[str, object],
        created_ns: int,
    ) -> None:
        self.ticker = ticker
        self.event_ticker = event_ticker
        self.grid = grid
        self.fractional = fractional
        self.lot_c = 1 if fractional else 100
        self.open_ts_ns = open_ts_ns
        self.close_ts_ns = close_ts_ns
        self.settlement_timer_s = settlement_timer_s
        self.market_type = market_type
        self.meta = meta
        self.status = MarketStatus.INITIALIZED
        self.result = ""
        self.settlement_value_cc: int | None = None
        self.determined_ns: int | None = None
        self.settled_ns: int | None = None
        self.created_ns = created_ns
        self.updated_ns = created_ns
        self.volume_c = 0
        self.open_interest_c = 0
        self.last_price_cc = 0
        self.last_trade_ns = 0
        size = len(grid)
        self.size = size
        # price_cc -> grid step; prices come from the engine's events, so always on the grid.
        self.step_of = {price: step for step, price in enumerate(grid.prices_cc)}.get
        self.bids_c = [0] * size
        self.asks_c = [0] * size
        self.best_bid = -1
        self.best_ask = size
        # (is_bid, step) -> the level's resting orders in queue order (insertion order).
        self.queues: dict[tuple[bool, int], dict[str, OrderUpdate]] = {}

    # --- following events -----------------------------------------------------------------

    def apply_delta(self, is_bid: bool, price_cc: int, delta_c: int) -> None:
        """Move the resting size at one level (a ``BookDelta``)."""
        step = self.step_of(price_cc, -1)
        if is_bid:
            bids = self.bids_c
            total = bids[step] = bids[step] + delta_c
            if total and step > self.best_bid:
                self.best_bid = step
            elif not total and step == self.best_bid:
                while step >= 0 and not bids[step]:
                    step -= 1
                self.best_bid = step
        else:
            asks = self.asks_c
            total = asks[step] = asks[step] + delta_c
            if total and step < self.best_ask:
                self.best_ask = step
            elif not total and step == self.best_ask:
                size = self.size
                while step < size and not asks[step]:
                    step += 1
                self.best_ask = step
        if total < 0:
            raise AssertionError(f"{self.ticker}: level {price_cc} went negative")

    def apply_lifecycle(
        self, ts_ns: int, kind: str, status: str, result: str, value_cc: int | None
    ) -> None:
        """Follow a ``MarketUpdate``."""
        self.status = MarketStatus(status)
        self.result = result
        self.settlement_value_cc = value_cc
        self.updated_ns = ts_ns
        if kind == "determined":
            self.determined_ns = ts_ns
        elif kind == "settled":
            self.settled_ns = ts_ns
            self.open_interest_c = 0

    def enqueue(self, order: OrderUpdate) -> None:
        """Put a resting order at the back of its level's queue."""
        key = (order.side == "bid", self.step_of(order.price_cc, -1))
        queue = self.queues.get(key)
        if queue is None:
            queue = self.queues[key] = {}
        queue[order.order_id] = order

    def requeue_in_place(self, order: OrderUpdate) -> None:
        """Replace a resting order's state, keeping its place in the queue."""
        self.queues[(order.side == "bid", self.step_of(order.price_cc, -1))][order.order_id] = order

    def dequeue(self, order: OrderUpdate) -> None:
        """Take an order (as it was last queued) out of its level's queue."""
        key = (order.side == "bid", self.step_of(order.price_cc, -1))
        queue = self.queues.get(key)
        if queue is not None:
            queue.pop(order.order_id, None)
            if not queue:
                del self.queues[key]

    # --- reads (views.MarketView) ----------------------------------------------------------

    def level_c(self, is_bid: bool, step: int) -> int:
        """Return the resting size at one step of one side."""
        return self.bids_c[step] if is_bid else self.asks_c[step]

    def levels(self, is_bid: bool) -> Iterator[tuple[int, int]]:
        """Yield ``(step, size_c)`` of the non-empty levels of one side, best first."""
        if is_bid:
            bids = self.bids_c
            for step in range(self.best_bid, -1, -1):
                if bids[step]:
                    yield step, bids[step]
        else:
            asks = self.asks_c
            for step in range(self.best_ask, self.size):
                if asks[step]:
                    yield step, asks[step]

    def top_of_book(self) -> TopOfBook:
        """Return the best bid and ask with their sizes (0 / $1 for an empty side)."""
        prices = self.grid.prices_cc
        bid, ask = self.best_bid, self.best_ask
        return TopOfBook(
            prices[bid] if bid >= 0 else 0,
            self.bids_c[bid] if bid >= 0 else 0,
            prices[ask] if ask < self.size else ONE_DOLLAR_CC,
            self.asks_c[ask] if ask < self.size else 0,
        )

    def book(self, depth: int = 0) -> BookView:
        """Return YES bids and NO bids (NO priced on the NO leg), best first."""
        prices = self.grid.prices_cc
        yes = [(prices[step], size) for step, size in self.levels(True)]
        no = [(ONE_DOLLAR_CC - prices[step], size) for step, size in self.levels(False)]
        if depth > 0:
            yes, no = yes[:depth], no[:depth]
        return BookView(yes, no)

    def head_owner(self, is_bid: bool, step: int) -> str | None:
        """Return the user whose order is first in the queue at a level, or None."""
        queue = self.queues.get((is_bid, step))
        if not queue:
            return None
        return next(iter(queue.values())).user_id

    def queue_ahead_c(self, order: OrderUpdate) -> int:
        """Return the resting size ahead of a resting order at its level."""
        queue = self.queues[(order.side == "bid", self.step_of(order.price_cc, -1))]
        ahead = 0
        for other in queue.values():
            if other.order_id == order.order_id:
                return ahead
            ahead += other.remaining_c
        raise AssertionError(f"order {order.order_id} is not queued in {self.ticker}")

    def queued(self) -> Iterator[OrderUpdate]:
        """Yield every resting order as the engine's book lists them: bids then asks,
        best level first, in queue order."""
        for is_bid in (True, False):
            for step, _ in self.levels(is_bid):
                queue = self.queues.get((is_bid, step))
                if queue:
                    yield from queue.values()


def due_ns(market: MarketState) -> int | None:
    """Return when time alone next changes this market (open, close, payout), or None."""
    status = market.status
    if status is MarketStatus.INITIALIZED:
        return market.open_ts_ns
    if status in PRE_CLOSE:
        return market.close_ts_ns
    if status in _AWAITING_PAYOUT and market.determined_ns:
        return market.determined_ns + market.settlement_timer_s * _NS_PER_S
    return None
