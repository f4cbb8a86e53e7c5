"""THE fill model: how a simulated order fills, shared by paper trading and backtests.

Rules (``FillModel.describe()`` prints them into every report):

1. **Latency.** An order or cancel takes effect ``latency_ns`` after the decision; every
   event up to then is applied first.
2. **Taking.** On arrival an order takes what the observed book offers at its limit or
   better, best price first, at the resting price (a bid at p takes NO bids at ``1 - p`` or
   higher). Liquidity it takes is **consumed**: later simulated orders see the level
   smaller until the real book shrinks by as much.
3. **Resting.** The rest (if ``good_till_canceled``) joins the back of its level: the size
   visible there when it arrives is **ahead** of it. A decrease of the level (a cancel or a
   trade ahead) shrinks ``ahead`` (never below the level's size); an increase joins behind.
4. **Filling a resting order.** A trade at the order's price fills it only for the part of
   the trade beyond ``ahead``; a trade *through* its price (a taker sold YES below our bid)
   fills it up to the trade size at its own price; a new opposite order that crosses it
   (a delta) fills it as maker.
5. **Fees** are the exchange's schedule (``sim.fees``), taker or maker per fill.
6. **Settlement** (``Ledger.settle``): yes/no pay $1 per winning contract, scalar pays the
   value per YES and the rest per NO, void refunds the cost basis.

Determinism: no clock, no randomness; the same events in the same order give the same
fills byte for byte (fill ids are ``client_order_id`` + sequence).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from augury.client.sim.events import BookDelta, BookSnapshot, Event, Trade
from augury.client.sim.fees import FeeSchedule

__all__ = ["FillModel", "SimFill", "SimOrder"]

ONE_CC = 10_000


@dataclass(slots=True)
class SimOrder:
    """A simulated order (``side`` bid buys YES, ask sells YES = buys NO)."""

    client_order_id: str
    ticker: str
    side: str
    price_cc: int
    count_c: int
    time_in_force: str = "good_till_canceled"
    remaining_c: int = 0
    ahead_c: int = 0
    status: str = "pending"  # pending -> resting -> executed | canceled
    fills: int = 0

    def __post_init__(self) -> None:
        self.remaining_c = self.count_c


@dataclass(frozen=True, slots=True)
class SimFill:
    fill_id: str
    client_order_id: str
    ticker: str
    side: str
    yes_price_cc: int
    count_c: int
    is_taker: bool
    fee_cc: int
    ts_ns: int


@dataclass(slots=True)
class _Book:
    yes: dict[int, int] = field(default_factory=dict)
    no: dict[int, int] = field(default_factory=dict)
    used_yes: dict[int, int] = field(default_factory=dict)  # consumed by our takers
    used_no: dict[int, int] = field(default_factory=dict)


class FillModel:
    """Simulated matching against an observed book (see the module docstring)."""

    def __init__(
        self, fees: Callable[[str], FeeSchedule] | FeeSchedule | None = None, latency_ns: int = 0
    ) -> None:
        fixed = fees if isinstance(fees, FeeSchedule) else FeeSchedule()
        self.fees: Callable[[str], FeeSchedule] = (
            fees if callable(fees) and not isinstance(fees, FeeSchedule) else (lambda _t: fixed)
        )
        self.latency_ns = latency_ns
        self.books: dict[str, _Book] = {}
        self.orders: dict[str, SimOrder] = {}
        self._arrivals: list[tuple[int, int, str, str]] = []  # (due, n, kind, coid)
        self._n = 0

    def describe(self) -> str:
        """Return the rules this model applies, for reports."""
        return (
            f"fill model: latency {self.latency_ns / 1e6:g} ms; takers consume the observed "
            "book at their limit (consumed liquidity stays gone); resting orders queue behind "
            "the size visible at arrival and fill only from trades beyond it or through their "
            "price; exchange maker/taker fees; settlement yes/no/scalar/void"
        )

    # Orders.

    def submit(self, order: SimOrder, ts_ns: int) -> None:
        """Send an order; it arrives ``latency_ns`` later."""
        self.orders[order.client_order_id] = order
        self._schedule(ts_ns, "new", order.client_order_id)

    def cancel(self, client_order_id: str, ts_ns: int) -> None:
        """Cancel an order; the cancel arrives ``latency_ns`` later."""
        self._schedule(ts_ns, "cancel", client_order_id)

    def _schedule(self, ts_ns: int, kind: str, coid: str) -> None:
        self._n += 1
        self._arrivals.append((ts_ns + self.latency_ns, self._n, kind, coid))

    def advance(self, ts_ns: int) -> list[SimFill]:
        """Apply every order or cancel that has arrived by ``ts_ns``."""
        fills: list[SimFill] = []
        if not self._arrivals:
            return fills
        self._arrivals.sort()
        while self._arrivals and self._arrivals[0][0] <= ts_ns:
            due, _n, kind, coid = self._arrivals.pop(0)
            order = self.orders.get(coid)
            if order is None or order.status in ("executed", "canceled"):
                continue
            if kind == "cancel":
                order.status = "canceled"
                continue
            fills += self._arrive(order, due)
        return fills

    def _arrive(self, order: SimOrder, ts_ns: int) -> list[SimFill]:
        book = self.books.setdefault(order.ticker, _Book())
        fills: list[SimFill] = []
        if order.side == "bid":  # take NO bids at 1 - p or better (highest NO bid first)
            for q in sorted(book.no, reverse=True):
                if ONE_CC - q > order.price_cc or not order.remaining_c:
                    break
                fills += self._take(order, book.no, book.used_no, q, ONE_CC - q, ts_ns)
        else:  # take YES bids at p or better
            for p in sorted(book.yes, reverse=True):
                if p < order.price_cc or not order.remaining_c:
                    break
                fills += self._take(order, book.yes, book.used_yes, p, p, ts_ns)
        if order.remaining_c and order.time_in_force == "good_till_canceled":
            order.status = "resting"
            own = book.yes if order.side == "bid" else book.no
            level = order.price_cc if order.side == "bid" else ONE_CC - order.price_cc
            order.ahead_c = own.get(level, 0)
        elif order.remaining_c:
            order.status = "canceled"
        return fills

    def _take(
        self,
        order: SimOrder,
        levels: dict[int, int],
        used: dict[int, int],
        level: int,
        yes_price_cc: int,
        ts_ns: int,
    ) -> list[SimFill]:
        available = levels[level] - used.get(level, 0)
        if available <= 0:
            return []
        size = min(available, order.remaining_c)
        used[level] = used.get(level, 0) + size
        return [self._fill(order, yes_price_cc, size, True, ts_ns)]

    def _fill(
        self, order: SimOrder, yes_price_cc: int, size_c: int, taker: bool, ts_ns: int
    ) -> SimFill:
        order.remaining_c -= size_c
        order.fills += 1
        if not order.remaining_c:
            order.status = "executed"
        fee = self.fees(order.ticker).fee_cc(yes_price_cc, size_c, taker)
        return SimFill(
            f"{order.client_order_id}-{order.fills}",
            order.client_order_id,
            order.ticker,
            order.side,
            yes_price_cc,
            size_c,
            taker,
            fee,
            ts_ns,
        )

    def resting(self, ticker: str | None = None) -> list[SimOrder]:
        """Return the open orders, pending arrival or resting (one market, or all), oldest first."""
        return [
            o
            for o in self.orders.values()
            if o.status in ("pending", "resting") and (ticker is None or o.ticker == ticker)
        ]

    def _resting(self, ticker: str) -> list[SimOrder]:
        return [o for o in self.orders.values() if o.status == "resting" and o.ticker == ticker]

    # Market events.

    def on_event(self, event: Event) -> list[SimFill]:
        """Apply one market event; return the simulated fills it caused."""
        fills = self.advance(event.ts_ns)
        if isinstance(event, BookDelta):
            fills += self._delta(event)
        elif isinstance(event, Trade):
            fills += self._trade(event)
        elif isinstance(event, BookSnapshot):
            book = self.books[event.ticker] = _Book(dict(event.yes), dict(event.no))
            for order in self._resting(event.ticker):
                own = book.yes if order.side == "bid" else book.no
                level = order.price_cc if order.side == "bid" else ONE_CC - order.price_cc
                order.ahead_c = min(order.ahead_c, own.get(level, 0))
        return fills

    def _delta(self, event: BookDelta) -> list[SimFill]:
        book = self.books.setdefault(event.ticker, _Book())
        levels, used = (book.yes, book.used_yes) if event.side == "yes" else (book.no, book.used_no)
        size = levels.get(event.price_cc, 0) + event.delta_c
        if size > 0:
            levels[event.price_cc] = size
        else:
            levels.pop(event.price_cc, None)
        fills: list[SimFill] = []
        if event.delta_c < 0:
            if event.price_cc in used:
                used[event.price_cc] = max(0, used[event.price_cc] + event.delta_c)
            for order in self._resting(event.ticker):
                mine = "yes" if order.side == "bid" else "no"
                level = order.price_cc if order.side == "bid" else ONE_CC - order.price_cc
                if mine == event.side and level == event.price_cc:
                    order.ahead_c = min(order.ahead_c, max(size, 0))
        else:
            fills += self._crossed(event)
        return fills

    def _crossed(self, event: BookDelta) -> list[SimFill]:
        """A new opposite order at or through a resting order's price trades with it."""
        fills: list[SimFill] = []
        left = event.delta_c
        for order in self._resting(event.ticker):
            if not left:
                break
            if order.side == "bid" and event.side == "no":
                crosses = ONE_CC - event.price_cc <= order.price_cc
            elif order.side == "ask" and event.side == "yes":
                crosses = event.price_cc >= order.price_cc
            else:
                continue
            if crosses:
                size = min(left, order.remaining_c)
                left -= size
                fills.append(self._fill(order, order.price_cc, size, False, event.ts_ns))
        return fills

    def _trade(self, event: Trade) -> list[SimFill]:
        fills: list[SimFill] = []
        left = event.count_c
        for order in self._resting(event.ticker):
            if not left:
                break
            # A taker buying NO sells YES: it hits YES bids (our bids); buying YES hits asks.
            if order.side == "bid" and event.taker_side == "no":
                through = event.yes_price_cc < order.price_cc
                at = event.yes_price_cc == order.price_cc
            elif order.side == "ask" and event.taker_side == "yes":
                through = event.yes_price_cc > order.price_cc
                at = event.yes_price_cc == order.price_cc
            else:
                continue
            if through:
                size = min(left, order.remaining_c)
            elif at:
                beyond = left - order.ahead_c
                order.ahead_c = max(0, order.ahead_c - left)
                size = min(max(beyond, 0), order.remaining_c)
            else:
                continue
            if size > 0:
                left -= size
                fills.append(self._fill(order, order.price_cc, size, False, event.ts_ns))
        return fills
