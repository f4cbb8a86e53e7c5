"""The Strategy API: five callbacks and a context to act through.

A strategy reacts to ``on_start``, ``on_book`` (a market's book changed), ``on_trade``,
``on_fill`` (one of its own orders filled) and ``on_timer`` (every ``timer_ns``). It acts
only through :class:`BotContext`: place or cancel orders, read its position and the
book, and ``log`` its reasoning. Every action goes through the runner's risk gate, so a
strategy cannot exceed the limits whatever it asks. A strategy that states probabilities
implements ``forecast_cc`` (its YES probability in centi-cents); backtests score those with
the Brier score.
"""

from __future__ import annotations

from typing import Any, Protocol

from augury.client.sim.events import Trade
from augury.client.sim.fillmodel import SimFill
from augury.client.ws.book import LocalBook

__all__ = ["BotContext", "Strategy"]


class BotContext(Protocol):
    """What a strategy can see and do."""

    now_ns: int
    # True when the observed book contains the strategy's own resting orders (live), False
    # when it does not (paper and backtests: simulated orders never enter the real book).
    own_orders_in_book: bool

    def place(
        self,
        ticker: str,
        side: str,
        price_cc: int,
        count_c: int,
        time_in_force: str = "good_till_canceled",
        reason: str = "",
    ) -> str | None:
        """Place an order; return its client_order_id, or None if risk refused it."""
        ...

    def cancel(self, client_order_id: str, reason: str = "") -> None:
        """Cancel one of the strategy's orders."""
        ...

    def cancel_all(self, reason: str = "") -> None:
        """Cancel every resting order."""
        ...

    def position_c(self, ticker: str) -> int:
        """Return the position from real fills (+YES / -NO, centi-contracts)."""
        ...

    def resting(self, ticker: str) -> list[tuple[str, str, int, int]]:
        """Return resting orders as (client_order_id, side, price_cc, remaining_c)."""
        ...

    def book(self, ticker: str) -> LocalBook:
        """Return the market's observed book."""
        ...

    def others_book(self, ticker: str) -> LocalBook:
        """Return the observed book without the strategy's own resting orders."""
        ...

    def log(self, decision: str, **fields: Any) -> None:
        """Write a structured decision record."""
        ...


class Strategy:
    """Base class: override what you need; every callback defaults to doing nothing."""

    name = "strategy"
    timer_ns = 30 * 1_000_000_000

    def on_start(self, ctx: BotContext) -> None:
        """Called once before any market event."""

    def on_book(self, ctx: BotContext, ticker: str) -> None:
        """Called after a market's book changed."""

    def on_trade(self, ctx: BotContext, trade: Trade) -> None:
        """Called for every public trade."""

    def on_fill(self, ctx: BotContext, fill: SimFill) -> None:
        """Called when one of this strategy's orders filled."""

    def on_timer(self, ctx: BotContext) -> None:
        """Called every ``timer_ns``."""

    def forecast_cc(self, ticker: str) -> int | None:
        """Return this strategy's YES probability (centi-cents), if it states one."""
        return None
