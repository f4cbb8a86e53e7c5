"""A naive reference exchange: the rules of the engine, written as plainly as possible.

It exists only to be compared with ``augury.engine.exchange.Exchange`` by
``test_model_equivalence.py``. It shares no logic with the engine or the ledger: no book
structure, no running sums, no cached best prices, no collateral groups. Every question is
answered from scratch, and slowly:

- the book is a dict of resting orders; the next maker is found by filtering the orders that
  cross the taker and sorting them by (price, arrival) each time;
- fees are computed with ``fractions.Fraction`` from Kalshi's formula and rounded up to the
  centi-cent;
- cash is a dict of totals per user (available + reserved); each fill side's cash change is
  the exact amount (``+$1`` per merged pair, minus the outcome price times the count, minus
  the fee) floored to the cent, the overpayment kept per order in a Fraction accumulator
  that pays back every whole cent on that order's fills;
- the reserve of an (account, market, side) is computed from its definition: expand the
  live orders into centi-contracts, take the most expensive ``max(0, remaining - closable)``
  of them at their limits, add the worst fee of every lot (the maximum over every grid price
  the order could trade at, taker or maker) and one cent minus the accumulator per order,
  and round up to the cent. When nothing is open (every fill can only close a position),
  only what a lot's worst fee could exceed its least closing proceeds (``1 - limit``) is
  needed, plus the per-order cent allowance if that is not zero (docs/decisions/0003).
  Available cash is the total minus those reserves.

Reject reasons follow ``augury.domain.rejects``: stage by stage (validation, identity,
state, risk) and, within a stage, the order of the enum. Where the reason cannot be decided
without guessing (a validation check that needs the market of an order that no longer
exists), the result lists every acceptable reason.

Supported subset: subaccount 0 only, no order groups, no expirations, no client order ids
on amend, no market orders, settlement timers of zero. The model asserts it is not asked
for anything else.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Final

from augury.domain.rejects import RejectReason
from augury.engine import commands as c

__all__ = ["Fill", "ModelMarket", "ModelOrder", "ModelPosition", "ReferenceExchange", "Result"]

ONE_CC = 10_000  # $1 in centi-cents
CC_PER_CENT = 100
GTC: Final = "good_till_canceled"
IOC: Final = "immediate_or_cancel"
FOK: Final = "fill_or_kill"

_STRUCTURES: dict[str, tuple[tuple[int, int, int], ...]] = {
    "linear_cent": ((0, ONE_CC, 100),),
    "deci_cent": ((0, ONE_CC, 10),),
    "tapered_deci_cent": ((0, 1_000, 10), (1_000, 9_000, 100), (9_000, ONE_CC, 10)),
}

# Kalshi's fee coefficients (CONTRACT.md §11.1).
_TAKER_K = Fraction(7, 100)
_MAKER_K = {
    "quadratic": Fraction(0),
    "quadratic_with_maker_fees": Fraction(7, 400),
    "quadratic_with_combo_maker_fees": Fraction(7, 200),
    "flat": Fraction(0),
}


def dollars(cc: int) -> Fraction:
    return Fraction(cc, ONE_CC)


def contracts(count_c: int) -> Fraction:
    return Fraction(count_c, 100)


def fee_cc(fee_type: str, mult_e4: int, yes_price_cc: int, count_c: int, is_taker: bool) -> int:
    """Kalshi's fee of one side of a fill, in centi-cents, rounded up."""
    mult = Fraction(mult_e4, 10_000)
    if fee_type == "flat":
        fee = Fraction(1, 100) * mult * contracts(count_c) if is_taker else Fraction(0)
    else:
        k = _TAKER_K if is_taker else _MAKER_K[fee_type]
        p = dollars(yes_price_cc)
        fee = k * mult * contracts(count_c) * p * (1 - p)
    return math.ceil(fee * ONE_CC)


@functools.cache
def grid_prices(structure: str) -> tuple[int, ...]:
    """The valid YES prices of a price level structure."""
    return tuple(
        sorted(
            {
                p
                for start, end, step in _STRUCTURES[structure]
                for p in range(start, end, step)
                if 0 < p < ONE_CC
            }
        )
    )


