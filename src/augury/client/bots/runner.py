"""The bot runner: feeds events to a strategy, guards its orders, books its fills.

``Runner.on_event`` is synchronous and deterministic (no clock, no randomness: time is the
event's ``ts_ns``, order ids come from a counter), so the same runner drives a backtest
byte for byte, a paper bot on a live feed, and a live bot (``bots.live``). For each event:

1. update the observed book (or settle a market on a lifecycle event);
2. hand the event to the broker, which may fill simulated orders; book each fill in the
   ledger and tell the strategy (``on_fill``);
3. call the strategy (``on_book`` / ``on_trade``) and the timer when it is due.

Every order a strategy asks for passes the ``RiskGate``; every decision, refusal, fill
and settlement is a structured record in the ``DecisionLog``. ``stop()`` cancels every
resting order: a bot never leaves orders behind on a clean shutdown or a kill.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import IO, Any, Protocol

from augury.client.bots.risk import RiskGate, RiskLimits
from augury.client.bots.strategy import Strategy
from augury.client.sim.events import BookDelta, BookSnapshot, Event, Lifecycle, Trade
from augury.client.sim.fillmodel import ONE_CC, SimFill, SimOrder
from augury.client.sim.ledger import Ledger
from augury.client.ws.book import LocalBook

__all__ = ["Broker", "DecisionLog", "Runner"]

NS_PER_DAY = 86_400 * 1_000_000_000
_MAX_ROUNDS = 100


class Broker(Protocol):
    """Where orders go: the fill model (paper, backtest) or the exchange (live)."""

    def submit(self, order: SimOrder, ts_ns: int) -> None: ...

    def cancel(self, client_order_id: str, ts_ns: int) -> None: ...

    def on_event(self, event: Event) -> list[SimFill]: ...

    def advance(self, ts_ns: int) -> list[SimFill]: ...

    def resting(self, ticker: str | None = None) -> list[SimOrder]: ...


class DecisionLog:
    """Structured decision records: kept in memory and, when given, written as JSON lines."""

    def __init__(self, out: IO[str] | None = None, *, keep: bool = True) -> None:
        self.out = out
        self.keep = keep
        self.records: list[dict[str, Any]] = []

    def write(self, record: dict[str, Any]) -> None:
        """Record one decision."""
        if self.keep:
            self.records.append(record)
        if self.out is not None:
            self.out.write(json.dumps(record, sort_keys=True) + "\n")
            self.out.flush()  # a record is visible (tail -f, a crash) as soon as it is made


class Runner:
    """Runs one strategy against one broker (implements the strategy's ``BotContext``)."""

    def __init__(
        self,
        strategy: Strategy,
        broker: Broker,
        *,
        cash_cc: int = 1_000_000,
        limits: RiskLimits | None = None,
        log: DecisionLog | None = None,
        id_prefix: str = "bot",
        on_fill: Callable[[SimFill], None] | None = None,
        own_orders_in_book: bool = False,
    ) -> None:
        self.strategy = strategy
        self.broker = broker
        self.own_orders_in_book = own_orders_in_book
        self.ledger = Ledger(cash_cc)
        self.risk = RiskGate(limits or RiskLimits())
        self.decisions = log or DecisionLog()
        self.books: dict[str, LocalBook] = {}
        self.marks_cc: dict[str, int] = {}
        self.fills: list[SimFill] = []
        self.now_ns = 0
        self.started = False
        self.stopped = False
        self._ids = 0
        self._prefix = id_prefix
        self._next_timer_ns: int | None = None
        self._day = -1
        self._day_start_fine = 0
        self._forecasts: list[tuple[str, int, int]] = []  # (ticker, ts_ns, forecast_cc)
        self._extra_on_fill = on_fill

    # BotContext.

    def place(
        self,
        ticker: str,
        side: str,
        price_cc: int,
        count_c: int,
        time_in_force: str = "good_till_canceled",
        reason: str = "",
    ) -> str | None:
        """Place an order if the risk gate lets it through."""
        if side not in ("bid", "ask") or not 0 < price_cc < ONE_CC or count_c <= 0:
            self.log(
                "refused",
                ticker=ticker,
                side=side,
                price_cc=price_cc,
                count_c=count_c,
                limit="invalid",
                reason=reason,
            )
            return None
        signed = count_c if side == "bid" else -count_c
        position_after = self.position_c(ticker) + signed
        cost = (price_cc if side == "bid" else ONE_CC - price_cc) * count_c // 100
        refused = self.risk.check(
            now_ns=self.now_ns,
            position_after_c=position_after,
            exposure_after_cc=self.exposure_cc() + cost,
            day_pnl_cc=self.day_pnl_cc(),
        )
        if refused is not None:
            self.log(
                "refused",
                ticker=ticker,
                side=side,
                price_cc=price_cc,
                count_c=count_c,
                limit=refused,
                reason=reason,
            )
            if refused == "daily_loss":
                self.stop("daily_loss")
            return None
        self._ids += 1
        coid = f"{self._prefix}-{self._ids}"
        order = SimOrder(coid, ticker, side, price_cc, count_c, time_in_force)
        self.log(
            "place",
            client_order_id=coid,
            ticker=ticker,
            side=side,
            price_cc=price_cc,
            count_c=count_c,
            time_in_force=time_in_force,
            reason=reason,
        )
        self.broker.submit(order, self.now_ns)
        return coid

    def cancel(self, client_order_id: str, reason: str = "") -> None:
        """Cancel one order."""
        self.log("cancel", client_order_id=client_order_id, reason=reason)
        self.broker.cancel(client_order_id, self.now_ns)

    def cancel_all(self, reason: str = "") -> None:
        """Cancel every resting or pending order."""
        for order in self.broker.resting():
            self.cancel(order.client_order_id, reason)

    def position_c(self, ticker: str) -> int:
        """Return the position from fills."""
        found = self.ledger.positions.get(ticker)
        return found.position_c if found is not None else 0

    def resting(self, ticker: str) -> list[tuple[str, str, int, int]]:
        """Return this strategy's resting orders in a market."""
        return [
            (o.client_order_id, o.side, o.price_cc, o.remaining_c)
            for o in self.broker.resting(ticker)
        ]

    def book(self, ticker: str) -> LocalBook:
        """Return the observed book."""
        return self.books.setdefault(ticker, LocalBook(ticker))

    def others_book(self, ticker: str) -> LocalBook:
        """Return the observed book without this strategy's own resting orders."""
        book = self.book(ticker)
        if not self.own_orders_in_book:
            return book
        view = LocalBook(ticker)
        yes, no = dict(book.yes), dict(book.no)
        for order in self.broker.resting(ticker):
            levels, level = (
                (yes, order.price_cc) if order.side == "bid" else (no, ONE_CC - order.price_cc)
            )
            left = levels.get(level, 0) - order.remaining_c
            if left > 0:
                levels[level] = left
            else:
                levels.pop(level, None)
        view.set_levels(yes, no)
        return view

    def log(self, decision: str, **fields: Any) -> None:
        """Write a structured decision record."""
        self.decisions.write(
            {"ts_ns": self.now_ns, "strategy": self.strategy.name, "decision": decision, **fields}
        )

    # Accounting.

    def exposure_cc(self) -> int:
        """Return open positions' cost plus what every resting order could cost."""
        total = sum(p.cost_fine for p in self.ledger.positions.values()) // 100
        for order in self.broker.resting():
            price = order.price_cc if order.side == "bid" else ONE_CC - order.price_cc
            total += price * order.remaining_c // 100
        return total

    def equity_fine(self) -> int:
        """Return cash plus positions marked at the last trade or mid."""
        return self.ledger.equity_fine(self.marks_cc)

    def day_pnl_cc(self) -> int:
        """Return today's P&L (UTC day of the event time)."""
        return (self.equity_fine() - self._day_start_fine) // 100

    # Events.

    def start(self, ts_ns: int) -> None:
        """Start the strategy (once)."""
        self.now_ns = ts_ns
        self.started = True
        self._roll_day(ts_ns)
        self._next_timer_ns = ts_ns + self.strategy.timer_ns
        self.log("start")
        self.strategy.on_start(self)
        self._arrivals()

    def on_event(self, event: Event) -> list[SimFill]:
        """Process one event (see the module docstring); return the fills it caused."""
        if self.stopped:
            return []
        if not self.started:
            self.start(event.ts_ns)
        self.now_ns = event.ts_ns
        self._roll_day(event.ts_ns)
        self._observe(event)
        fills = self.broker.on_event(event)
        for fill in fills:
            self.book_fill(fill)
        if isinstance(event, BookSnapshot | BookDelta):
            self.strategy.on_book(self, event.ticker)
        elif isinstance(event, Trade):
            self.strategy.on_trade(self, event)
        elif isinstance(event, Lifecycle):
            self._lifecycle(event)
        fills += self._arrivals()
        while self._next_timer_ns is not None and event.ts_ns >= self._next_timer_ns:
            self.now_ns = self._next_timer_ns
            self._next_timer_ns += self.strategy.timer_ns
            self._timer()
            fills += self._arrivals()
            self.now_ns = event.ts_ns
        return fills

    def _arrivals(self) -> list[SimFill]:
        """Apply the orders and cancels that have arrived by now (zero latency: at once)."""
        done: list[SimFill] = []
        for _ in range(_MAX_ROUNDS):  # a fill may make the strategy act again
            fills = self.broker.advance(self.now_ns)
            if not fills:
                break
            for fill in fills:
                self.book_fill(fill)
            done += fills
        return done

    def book_fill(self, fill: SimFill) -> None:
        """Book one fill (from the broker, or reconciled from the exchange)."""
        self.ledger.apply(fill)
        self.fills.append(fill)
        self.log(
            "fill",
            fill_id=fill.fill_id,
            client_order_id=fill.client_order_id,
            ticker=fill.ticker,
            side=fill.side,
            yes_price_cc=fill.yes_price_cc,
            count_c=fill.count_c,
            is_taker=fill.is_taker,
            fee_cc=fill.fee_cc,
        )
        if self._extra_on_fill is not None:
            self._extra_on_fill(fill)
        self.strategy.on_fill(self, fill)

    def _timer(self) -> None:
        self.strategy.on_timer(self)
        for ticker in sorted(self.books):
            forecast = self.strategy.forecast_cc(ticker)
            if forecast is not None:
                self._forecasts.append((ticker, self.now_ns, forecast))

    def _observe(self, event: Event) -> None:
        if isinstance(event, BookSnapshot):
            self.book(event.ticker).set_levels(dict(event.yes), dict(event.no))
        elif isinstance(event, BookDelta):
            self.book(event.ticker).add(event.side, event.price_cc, event.delta_c)
        elif isinstance(event, Trade):
            self.marks_cc[event.ticker] = event.yes_price_cc
            return
        else:
            return
        if event.ticker not in self.marks_cc:
            mid = self.book(event.ticker).mid_cc()
            if mid is not None:
                self.marks_cc[event.ticker] = mid

    def _lifecycle(self, event: Lifecycle) -> None:
        if event.event == "settled" or (event.event == "determined" and event.result == "void"):
            payout = self.ledger.settle(event.ticker, event.result, event.value_cc)
            self.log("settle", ticker=event.ticker, result=event.result, payout_fine=payout)
            for order in self.broker.resting(event.ticker):
                self.broker.cancel(order.client_order_id, event.ts_ns)
            final = {"yes": ONE_CC, "no": 0, "scalar": event.value_cc}.get(event.result)
            if final is not None:
                self.marks_cc[event.ticker] = final

    def _roll_day(self, ts_ns: int) -> None:
        day = ts_ns // NS_PER_DAY
        if day != self._day:
            self._day = day
            self._day_start_fine = self.equity_fine()

    def kill(self, reason: str) -> None:
        """The kill switch: refuse every further order and cancel everything."""
        self.risk.kill(reason)
        self.stop(reason)

    def stop(self, reason: str = "stop") -> None:
        """Cancel every resting order and stop (clean shutdown)."""
        if self.stopped:
            return
        open_orders = self.broker.resting()
        for order in open_orders:
            self.broker.cancel(order.client_order_id, self.now_ns)
        self._arrivals()
        self.log("stop", reason=reason, cancelled=len(open_orders))
        self.stopped = True

    @property
    def forecasts(self) -> list[tuple[str, int, int]]:
        """Return every (ticker, ts_ns, forecast_cc) the strategy stated on its timer."""
        return self._forecasts
