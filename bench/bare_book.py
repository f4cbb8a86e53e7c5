"""A bare pure-Python order book: the yardstick the engine figures are printed beside.

Price-time priority on one YES-priced book per market, the maker's price, self-trade
prevention ``taker_at_cross`` and immediate-or-cancel; no ledger, no collateral, no fees, no
events, no validation. It takes the benchmark's own command stream (``PlaceOrder``,
``CancelOrder``, ``AmendOrder``) and numbers orders, trades and fills exactly as the engine
does, so the stream's order ids name the same orders here (an amend always re-queues,
so queues can drift from the engine's; the work per command is the same kind). What it
costs is what matching alone costs in Python; the gap to the engine is the price of
everything else.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from augury.engine import commands as c

__all__ = ["BareBook"]


class _Order:
    __slots__ = ("live", "price", "remaining", "user")

    def __init__(self, user: str, price: int, remaining: int) -> None:
        self.user, self.price, self.remaining, self.live = user, price, remaining, True


class _Market:
    __slots__ = ("asks", "bids")

    def __init__(self) -> None:
        self.bids: dict[int, deque[_Order]] = {}
        self.asks: dict[int, deque[_Order]] = {}


class BareBook:
    """Matching only: see the module docstring."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.counter = 0
        self.markets: dict[str, _Market] = {}
        self.orders: dict[str, tuple[str, bool, _Order]] = {}

    def _id(self) -> str:
        self.counter += 1
        return f"{self.prefix}-0001-4000-8000-{self.counter:012x}"

    def apply(self, cmd: Any) -> None:
        kind = type(cmd)
        if kind is c.PlaceOrder:
            self.place(
                cmd.user_id,
                cmd.ticker,
                cmd.side == "bid",
                cmd.price_cc,
                cmd.count_c,
                cmd.time_in_force == "immediate_or_cancel",
            )
        elif kind is c.CancelOrder:
            self.cancel(cmd.order_id)
        elif kind is c.AmendOrder:
            entry = self.orders.get(cmd.order_id)
            if entry is not None:
                ticker, is_bid, order = entry
                self.cancel(cmd.order_id)
                self._match_and_rest(
                    cmd.order_id, ticker, is_bid, order.user, cmd.price_cc, order.remaining, False
                )
        elif kind is c.AddMarket:
            self.markets[cmd.ticker] = _Market()

    def place(
        self, user: str, ticker: str, is_bid: bool, price: int, count: int, ioc: bool
    ) -> None:
        self._match_and_rest(self._id(), ticker, is_bid, user, price, count, ioc)

    def cancel(self, order_id: str) -> None:
        entry = self.orders.pop(order_id, None)
        if entry is not None:
            entry[2].live = False

    def _match_and_rest(
        self, order_id: str, ticker: str, is_bid: bool, user: str, price: int, count: int, ioc: bool
    ) -> None:
        market = self.markets[ticker]
        other = market.asks if is_bid else market.bids
        while count and other:
            best = min(other) if is_bid else max(other)
            if (best > price) if is_bid else (best < price):
                break
            queue = other[best]
            while queue and not queue[0].live:
                queue.popleft()
            if not queue:
                del other[best]
                continue
            maker = queue[0]
            if maker.user == user:
                return  # taker_at_cross: the rest of the taker is cancelled
            take = min(count, maker.remaining)
            self.counter += 3  # a trade id and two fill ids, as the engine numbers them
            count -= take
            maker.remaining -= take
            if maker.remaining == 0:
                maker.live = False
                queue.popleft()
        if count and not ioc:
            order = _Order(user, price, count)
            side = market.bids if is_bid else market.asks
            side.setdefault(price, deque()).append(order)
            self.orders[order_id] = (ticker, is_bid, order)