@functools.cache
def _worst_fee_table(structure: str, fee_type: str, mult_e4: int, lot_c: int) -> dict[int, int]:
    """For every grid price L: the largest fee of one lot over all grid prices <= L, as taker
    or as maker (brute force over the whole grid, once per fee rule)."""
    table: dict[int, int] = {}
    worst = 0
    for price in grid_prices(structure):  # ascending
        for taker in (True, False):
            worst = max(worst, fee_cc(fee_type, mult_e4, price, lot_c, taker))
        table[price] = worst
    return table


def max_fee_per_lot_cc(
    structure: str, fee_type: str, mult_e4: int, lot_c: int, outcome_limit_cc: int
) -> int:
    """The worst fee one lot of an order can pay: it trades at its own outcome's price, at or
    below its limit. The grid and the fee are symmetric in P <-> 1 - P, so the YES grid
    stands for both outcomes."""
    return _worst_fee_table(structure, fee_type, mult_e4, lot_c)[outcome_limit_cc]


@dataclass
class ModelOrder:
    order_id: str
    user: str
    ticker: str
    is_bid: bool
    price_cc: int  # YES price
    initial_c: int
    remaining_c: int
    tif: str
    stp: str
    post_only: bool
    cancel_on_pause: bool
    fill_c: int = 0
    arrival: int = 0
    # Dollars this order overpaid through cent flooring and has not had rebated: [0, $0.01).
    acc: Fraction = field(default_factory=Fraction)

    @property
    def outcome_limit_cc(self) -> int:
        return self.price_cc if self.is_bid else ONE_CC - self.price_cc

    @property
    def side(self) -> str:
        return "bid" if self.is_bid else "ask"


@dataclass
class ModelPosition:
    position_c: int = 0  # + YES held, - NO held
    exposure_fine: int = 0  # cost basis, price_cc * count_c
    realized_fine: int = 0
    fees_paid_cc: int = 0
    traded_fine: int = 0


@dataclass
class ModelMarket:
    ticker: str
    structure: str
    grid: frozenset[int]
    lot_c: int
    fee_type: str
    mult_e4: int
    status: str = "active"
    volume_c: int = 0
    last_price_cc: int = 0


@dataclass(frozen=True)
class Fill:
    taker_id: str
    maker_id: str
    taker_user: str
    maker_user: str
    price_cc: int
    count_c: int
    taker_fee_cc: int
    maker_fee_cc: int
    taker_position_c: int
    maker_position_c: int


