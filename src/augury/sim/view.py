"""The simulated client's view of the exchange, built only from the events it was sent.

The workload decides what to send next from this view, never from the engine's state, so
a change the engine made without announcing it shows up as a disagreement between the
view and the state (``augury.sim.runner`` checks that at every audit).
"""

from __future__ import annotations

import random

from augury.domain.grid import GRIDS
from augury.engine.events import OrderUpdate

__all__ = ["LiveOrder", "LiveSet", "SimMarket"]


class LiveOrder:
    """An order the workload believes is resting (from its last OrderUpdate)."""

    __slots__ = ("fill_c", "is_bid", "order_id", "price_cc", "remaining_c", "sub", "ticker", "user")

    def __init__(self, e: OrderUpdate) -> None:
        self.order_id = e.order_id
        self.user = e.user_id
        self.sub = e.subaccount
        self.ticker = e.ticker
        self.is_bid = e.side == "bid"
        self.price_cc = e.price_cc
        self.fill_c = e.fill_c
        self.remaining_c = e.remaining_c


class SimMarket:
    """A market as the workload sees it, with a drifting fair price (a grid index)."""

    __slots__ = ("fair", "lot_c", "prices", "status", "step", "ticker", "timer_s")

    def __init__(self, ticker: str, structure: str, fractional: bool, fair: int) -> None:
        self.ticker = ticker
        self.prices = GRIDS[structure].prices_cc
        self.lot_c = 1 if fractional else 100
        self.step = 3 if structure == "deci_cent" else 1
        self.fair = fair
        self.status = "initialized"
        self.timer_s = 0


class LiveSet:
    """Resting orders by id, with O(1) uniform random choice (list + position map)."""

    __slots__ = ("ids", "orders", "pos")

    def __init__(self) -> None:
        self.orders: dict[str, LiveOrder] = {}
        self.ids: list[str] = []
        self.pos: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def put(self, live: LiveOrder) -> None:
        if live.order_id not in self.orders:
            self.pos[live.order_id] = len(self.ids)
            self.ids.append(live.order_id)
        self.orders[live.order_id] = live

    def drop(self, order_id: str) -> None:
        if self.orders.pop(order_id, None) is None:
            return
        at = self.pos.pop(order_id)
        last = self.ids.pop()
        if last != order_id:
            self.ids[at] = last
            self.pos[last] = at

    def pick(self, rng: random.Random) -> LiveOrder | None:
        if not self.ids:
            return None
        return self.orders[self.ids[rng.randrange(len(self.ids))]]


# --- the generator ---------------------------------------------------------------------
