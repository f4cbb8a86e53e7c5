"""Simulated market makers: two-sided, several levels deep, skewed by inventory.

A maker keeps a *belief* per market that follows the truth's fair probability with a lag
(``lag`` of the gap closes each round), so after a jump its quotes are stale for a few
seconds and informed traders can pick them off, as on a real exchange. Around the
belief it sets a reservation price shifted against its inventory (long YES: quote lower,
to sell), then quotes ``levels`` bids below and asks above it, ``gap`` grid steps apart,
with sizes growing with depth; in fast markets (short-dated, near the money, where the
fair price moves by ``speed_cc`` a second) it quotes wider. It stops adding to a side once
its position reaches ``max_position_c``.

Requoting is incremental: orders already resting at a wanted price with at least half the
wanted size stay (keeping their queue place); the others are cancelled and the missing
levels placed, cancels first, in one batch per round. A maker looks at each market every
``every`` rounds, and requotes only when its reservation price has moved ``requote_cc``
since its last quotes, or when its orders there changed (a fill, a cancel by the
exchange, reported by the runner through ``dirty``; then it only refills around the same
centre).

Makers read engine memory (their orders, positions and the grid) like a client reads its
own portfolio, and only ever change anything through ordinary commands.
"""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from augury.demo.view import MarketView
from augury.engine import commands as c
from augury.engine.events import OrderUpdate
from augury.engine.exchange import Exchange, Outcome
from augury.engine.orders import Order

__all__ = ["MakerStyle", "MarketMaker"]

_LOT_C = 100


@dataclass(frozen=True, slots=True)
class MakerStyle:
    """How one maker quotes."""

    half_spread_cc: int  # from the reservation price to the best quote on each side
    levels: int
    gap: int  # grid steps between levels
    size_c: int  # size of the best level; level i is (1 + i) times as large
    skew_cc_per_contract: float
    max_position_c: int
    lag: float  # fraction of the distance to the truth closed at each look
    every: int = 1  # rounds between two looks at one market
    requote_cc: int = 100  # how far the reservation price moves before quotes follow
    categories: frozenset[str] | None = None  # None: every market


class MarketMaker:
    """One market-making account."""

    def __init__(
        self, user_id: str, style: MakerStyle, exchange: Exchange, rng: random.Random
    ) -> None:
        self.user_id = user_id
        self.style = style
        self.exchange = exchange
        self.rng = rng
        self.orders: dict[str, set[str]] = {}
        self.belief: dict[str, float] = {}
        self.quoted: dict[str, float] = {}
        self.dirty: set[str] = set()
        self._rounds = 0

    def adopt(self) -> None:
        """Take over the orders this account already rests (after a restart)."""
        for order in self.exchange.orders.values():
            if order.key == (self.user_id, 0):
                self.orders.setdefault(order.ticker, set()).add(order.order_id)

    def plan(self, t_ns: int, views: list[MarketView]) -> list[c.Single]:
        """Return this round's cancels and new quotes."""
        del t_ns  # makers react to the truth and their fills, not to the hour
        style = self.style
        dirty = self.dirty
        turn = self._rounds % style.every
        items: list[c.Single] = []
        for i, view in enumerate(views):
            ticker = view.ticker
            if i % style.every != turn and ticker not in dirty and ticker in self.quoted:
                continue  # a maker looks at each market once every ``every`` rounds
            if style.categories is not None and view.category not in style.categories:
                continue
            belief = self.belief.get(ticker, view.fair)
            belief += style.lag * (view.fair - belief)
            self.belief[ticker] = belief
            position = self._position(ticker)
            reservation = belief * 10_000 - style.skew_cc_per_contract * position / _LOT_C
            last = self.quoted.get(ticker)
            # Fast markets (short-dated, near the money) get wider, less fidgety quotes.
            if last is not None and abs(reservation - last) < style.requote_cc + 2 * view.speed_cc:
                if ticker not in dirty:
                    continue
                # Only refill what was taken, around the same centre: no needless churn.
                reservation = last
            else:
                self.quoted[ticker] = reservation
            items += self._requote(view, reservation, position)
        dirty.clear()
        self._rounds += 1
        if self._rounds % 64 == 0:
            self._forget({view.ticker for view in views})
        return items

    def settle(self, items: list[c.Single], outcomes: Sequence[Outcome[object]]) -> None:
        """Record the ids of the quotes that now rest."""
        for item, outcome in zip(items, outcomes, strict=True):
            if (
                isinstance(item, c.PlaceOrder)
                and outcome.ok
                and isinstance(outcome.value, OrderUpdate)
            ):
                update = outcome.value
                if update.status == "resting" and update.remaining_c > 0:
                    self.orders.setdefault(item.ticker, set()).add(update.order_id)

    # --- quoting --------------------------------------------------------------------------

    def _position(self, ticker: str) -> int:
        position = self.exchange.ledger.peek_position((self.user_id, 0), ticker)
        return position.position_c if position is not None else 0

    def _wanted(
        self, view: MarketView, reservation: float, position: int
    ) -> dict[tuple[bool, int], int]:
        style = self.style
        prices = view.market.grid.prices_cc
        top = len(prices) - 1
        half = style.half_spread_cc + 1.5 * view.speed_cc
        bid = min(max(bisect_right(prices, reservation - half) - 1, 0), top - 1)
        ask = max(min(bisect_left(prices, reservation + half), top), 1)
        if bid >= ask:
            bid, ask = (ask - 1, ask) if ask >= 1 else (0, 1)
        wanted: dict[tuple[bool, int], int] = {}
        for i in range(style.levels):
            size = style.size_c * (1 + i)
            # A little variety in size, whole contracts only.
            size = max(
                _LOT_C, (size + self.rng.randrange(-size // 4, size // 4 + 1)) // _LOT_C * _LOT_C
            )
            if position < style.max_position_c and bid - i * style.gap >= 0:
                wanted[(True, bid - i * style.gap)] = size
            if position > -style.max_position_c and ask + i * style.gap <= top:
                wanted[(False, ask + i * style.gap)] = size
        return wanted

    def _requote(self, view: MarketView, reservation: float, position: int) -> list[c.Single]:
        wanted = self._wanted(view, reservation, position)
        ids = self.orders.setdefault(view.ticker, set())
        live: list[Order] = []
        for order_id in list(ids):
            order = self.exchange.orders.get(order_id)
            if order is None:
                ids.discard(order_id)
            else:
                live.append(order)
        cancels: list[c.Single] = []
        kept: set[tuple[bool, int]] = set()
        for order in sorted(live, key=lambda o: o.order_id):
            key = (order.is_bid, order.price_idx)
            size = wanted.get(key)
            if size is not None and key not in kept and order.remaining_c * 2 >= size:
                kept.add(key)
            else:
                cancels.append(c.CancelOrder(user_id=self.user_id, order_id=order.order_id))
                ids.discard(order.order_id)
        prices = view.market.grid.prices_cc
        places: list[c.Single] = [
            c.PlaceOrder(
                user_id=self.user_id,
                ticker=view.ticker,
                side="bid" if is_bid else "ask",
                price_cc=prices[idx],
                count_c=size,
                time_in_force="good_till_canceled",
            )
            for (is_bid, idx), size in sorted(wanted.items())
            if (is_bid, idx) not in kept
        ]
        return cancels + places

    def _forget(self, active: set[str]) -> None:
        for table in (self.belief, self.quoted, self.orders):
            for ticker in [t for t in table if t not in active]:
                del table[ticker]