@dataclass
class Result:
    reject: RejectReason | None = None
    # Every reason the rules allow (one element, or several where they cannot decide).
    acceptable: frozenset[RejectReason] = frozenset()
    fills: list[Fill] = field(default_factory=list)
    # order id -> (status, reason, fill_c) of every order that left the book or never rested.
    finished: dict[str, tuple[str, str, int]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.reject is None


class _Rejected(Exception):
    def __init__(self, reason: RejectReason, *others: RejectReason) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.acceptable = frozenset((reason, *others))


class ReferenceExchange:
    """The whole exchange as plain dicts and lists; ``apply`` mirrors ``Exchange.apply``."""

    def __init__(self) -> None:
        self.users: set[str] = set()
        self.series: dict[str, tuple[str, int]] = {}
        self.events: dict[str, str] = {}
        self.markets: dict[str, ModelMarket] = {}
        self.book: dict[str, ModelOrder] = {}  # resting orders by id
        self.known_orders: dict[str, ModelOrder] = {}  # every order ever accepted
        self.closed_by_close: set[str] = set()  # orders a market's close cancelled
        self.cash: dict[str, int] = {}  # available + reserved, cc
        self.positions: dict[tuple[str, str], ModelPosition] = {}
        self.client_ids: set[tuple[str, str]] = set()
        self.external_cc = 0  # deposits minus withdrawals
        self.paused = False
        self.arrivals = 0
        self.now_ns = 0  # the time of the command being applied

    # --- entry point ----------------------------------------------------------------------

    def apply(self, cmd: c.Command, ts_ns: int, new_order_id: str = "") -> Result:
        """Apply a command at time ``ts_ns``; ``new_order_id`` names the order a PlaceOrder
        would create."""
        result = Result()
        self.now_ns = ts_ns
        handler = {
            c.CreateUser: self._create_user,
            c.Deposit: self._deposit,
            c.Withdraw: self._withdraw,
            c.AddSeries: self._add_series,
            c.AddEvent: self._add_event,
            c.AddMarket: self._add_market,
            c.PlaceOrder: lambda cmd, res: self._place(cmd, res, new_order_id),
            c.CancelOrder: self._cancel_order,
            c.AmendOrder: self._amend,
            c.DecreaseOrder: self._decrease,
            c.CancelAll: self._cancel_all,
            c.SetMarketState: self._set_market_state,
            c.SetExchangeState: self._set_exchange_state,
            c.DetermineMarket: self._determine,
        }[type(cmd)]
        try:
            handler(cmd, result)  # type: ignore[operator]
        except _Rejected as rejected:
            assert not result.fills, "model traded before rejecting"
            assert not result.finished, "model finished orders before rejecting"
            return Result(reject=rejected.reason, acceptable=rejected.acceptable)
        return result

    # --- setup and cash ---------------------------------------------------------------------

    def _create_user(self, cmd: c.CreateUser, result: Result) -> None:
        if cmd.user_id in self.users:
            raise _Rejected(RejectReason.ALREADY_EXISTS)
        self.users.add(cmd.user_id)
        self.cash[cmd.user_id] = 0

    def _add_series(self, cmd: c.AddSeries, result: Result) -> None:
        self.series.setdefault(cmd.ticker, (cmd.fee_type, cmd.fee_multiplier_e4))

    def _add_event(self, cmd: c.AddEvent, result: Result) -> None:
        self.events.setdefault(cmd.event_ticker, cmd.series_ticker)

    def _add_market(self, cmd: c.AddMarket, result: Result) -> None:
        assert cmd.open_ts_ns <= self.now_ns < cmd.close_ts_ns, "markets open at once, never close"
        assert cmd.settlement_timer_s == 0
        fee_type, mult = self.series[self.events[cmd.event_ticker]]
        structure = cmd.price_level_structure
        self.markets[cmd.ticker] = ModelMarket(
            cmd.ticker,
            structure,
            frozenset(grid_prices(structure)),
            1 if cmd.fractional else 100,
            fee_type,
            mult,
        )

    @staticmethod
    def _check_amount(amount_cc: int) -> None:
        if amount_cc <= 0 or amount_cc % CC_PER_CENT:
            raise _Rejected(RejectReason.INVALID_PARAMETERS)

    def _deposit(self, cmd: c.Deposit, result: Result) -> None:
        assert cmd.subaccount == 0
        self._check_amount(cmd.amount_cc)
        self._check_user(cmd.user_id)
        self.cash[cmd.user_id] += cmd.amount_cc
        self.external_cc += cmd.amount_cc

    def _withdraw(self, cmd: c.Withdraw, result: Result) -> None:
        assert cmd.subaccount == 0
        self._check_amount(cmd.amount_cc)
        self._check_user(cmd.user_id)
        if cmd.amount_cc > self.available_cc(cmd.user_id):
            raise _Rejected(RejectReason.INSUFFICIENT_BALANCE)
        self.cash[cmd.user_id] -= cmd.amount_cc
        self.external_cc -= cmd.amount_cc

    def _check_user(self, user: str) -> None:
        if user not in self.users:
            raise _Rejected(RejectReason.UNKNOWN_USER)

    # --- views ------------------------------------------------------------------------------

    def position(self, user: str, ticker: str) -> int:
        pos = self.positions.get((user, ticker))
        return pos.position_c if pos is not None else 0

    def closable_c(self, user: str, ticker: str, is_bid: bool) -> int:
        """What a bid (buy YES) can close of a NO position, or an ask of a YES position."""
        held = self.position(user, ticker)
        return max(0, -held if is_bid else held)

    def required_reserve_cc(
        self, user: str, ticker: str, is_bid: bool, orders: list[ModelOrder]
    ) -> int:
        """The collateral an (account, market, side) must hold, from its definition."""
        group = [o for o in orders if o.user == user and o.ticker == ticker and o.is_bid == is_bid]
        if not group:
            return 0
        m = self.markets[ticker]
        units: list[int] = []  # every remaining centi-contract, at its order's limit
        for o in group:
            units.extend([o.outcome_limit_cc] * o.remaining_c)
        units.sort(reverse=True)
        open_c = max(0, len(units) - self.closable_c(user, ticker, is_bid))
        rounding = sum((Fraction(1, 100) - o.acc for o in group), Fraction(0))
        fee_bounds = {
            o.order_id: Fraction(
                max_fee_per_lot_cc(m.structure, m.fee_type, m.mult_e4, m.lot_c, o.outcome_limit_cc),
                ONE_CC,
            )
            for o in group
        }
        if open_c == 0:
            # Every fill can only close: it receives at least (1 - limit) per contract, so
            # only a fee above that can cost cash.
            shortfall = sum(
                (
                    (o.remaining_c // m.lot_c)
                    * max(
                        Fraction(0),
                        fee_bounds[o.order_id]
                        - (1 - dollars(o.outcome_limit_cc)) * contracts(m.lot_c),
                    )
                    for o in group
                ),
                Fraction(0),
            )
            target = shortfall + rounding if shortfall else Fraction(0)
        else:
            # A unit's cost is its limit (cc) times 0.01 contract: micro-dollars.
            worst_cost = Fraction(sum(units[:open_c]), 1_000_000)
            fee_bound = sum(
                ((o.remaining_c // m.lot_c) * fee_bounds[o.order_id] for o in group), Fraction(0)
            )
            target = worst_cost + fee_bound + rounding
        return math.ceil(target * 100) * CC_PER_CENT

    def reserves(self, orders: list[ModelOrder] | None = None) -> dict[tuple[str, str, bool], int]:
        """Every non-empty group's reserve for a set of live orders (default: the book)."""
        live = list(self.book.values()) if orders is None else orders
        keys = sorted({(o.user, o.ticker, o.is_bid) for o in live})
        return {k: self.required_reserve_cc(*k, live) for k in keys}

    def reserved_cc(self, user: str, orders: list[ModelOrder] | None = None) -> int:
        live = list(self.book.values()) if orders is None else orders
        return sum(self.reserves([o for o in live if o.user == user]).values())

    def available_cc(self, user: str) -> int:
        return self.cash[user] - self.reserved_cc(user)

    def escrow_cc(self, ticker: str) -> int:
        yes = sum(
            p.position_c for (u, t), p in self.positions.items() if t == ticker and p.position_c > 0
        )
        return yes * CC_PER_CENT

    def fee_revenue_cc(self) -> int:
        escrow = sum(self.escrow_cc(t) for t in self.markets)
        return self.external_cc - sum(self.cash.values()) - escrow

    def resting_sorted(self, ticker: str, is_bid: bool) -> list[ModelOrder]:
        """Resting orders of one side, best first, oldest first within a price."""
        side = [o for o in self.book.values() if o.ticker == ticker and o.is_bid == is_bid]
        return sorted(side, key=lambda o: (-o.price_cc if is_bid else o.price_cc, o.arrival))

    # --- trading checks ---------------------------------------------------------------------

    def _check_trading(self, m: ModelMarket) -> None:
        if self.paused:
            raise _Rejected(RejectReason.EXCHANGE_PAUSED)
        if m.status == "inactive":
            raise _Rejected(RejectReason.TRADING_PAUSED)
        if m.status != "active":
            raise _Rejected(RejectReason.MARKET_CLOSED)

    def _can_carry(self, user: str, orders: list[ModelOrder]) -> bool:
        """Whether the user's cash covers the reserves of a hypothetical set of live orders."""
        return self.reserved_cc(user, orders) <= self.cash[user]

    # --- orders -----------------------------------------------------------------------------

    def _place(self, cmd: c.PlaceOrder, result: Result, new_id: str) -> None:
        assert cmd.subaccount == 0
        assert cmd.order_group_id is None
        assert cmd.expiration_ts_ns is None
        assert cmd.buy_max_cost_cc is None
        m = self.markets.get(cmd.ticker)
        tif = cmd.time_in_force
        # validation
        if cmd.post_only and tif != GTC:
            raise _Rejected(RejectReason.INVALID_PARAMETERS)
        if m is None:
            raise _Rejected(RejectReason.MARKET_NOT_FOUND)
        if cmd.price_cc not in m.grid:
            raise _Rejected(RejectReason.INVALID_PRICE)
        if cmd.count_c <= 0 or cmd.count_c % m.lot_c:
            raise _Rejected(RejectReason.INVALID_COUNT)
        if cmd.reduce_only and tif != IOC:
            raise _Rejected(RejectReason.REDUCE_ONLY_REQUIRES_IOC)
        # identity
        self._check_user(cmd.user_id)
        if cmd.client_order_id and (cmd.user_id, cmd.client_order_id) in self.client_ids:
            raise _Rejected(RejectReason.ORDER_ALREADY_EXISTS)
        # state
        self._check_trading(m)
        # risk
        is_bid = cmd.side == "bid"
        count = cmd.count_c
        if cmd.reduce_only:
            count = min(count, self.closable_c(cmd.user_id, cmd.ticker, is_bid))
            count -= count % m.lot_c
            if count <= 0:
                raise _Rejected(RejectReason.REDUCE_ONLY_NO_POSITION)
        order = ModelOrder(
            order_id=new_id,
            user=cmd.user_id,
            ticker=cmd.ticker,
            is_bid=is_bid,
            price_cc=cmd.price_cc,
            initial_c=count,
            remaining_c=count,
            tif=tif,
            stp=cmd.self_trade_prevention,
            post_only=cmd.post_only,
            cancel_on_pause=cmd.cancel_order_on_pause,
        )
        if not self._can_carry(cmd.user_id, [*self.book.values(), order]):
            raise _Rejected(RejectReason.INSUFFICIENT_BALANCE)
        # accepted
        if cmd.client_order_id:
            self.client_ids.add((cmd.user_id, cmd.client_order_id))
        self.known_orders[new_id] = order
        self._execute(order, result)

    def _crossing_makers(self, taker: ModelOrder) -> list[ModelOrder]:
        """Resting orders the taker could trade with now, in priority order."""
        return [
            o
            for o in self.resting_sorted(taker.ticker, not taker.is_bid)
            if (o.price_cc <= taker.price_cc if taker.is_bid else o.price_cc >= taker.price_cc)
        ]

    def _execute(self, order: ModelOrder, result: Result) -> None:
        """Match an incoming (or re-priced) order, then rest or cancel what is left."""
        crossing = self._crossing_makers(order)
        if order.post_only and crossing:
            self._finish(order, "canceled", "post_only_cross", result)
            return
        if order.tif == FOK:
            need = order.remaining_c
            meets_self = False
            for maker in crossing:
                if maker.user == order.user:
                    meets_self = True  # Kalshi: such a fill-or-kill acts as immediate-or-cancel
                    break
                need -= min(need, maker.remaining_c)
                if need == 0:
                    break
            if need > 0 and not meets_self:
                self._finish(order, "canceled", "fill_or_kill", result)
                return
        reason = None
        while order.remaining_c > 0:
            crossing = self._crossing_makers(order)
            if not crossing:
                break
            maker = crossing[0]
            if maker.user == order.user:
                if order.stp == "taker_at_cross":
                    reason = "self_trade_taker"
                    break
                self._cancel(maker, "self_trade_maker", result)
                continue
            self._trade(order, maker, min(order.remaining_c, maker.remaining_c), result)
        if order.remaining_c == 0:
            self._finish(order, "executed", "executed", result)
        elif reason is not None:
            self._finish(order, "canceled", reason, result)
        elif order.tif == FOK:
            self._finish(order, "canceled", "fill_or_kill", result)
        elif order.tif == IOC:
            self._finish(order, "canceled", "immediate_or_cancel", result)
        else:
            self.arrivals += 1
            order.arrival = self.arrivals
            self.book[order.order_id] = order

    def _finish(self, order: ModelOrder, status: str, reason: str, result: Result) -> None:
        self.book.pop(order.order_id, None)
        result.finished[order.order_id] = (status, reason, order.fill_c)

    def _cancel(self, order: ModelOrder, reason: str, result: Result) -> None:
        order.remaining_c = 0
        self._finish(order, "canceled", reason, result)

    def _trade(self, taker: ModelOrder, maker: ModelOrder, count_c: int, result: Result) -> None:
        m = self.markets[taker.ticker]
        price = maker.price_cc
        taker_fee = fee_cc(m.fee_type, m.mult_e4, price, count_c, True)
        maker_fee = fee_cc(m.fee_type, m.mult_e4, price, count_c, False)
        for order, fee in ((taker, taker_fee), (maker, maker_fee)):
            self._book_side(order, price, count_c, fee)
            order.remaining_c -= count_c
            order.fill_c += count_c
        if maker.remaining_c == 0:
            self._finish(maker, "executed", "executed", result)
        m.volume_c += count_c
        m.last_price_cc = price
        result.fills.append(
            Fill(
                taker.order_id,
                maker.order_id,
                taker.user,
                maker.user,
                price,
                count_c,
                taker_fee,
                maker_fee,
                self.position(taker.user, taker.ticker),
                self.position(maker.user, maker.ticker),
            )
        )

    def _book_side(self, order: ModelOrder, yes_price_cc: int, count_c: int, fee: int) -> None:
        """One side buys ``count_c`` of its outcome; pairs merge first if it holds the other."""
        pos = self.positions.setdefault((order.user, order.ticker), ModelPosition())
        price = yes_price_cc if order.is_bid else ONE_CC - yes_price_cc  # its outcome's price
        held_other = -pos.position_c if order.is_bid else pos.position_c
        closed = min(count_c, held_other) if held_other > 0 else 0
        opened = count_c - closed
        if closed:
            removed = (
                pos.exposure_fine * closed // held_other
                if closed < held_other
                else pos.exposure_fine
            )
            pos.realized_fine += (ONE_CC - price) * closed - removed
            pos.exposure_fine -= removed
        pos.exposure_fine += price * opened
        pos.traded_fine += price * count_c
        pos.fees_paid_cc += fee
        pos.position_c += count_c if order.is_bid else -count_c
        # Cash: exact change, floored to the cent; the overpayment waits in the accumulator.
        exact = contracts(closed) - dollars(price) * contracts(count_c) - dollars(fee)
        cents = math.floor(exact * 100)
        order.acc += exact - Fraction(cents, 100)
        rebate = math.floor(order.acc * 100)
        order.acc -= Fraction(rebate, 100)
        self.cash[order.user] += (cents + rebate) * CC_PER_CENT

    def _not_live_reasons(self, user: str, order_id: str) -> tuple[RejectReason, ...]:
        """Why an operation on an order that is not resting is refused.

        Identity comes first: an order that is not the user's is not found. Orders that a
        market's close cancelled answer ``market_closed`` (market.py: "from then on every
        order operation, cancels included, is refused with market_closed"); once the market
        has settled the engine may have forgotten them, so "not found" is also accepted.
        For orders that ended before their market closed the rules do not say which wins.
        """
        known = self.known_orders.get(order_id)
        if known is None or known.user != user:
            return (RejectReason.ORDER_NOT_FOUND,)
        status = self.markets[known.ticker].status
        if order_id in self.closed_by_close:
            if status == "finalized":
                return (RejectReason.MARKET_CLOSED, RejectReason.ORDER_NOT_FOUND)
            return (RejectReason.MARKET_CLOSED,)
        if status in ("closed", "finalized"):
            return (RejectReason.ORDER_NOT_FOUND, RejectReason.MARKET_CLOSED)
        return (RejectReason.ORDER_NOT_FOUND,)

    def _live_order(self, user: str, order_id: str) -> ModelOrder | None:
        order = self.book.get(order_id)
        return order if order is not None and order.user == user else None

    def _cancel_order(self, cmd: c.CancelOrder, result: Result) -> None:
        order = self._live_order(cmd.user_id, cmd.order_id)
        if order is None:
            raise _Rejected(*self._not_live_reasons(cmd.user_id, cmd.order_id))
        if self.markets[order.ticker].status not in ("active", "inactive"):
            raise _Rejected(RejectReason.MARKET_CLOSED)
        self._cancel(order, "canceled", result)

    def _cancel_all(self, cmd: c.CancelAll, result: Result) -> None:
        assert cmd.subaccount in (None, 0)
        self._check_user(cmd.user_id)
        for order in list(self.book.values()):
            if order.user == cmd.user_id and cmd.ticker in (None, order.ticker):
                self._cancel(order, "canceled", result)

    def _decrease(self, cmd: c.DecreaseOrder, result: Result) -> None:
        order = self._live_order(cmd.user_id, cmd.order_id)
        known = self.known_orders.get(cmd.order_id)
        lot = self.markets[known.ticker].lot_c if known is not None else 1
        # validation (needs the order's market for its lot; unknowable once the order is gone)
        invalid: RejectReason | None = None
        if (cmd.reduce_by_c is None) == (cmd.reduce_to_c is None):
            invalid = RejectReason.INVALID_PARAMETERS
        elif (cmd.reduce_by_c is not None and (cmd.reduce_by_c <= 0 or cmd.reduce_by_c % lot)) or (
            cmd.reduce_to_c is not None and (cmd.reduce_to_c < 0 or cmd.reduce_to_c % lot)
        ):
            invalid = RejectReason.INVALID_COUNT
        if invalid is RejectReason.INVALID_PARAMETERS:
            raise _Rejected(invalid)
        if invalid is not None:
            if order is None:
                raise _Rejected(invalid, *self._not_live_reasons(cmd.user_id, cmd.order_id))
            raise _Rejected(invalid)
        # identity
        if order is None:
            raise _Rejected(*self._not_live_reasons(cmd.user_id, cmd.order_id))
        # risk
        if cmd.reduce_to_c is not None:
            if cmd.reduce_to_c > order.remaining_c:
                raise _Rejected(RejectReason.INVALID_AMEND)
            new_remaining = cmd.reduce_to_c
        else:
            assert cmd.reduce_by_c is not None
            new_remaining = max(0, order.remaining_c - cmd.reduce_by_c)
        if new_remaining == 0:
            self._cancel(order, "canceled", result)
        else:
            order.remaining_c = new_remaining  # keeps its place in the queue

    def _amend(self, cmd: c.AmendOrder, result: Result) -> None:
        assert cmd.client_order_id is None
        assert cmd.updated_client_order_id is None
        assert cmd.expiration_ts_ns is None
        order = self._live_order(cmd.user_id, cmd.order_id)
        m = self.markets.get(cmd.ticker)
        # validation (the grid and lot come from the named market)
        invalid: RejectReason | None = None
        if m is not None and cmd.price_cc not in m.grid:
            invalid = RejectReason.INVALID_PRICE
        elif m is not None and (cmd.count_c <= 0 or cmd.count_c % m.lot_c):
            invalid = RejectReason.INVALID_COUNT
        if invalid is not None:
            if order is None or order.ticker != cmd.ticker or order.side != cmd.side:
                # Whether an identity failure may win is not decidable from the rules.
                raise _Rejected(
                    invalid,
                    *self._not_live_reasons(cmd.user_id, cmd.order_id),
                    RejectReason.ORDER_TICKER_MISMATCH,
                    RejectReason.ORDER_SIDE_MISMATCH,
                )
            raise _Rejected(invalid)
        # identity
        if order is None:
            raise _Rejected(*self._not_live_reasons(cmd.user_id, cmd.order_id))
        if cmd.ticker != order.ticker:
            raise _Rejected(RejectReason.ORDER_TICKER_MISMATCH)
        if cmd.side != order.side:
            raise _Rejected(RejectReason.ORDER_SIDE_MISMATCH)
        assert m is not None
        # state
        self._check_trading(m)
        # risk
        new_remaining = cmd.count_c - order.fill_c
        if new_remaining <= 0:
            raise _Rejected(RejectReason.INVALID_AMEND)
        amended = replace(order, price_cc=cmd.price_cc, remaining_c=new_remaining)
        others = [o for o in self.book.values() if o is not order]
        if not self._can_carry(cmd.user_id, [*others, amended]):
            raise _Rejected(RejectReason.INSUFFICIENT_BALANCE)
        # accepted
        order.initial_c = cmd.count_c
        if cmd.price_cc == order.price_cc and new_remaining <= order.remaining_c:
            order.remaining_c = new_remaining  # keeps its place
            return
        del self.book[order.order_id]
        order.price_cc = cmd.price_cc
        order.remaining_c = new_remaining
        self._execute(order, result)  # re-enters as a taker, then at the back of its level

    # --- lifecycle --------------------------------------------------------------------------

    def _market(self, ticker: str) -> ModelMarket:
        m = self.markets.get(ticker)
        if m is None:
            raise _Rejected(RejectReason.MARKET_NOT_FOUND)
        return m

    def _cancel_market(self, m: ModelMarket, reason: str, result: Result, only_cop: bool) -> None:
        for order in list(self.book.values()):
            if order.ticker == m.ticker and (order.cancel_on_pause or not only_cop):
                self._cancel(order, reason, result)

    def _close(self, m: ModelMarket, result: Result) -> None:
        for order in list(self.book.values()):
            if order.ticker == m.ticker:
                self.closed_by_close.add(order.order_id)
        self._cancel_market(m, "market_closed", result, only_cop=False)
        m.status = "closed"

    def _set_market_state(self, cmd: c.SetMarketState, result: Result) -> None:
        m = self._market(cmd.ticker)
        if m.status not in ("active", "inactive"):
            raise _Rejected(RejectReason.MARKET_CLOSED)
        if cmd.action == "close":
            self._close(m, result)
        elif cmd.action == "pause":
            if m.status != "active":
                raise _Rejected(RejectReason.INVALID_TRANSITION)
            self._cancel_market(m, "trading_paused", result, only_cop=True)
            m.status = "inactive"
        else:
            if m.status != "inactive":
                raise _Rejected(RejectReason.INVALID_TRANSITION)
            self._cancel_market(m, "market_reactivated", result, only_cop=False)
            m.status = "active"

    def _set_exchange_state(self, cmd: c.SetExchangeState, result: Result) -> None:
        if cmd.paused == self.paused:
            raise _Rejected(RejectReason.INVALID_TRANSITION)
        self.paused = cmd.paused
        if cmd.paused:
            for order in list(self.book.values()):
                if order.cancel_on_pause:
                    self._cancel(order, "exchange_paused", result)

    def _determine(self, cmd: c.DetermineMarket, result: Result) -> None:
        if cmd.result == "scalar" and (cmd.value_cc is None or not 0 <= cmd.value_cc <= ONE_CC):
            raise _Rejected(RejectReason.INVALID_PARAMETERS)
        m = self._market(cmd.ticker)
        if m.status == "finalized":
            raise _Rejected(RejectReason.INVALID_TRANSITION)
        if m.status in ("active", "inactive"):
            self._close(m, result)
        yes_value = {"yes": ONE_CC, "no": 0, "void": None, "scalar": cmd.value_cc}[cmd.result]
        # Settle at once (timers are zero): each holder gets its contracts' value, or its cost
        # basis when void, floored to the cent.
        for (user, ticker), pos in sorted(self.positions.items()):
            if ticker != m.ticker or pos.position_c == 0:
                continue
            if yes_value is None:
                payout = dollars(pos.exposure_fine) / 100
            elif pos.position_c > 0:
                payout = dollars(yes_value) * contracts(pos.position_c)
            else:
                payout = dollars(ONE_CC - yes_value) * contracts(-pos.position_c)
            revenue_cc = math.floor(payout * 100) * CC_PER_CENT
            self.cash[user] += revenue_cc
            pos.realized_fine += revenue_cc * 100 - pos.exposure_fine
            pos.exposure_fine = 0
            pos.position_c = 0
        m.status = "finalized"
