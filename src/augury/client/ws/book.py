"""A local order book per market, kept from ``orderbook_snapshot`` and ``orderbook_delta``.

The book mirrors Kalshi's REST view exactly: two lists of bids, YES bids at YES prices and
NO bids at NO prices (``use_yes_price`` off, the default), sizes in centi-contracts. A
snapshot replaces the book; a delta adds its signed ``delta_fp`` at its price and removes
the level when it reaches zero. ``as_rest()`` renders the book as ``GET
/markets/{t}/orderbook`` does (ascending, best bid last), so a test or a bot can compare
the two directly.

Invariant: no level ever holds zero or a negative size (a delta that would make it
negative marks the book ``broken``: the caller must resync from a snapshot).
"""

from __future__ import annotations

from typing import Any

from augury.client.units import count_c, count_str, dollars_cc, dollars_str

__all__ = ["LocalBook"]


class LocalBook:
    """YES bids and NO bids of one market: ``{price_cc: size_c}`` per side."""

    __slots__ = ("broken", "no", "ready", "ticker", "yes")

    def __init__(self, ticker: str) -> None:
        self.ticker = ticker
        self.yes: dict[int, int] = {}
        self.no: dict[int, int] = {}
        self.ready = False  # False until a snapshot arrives (and after a gap)
        self.broken = False

    def apply_snapshot(self, msg: dict[str, Any]) -> None:
        """Replace the book with a snapshot's levels (an absent side is empty)."""
        self.yes = {dollars_cc(p): count_c(s) for p, s in msg.get("yes_dollars_fp") or []}
        self.no = {dollars_cc(p): count_c(s) for p, s in msg.get("no_dollars_fp") or []}
        self.ready = True
        self.broken = False

    def apply_delta(self, msg: dict[str, Any]) -> None:
        """Add one delta to its level."""
        side = self.yes if msg["side"] == "yes" else self.no
        price = dollars_cc(msg["price_dollars"])
        size = side.get(price, 0) + count_c(msg["delta_fp"])
        if size > 0:
            side[price] = size
        else:
            side.pop(price, None)
            if size < 0:
                self.broken = True

    def set_levels(self, yes: dict[int, int], no: dict[int, int]) -> None:
        """Replace the book with integer levels (a recorded or simulated snapshot)."""
        self.yes, self.no = dict(yes), dict(no)
        self.ready, self.broken = True, False

    def add(self, side: str, price_cc: int, delta_c: int) -> None:
        """Add an integer delta to a level (a recorded or simulated delta)."""
        levels = self.yes if side == "yes" else self.no
        size = levels.get(price_cc, 0) + delta_c
        if size > 0:
            levels[price_cc] = size
        else:
            levels.pop(price_cc, None)
            self.broken = self.broken or size < 0

    def mid_cc(self) -> int | None:
        """Return the YES mid price (integer centi-cents, rounded down), if both sides exist."""
        bid, ask = self.best_yes_bid_cc(), self.best_yes_ask_cc()
        if bid is None or ask is None:
            return None
        return (bid + ask) // 2

    def invalidate(self) -> None:
        """Forget the book until the next snapshot (after a gap or a reconnect)."""
        self.ready = False

    def best_yes_bid_cc(self) -> int | None:
        """Return the best YES bid, or None."""
        return max(self.yes) if self.yes else None

    def best_yes_ask_cc(self) -> int | None:
        """Return the best YES ask (one dollar minus the best NO bid), or None."""
        return 10_000 - max(self.no) if self.no else None

    def as_rest(self) -> tuple[list[list[str]], list[list[str]]]:
        """Return ``(yes_dollars, no_dollars)`` as the REST order book renders them."""

        def side(levels: dict[int, int]) -> list[list[str]]:
            return [[dollars_str(p), count_str(levels[p])] for p in sorted(levels)]

        return side(self.yes), side(self.no)
