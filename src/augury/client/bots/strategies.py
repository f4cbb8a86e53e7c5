"""Strategies a trader starts from: the classic mean-reversion bot and a market maker.

``MeanReversion`` (the bot of the common algorithmic-trading guides): keep the last 20
prices (the mid, or the last trade), and every poll (30 s) buy 10 when the price is below
0.95 x the moving average, sell 10 when it is above 0.98 x, with a position cap of 50.

- ``faithful`` (default) keeps the guides' behaviour, flaws included: its position is
  counted when an order is *sent* (as if every order filled at once), fees are ignored,
  and it sells whenever the price is high, even with nothing to sell.
- ``corrected`` counts its position from real fills, sells only what it holds, and trades
  only when the distance to the average beats the taker fee of the trade.

``MarketMaker`` quotes both sides around the mid, ``half_spread_cc`` away, shifted by
``skew_cc_per_contract`` times its inventory (long inventory lowers both quotes, so it
sells more and buys less), and requotes when its quotes drift from the targets. It states
its fair value (the skewed mid) as a probability, so backtests can score it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from augury.client.bots.strategy import BotContext, Strategy
from augury.client.sim.events import Trade
from augury.client.sim.fees import FeeSchedule
from augury.client.sim.fillmodel import SimFill

__all__ = ["STRATEGIES", "MarketMaker", "MeanReversion"]

C = 100  # centi-contracts per contract


class MeanReversion(Strategy):
    """The classic mean-reversion bot (see the module docstring)."""

    name = "mean_reversion"

    def __init__(
        self,
        ticker: str,
        *,
        corrected: bool = False,
        window: int = 20,
        size: int = 10,
        max_position: int = 50,
        use_last_trade: bool = False,
        fees: FeeSchedule | None = None,
        poll_s: int = 30,
    ) -> None:
        self.ticker = ticker
        self.corrected = corrected
        self.window = window
        self.size_c = size * C
        self.max_position_c = max_position * C
        self.use_last_trade = use_last_trade
        self.fees = fees or FeeSchedule()
        self.timer_ns = poll_s * 1_000_000_000
        self.prices: deque[int] = deque(maxlen=window)
        self.sent_position_c = 0  # the faithful bot's belief
        self.last_trade_cc: int | None = None
        if corrected:
            self.name = "mean_reversion_corrected"

    def on_trade(self, ctx: BotContext, trade: Trade) -> None:
        if trade.ticker == self.ticker:
            self.last_trade_cc = trade.yes_price_cc

    def _price(self, ctx: BotContext) -> int | None:
        if self.use_last_trade:
            return self.last_trade_cc
        return ctx.book(self.ticker).mid_cc()

    def on_timer(self, ctx: BotContext) -> None:
        price = self._price(ctx)
        if price is None:
            ctx.log("skip", reason="no price")
            return
        self.prices.append(price)
        if len(self.prices) < self.window:
            ctx.log("warmup", price_cc=price, samples=len(self.prices))
            return
        average = sum(self.prices) // len(self.prices)
        position = ctx.position_c(self.ticker) if self.corrected else self.sent_position_c
        book = ctx.book(self.ticker)
        if price * 100 < average * 95 and position < self.max_position_c:
            ask = book.best_yes_ask_cc()
            if ask is None:
                return
            edge = average - ask
            fee = self.fees.fee_cc(ask, self.size_c, True) * C // self.size_c
            if self.corrected and edge <= fee:
                ctx.log("hold", reason="edge below fee", edge_cc=edge, fee_cc=fee)
                return
            if ctx.place(
                self.ticker,
                "bid",
                ask,
                self.size_c,
                "immediate_or_cancel",
                reason=f"price {price} < 0.95 x ma {average}",
            ):
                self.sent_position_c += self.size_c
        elif price * 100 > average * 98:
            bid = book.best_yes_bid_cc()
            if bid is None:
                return
            size = self.size_c
            if self.corrected:
                size = min(size, position)
                if size <= 0:
                    ctx.log("hold", reason="nothing to sell")
                    return
            if ctx.place(
                self.ticker,
                "ask",
                bid,
                size,
                "immediate_or_cancel",
                reason=f"price {price} > 0.98 x ma {average}",
            ):
                self.sent_position_c -= size


class MarketMaker(Strategy):
    """A two-sided quoter with inventory skew (see the module docstring)."""

    name = "market_maker"
    timer_ns = 5 * 1_000_000_000

    def __init__(
        self,
        ticker: str,
        *,
        half_spread_cc: int = 200,
        size: int = 5,
        skew_cc_per_contract: int = 10,
        max_inventory: int = 50,
        requote_cc: int = 100,
    ) -> None:
        self.ticker = ticker
        self.half_spread_cc = half_spread_cc
        self.size_c = size * C
        self.skew = skew_cc_per_contract
        self.max_inventory_c = max_inventory * C
        self.requote_cc = requote_cc
        self.fair_cc: int | None = None

    def targets(self, mid_cc: int, inventory_c: int) -> tuple[int, int]:
        """Return (bid, ask) for a mid and an inventory, on the one-cent grid."""
        fair = mid_cc - self.skew * inventory_c // C
        bid = (fair - self.half_spread_cc) // 100 * 100
        ask = -(-(fair + self.half_spread_cc) // 100) * 100
        return max(100, min(bid, 9800)), max(200, min(ask, 9900))

    def on_book(self, ctx: BotContext, ticker: str) -> None:
        if ticker != self.ticker:
            return
        mid = ctx.others_book(ticker).mid_cc()
        if mid is None:
            return
        inventory = ctx.position_c(ticker)
        bid, ask = self.targets(mid, inventory)
        self.fair_cc = mid - self.skew * inventory // C
        resting = ctx.resting(ticker)
        quotes = {side: (coid, price) for coid, side, price, _left in resting}
        for side, target, allowed in (
            ("bid", bid, inventory < self.max_inventory_c),
            ("ask", ask, inventory > -self.max_inventory_c),
        ):
            current = quotes.get(side)
            if current is not None and (abs(current[1] - target) >= self.requote_cc or not allowed):
                ctx.cancel(current[0], reason=f"requote {side} {current[1]} -> {target}")
                current = None
            if current is None and allowed:
                ctx.place(ticker, side, target, self.size_c, reason=f"quote mid {mid}")

    def on_fill(self, ctx: BotContext, fill: SimFill) -> None:
        self.on_book(ctx, fill.ticker)

    def forecast_cc(self, ticker: str) -> int | None:
        return self.fair_cc if ticker == self.ticker else None


# name -> build(ticker, the market's fee schedule). The CLI passes the fees it looked up
# (``bot run``) or that the recording carries (``backtest``).
STRATEGIES: dict[str, Callable[[str, FeeSchedule], Strategy]] = {
    "mean_reversion": lambda ticker, fees: MeanReversion(ticker, fees=fees),
    "mean_reversion_corrected": lambda ticker, fees: MeanReversion(
        ticker, corrected=True, fees=fees
    ),
    "market_maker": lambda ticker, _fees: MarketMaker(ticker),
}
