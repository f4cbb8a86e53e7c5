"""Model-based test: the real engine against the naive reference engine, step by step.

A Hypothesis state machine drives ``augury.engine.exchange.Exchange`` and
``reference_model.ReferenceExchange`` with the same random commands from 3-4 users (one of
them short of cash) on three market slots: linear-cent with taker-only fees, linear-cent
with maker fees, and a fractional market whose grid (deci-cent or tapered), anchor price and
fee type each example draws. Commands: orders around the touch (every time-in-force,
post-only, reduce-only, both self-trade modes, cancel-on-pause, client order ids, rarely a
malformed one, sometimes several at once or as one Batch), cancel, cancel-all, amend,
decrease, deposits and withdrawals, market and exchange pause/resume, and late in the run
close and settle (yes, no, scalar, void), after which a fresh market takes the slot.

After every command it compares:

- the outcome: accepted or rejected, and the reject reason where the rules decide it
  (``augury.domain.rejects``: stage by stage, then the enum's order within a stage);
- the fills, in order: taker and maker orders and users, price, count, both fees and both
  resulting positions;
- every order that left the book (or never rested): final status, reason and filled size;
- the books: per market and side, price -> total, and the queue of order ids at each price;
- every resting order's user, market, side, price, initial, filled and remaining size;
- every account's available and reserved cash, and each (account, market, side) reserve;
- every position (size, cost basis, realized P&L, fees, traded, resting order count), escrow,
  fee revenue, and each market's status, volume, open interest and last price.

The machine drives the engine ``AUGURY_TEST_ENGINE`` names (``tests.engine.native_engine``:
the Python engine by default, the native one in CI's second pass).

Invariants: the auditor finds nothing after every command, and replaying the command log
(rejected commands included) into a fresh exchange reproduces the state digest, every
``REPLAY_EVERY`` steps and at the end. ``TestExchangeVersusModelLong`` (marker ``slow``) runs
the same machine longer. Sequences the machine found are pinned at the bottom of the file.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any, Literal

import msgspec
import pytest
from hypothesis import HealthCheck, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from augury.domain.rejects import RejectReason
from augury.engine import commands as c
from augury.engine.events import FillEvent, OrderUpdate
from augury.engine.exchange import Exchange, Outcome
from augury.engine.state import state_digest
from tests.engine.native_engine import audit_any, new_exchange
from tests.engine.reference_model import FOK, GTC, IOC, Fill, ReferenceExchange, Result, grid_prices

Side = Literal["bid", "ask"]
Tif = Literal["good_till_canceled", "immediate_or_cancel", "fill_or_kill"]
Stp = Literal["taker_at_cross", "maker"]

INSTANCE = "model-equivalence"
SECOND_NS = 1_000_000_000
USERS = ("ann", "bob", "cat", "dan")
# Two whole-contract linear-cent markets (taker-only fees, maker fees) and a fractional one
# whose grid, anchor price and fee type each example draws.
TICKERS = ("LIN-Q", "LIN-M", "FRAC")
STEPS = 40
LATE_STEP = 15  # close and settle only after this many steps
REPLAY_EVERY = 10

rare = st.sampled_from([False] * 7 + [True])  # shrinks to False
very_rare = st.sampled_from([False] * 15 + [True])
# amend and amend_again draw the same arguments (the second rule only weighs amends twice).
_amend_rule = rule(
    pick=st.integers(0, 1_000),
    dead=rare,
    offset=st.integers(-3, 3),
    lots=st.integers(-2, 20),
    wrong_side=very_rare,
)
mults = st.sampled_from([10_000, 5_000, 12_500, 3_333])


@dataclass(frozen=True)
class OrderSpec:
    """A drawn order: who, where, how far from the touch (in ticks), and its options."""

    user: int
    market: int
    side: Side
    offset: int
    size: int
    frac_c: int = 0
    tif: Tif = GTC
    stp: Stp = "taker_at_cross"
    post_only: bool = False
    reduce_only: bool = False
    odd_combo: bool = False
    bad_price: bool = False
    bad_count: bool = False
    cancel_on_pause: bool = False
    client_order_id: str | None = None  # None, "new" (a fresh id) or "reuse" (a used one)


order_specs = st.builds(
    OrderSpec,
    user=st.integers(0, 3),
    market=st.integers(0, 2),
    side=st.sampled_from(["bid", "ask"]),
    offset=st.integers(-4, 4),
    size=st.integers(1, 20),
    frac_c=st.integers(0, 99),
    tif=st.sampled_from([GTC, GTC, GTC, IOC, IOC, FOK]),
    stp=st.sampled_from(["taker_at_cross", "maker"]),
    post_only=rare,
    reduce_only=rare,
    odd_combo=rare,
    bad_price=very_rare,
    bad_count=very_rare,
    cancel_on_pause=st.booleans(),
    client_order_id=st.sampled_from([None, None, None, None, None, "new", "new", "reuse"]),
)


def _diff(got: Any, want: Any) -> str:
    """Name the entries where the engine (got) and the model (want) differ."""
    if isinstance(got, dict) and isinstance(want, dict):
        keys = sorted(set(got) | set(want), key=repr)
        return "; ".join(
            f"{k!r}: engine {got.get(k)!r}, model {want.get(k)!r}"
            for k in keys
            if got.get(k) != want.get(k)
        )
    return f"engine {got!r}, model {want!r}"


def engine_fills(events: list[Any]) -> list[Fill]:
    fills: list[Fill] = []
    pending: dict[str, FillEvent] = {}
    for event in events:
        if not isinstance(event, FillEvent):
            continue
        other = pending.pop(event.trade_id, None)
        if other is None:
            pending[event.trade_id] = event
            continue
        taker, maker = (other, event) if other.is_taker else (event, other)
        assert taker.is_taker, event
        assert not maker.is_taker, event
        assert (taker.price_cc, taker.count_c) == (maker.price_cc, maker.count_c)
        fills.append(
            Fill(
                taker.order_id,
                maker.order_id,
                taker.user_id,
                maker.user_id,
                taker.price_cc,
                taker.count_c,
                taker.fee_cc,
                maker.fee_cc,
                taker.post_position_c,
                maker.post_position_c,
            )
        )
    assert not pending, f"fill without its other side: {pending}"
    return fills


def engine_finished(events: list[Any]) -> dict[str, tuple[str, str, int]]:
    return {
        e.order_id: (e.status, e.reason, e.fill_c)
        for e in events
        if isinstance(e, OrderUpdate) and e.status in ("canceled", "executed")
    }


def engine_view(x: Exchange) -> dict[str, Any]:
    ledger = x.ledger
    books: dict[str, Any] = {}
    queues: dict[tuple[str, str, int], list[str]] = {}
    for ticker, market in sorted(x.markets.items()):
        prices = market.grid.prices_cc
        books[ticker] = {}
        for is_bid, side in ((True, "bid"), (False, "ask")):
            levels = list(market.book.levels(is_bid))
            books[ticker][side] = [(prices[idx], total) for idx, total in levels]
            for idx, _ in levels:
                queues[(ticker, side, prices[idx])] = [
                    o.order_id for o in market.book.orders_at(is_bid, idx)
                ]
    positions = {}
    for (user, sub, ticker), p in ledger.positions.items():
        assert sub == 0
        row = (
            p.position_c,
            p.exposure_fine,
            p.realized_fine,
            p.fees_paid_cc,
            p.total_traded_fine,
            p.resting_orders,
        )
        if any(row):
            positions[(user, ticker)] = row
    return {
        "orders": {
            oid: (o.key[0], o.ticker, o.side, o.price_cc, o.initial_c, o.fill_c, o.remaining_c)
            for oid, o in x.orders.items()
        },
        "books": books,
        "queues": queues,
        "balances": {key[0]: (a.available_cc, a.reserved_cc) for key, a in ledger.accounts.items()},
        "reserves": {
            (user, ticker, is_bid): g.reserve_cc
            for (user, _, ticker, is_bid), g in x.collateral.items()
            if g.orders or g.reserve_cc
        },
        "positions": positions,
        "escrow": {t: v for t, v in ledger.escrow_cc.items() if v},
        "fee_revenue": ledger.fee_revenue_cc,
        "markets": {
            t: (m.status.value, m.volume_c, m.open_interest_c, m.last_price_cc)
            for t, m in x.markets.items()
        },
        "paused": x.trading_paused,
    }


def model_view(model: ReferenceExchange) -> dict[str, Any]:
    books: dict[str, Any] = {}
    queues: dict[tuple[str, str, int], list[str]] = {}
    for ticker in sorted(model.markets):
        books[ticker] = {}
        for is_bid, side in ((True, "bid"), (False, "ask")):
            totals: dict[int, int] = {}
            for o in model.resting_sorted(ticker, is_bid):
                totals[o.price_cc] = totals.get(o.price_cc, 0) + o.remaining_c
                queues.setdefault((ticker, side, o.price_cc), []).append(o.order_id)
            books[ticker][side] = list(totals.items())
    positions = {}
    for (user, ticker), p in model.positions.items():
        resting = sum(1 for o in model.book.values() if (o.user, o.ticker) == (user, ticker))
        row = (
            p.position_c,
            p.exposure_fine,
            p.realized_fine,
            p.fees_paid_cc,
            p.traded_fine,
            resting,
        )
        if any(row):
            positions[(user, ticker)] = row
    for o in model.book.values():
        if (o.user, o.ticker) not in model.positions:
            resting = sum(
                1 for r in model.book.values() if (r.user, r.ticker) == (o.user, o.ticker)
            )
            positions[(o.user, o.ticker)] = (0, 0, 0, 0, 0, resting)
    reserves = model.reserves()
    reserved: dict[str, int] = {}
    for (user, _, _), amount in reserves.items():
        reserved[user] = reserved.get(user, 0) + amount
    escrow = {t: model.escrow_cc(t) for t in model.markets}
    return {
        "orders": {
            oid: (o.user, o.ticker, o.side, o.price_cc, o.initial_c, o.fill_c, o.remaining_c)
            for oid, o in model.book.items()
        },
        "books": books,
        "queues": queues,
        "balances": {
            u: (model.cash[u] - reserved.get(u, 0), reserved.get(u, 0)) for u in model.users
        },
        "reserves": reserves,
        "positions": positions,
        "escrow": {t: v for t, v in escrow.items() if v},
        "fee_revenue": model.fee_revenue_cc(),
        "markets": {
            t: (
                m.status,
                m.volume_c,
                escrow[t] // 100,
                m.last_price_cc,
            )
            for t, m in model.markets.items()
        },
        "paused": model.paused,
    }


class ExchangeVersusModel(RuleBasedStateMachine):
    """Drive the engine and the reference model with the same commands and compare."""

    def __init__(self) -> None:
        super().__init__()
        self.x = new_exchange(INSTANCE)
        self.model = ReferenceExchange()
        self.log: list[tuple[c.Command, int]] = []  # every command and its time
        self.ts = 0
        self.steps = 0
        self.users: list[str] = []
        self.every_order: list[str] = []
        self.grids: dict[str, tuple[int, ...]] = {}
        self.anchors: dict[str, int] = {}
        # The market trading in each of the three slots (a settled one is replaced), and
        # what it takes to list a successor: (series family, structure, fractional).
        self.slots: list[str] = list(TICKERS)
        self.listing: dict[str, tuple[str, str, bool]] = {}
        self.client_ids: dict[str, list[str]] = {}  # client order ids drawn per user

    # --- plumbing -----------------------------------------------------------------------

    def next_ts(self) -> int:
        self.ts += SECOND_NS
        return self.ts

    def run(self, cmd: c.Command) -> None:
        ts = self.next_ts()
        note(repr(cmd))
        self.log.append((cmd, ts))
        self.check_item(cmd, ts, self.x.apply(cmd, ts))
        self.compare_state()

    def run_batch(self, items: list[c.PlaceOrder]) -> None:
        """Submit several orders as one Batch; the model applies them one by one."""
        batch = c.Batch.of(items)
        ts = self.next_ts()
        note(repr(batch))
        self.log.append((batch, ts))
        out = self.x.apply(batch, ts)
        assert out.ok
        assert len(out.value) == len(items)
        for cmd, item in zip(items, out.value, strict=True):
            self.check_item(cmd, ts, item)
        self.compare_state()

    def check_item(self, cmd: c.Command, ts: int, out: Outcome[object]) -> None:
        new_id = ""
        if isinstance(cmd, c.PlaceOrder) and out.ok:
            placed = out.value
            assert isinstance(placed, OrderUpdate)
            new_id = placed.order_id
            self.every_order.append(new_id)
        self.compare_outcome(cmd, out, self.model.apply(cmd, ts, new_id))

    def compare_outcome(self, cmd: c.Command, out: Outcome[object], expected: Result) -> None:
        got_reason = out.reject.reason if out.reject is not None else None
        if expected.ok or out.ok:
            assert got_reason == expected.reject, (
                f"engine {'accepted' if out.ok else got_reason}, "
                f"model {'accepts' if expected.ok else expected.reject}: {cmd!r}"
            )
        else:
            assert got_reason in expected.acceptable, (
                f"engine rejects with {got_reason}, rules say {sorted(expected.acceptable)}"
            )
        assert engine_fills(out.events) == expected.fills, "fills differ"
        assert engine_finished(out.events) == expected.finished, "finished orders differ"

    def compare_state(self) -> None:
        got, want = engine_view(self.x), model_view(self.model)
        for part in want:
            assert got[part] == want[part], f"{part} differ: {_diff(got[part], want[part])}"

    def user(self, n: int) -> str:
        return self.users[n % len(self.users)]

    def list_market(self, family: str, ticker: str) -> None:
        """List a market of a family (its series, event, grid and anchor price)."""
        _, structure, fractional = self.listing[family]
        self.grids[ticker] = self.grids[family]
        self.anchors[ticker] = self.anchors[family]
        self.listing[ticker] = self.listing[family]
        self.run(
            c.AddMarket(
                ticker=ticker,
                event_ticker=f"E{family}",
                open_ts_ns=1,
                close_ts_ns=10**18,
                price_level_structure=structure,
                fractional=fractional,
            )
        )

    def price_near(self, ticker: str, price_cc: int, steps: int) -> int:
        """The grid price ``steps`` ticks away from (the grid price at or below) a price."""
        grid = self.grids[ticker]
        idx = max(0, bisect.bisect_right(grid, price_cc) - 1)
        return grid[min(max(idx + steps, 0), len(grid) - 1)]

    def reference_price_cc(self, ticker: str, is_bid: bool) -> int:
        """The best opposite price (so about half the orders cross), else the best price on
        the same side, else the last trade, else the market's anchor."""
        opposite = self.model.resting_sorted(ticker, not is_bid)
        same = self.model.resting_sorted(ticker, is_bid)
        if opposite:
            return opposite[0].price_cc
        if same:
            return same[0].price_cc
        return self.model.markets[ticker].last_price_cc or self.anchors[ticker]

    def pick_order(self, pick: int, dead: bool) -> str | None:
        live = sorted(self.model.book)
        gone = [oid for oid in self.every_order if oid not in self.model.book]
        pool = gone if (dead and gone) or not live else live
        return pool[pick % len(pool)] if pool else None

    # --- setup ----------------------------------------------------------------------------

    @initialize(
        n_users=st.integers(3, 4),
        # In cents; the third user ("cat") is short of cash, to meet insufficient_balance.
        deposits=st.tuples(
            st.integers(10_000, 100_000),
            st.integers(10_000, 100_000),
            st.integers(0, 3_000),
            st.integers(10_000, 100_000),
        ),
        fee_mults=st.lists(mults, min_size=3, max_size=3),
        frac_fee_type=st.sampled_from(
            ["quadratic_with_combo_maker_fees", "flat", "quadratic", "quadratic_with_maker_fees"]
        ),
        frac_grid=st.sampled_from(["tapered_deci_cent", "deci_cent"]),
        frac_anchor=st.sampled_from([500, 5_000, 9_400]),
        seed_orders=st.lists(
            st.tuples(
                st.integers(0, 3),
                st.integers(0, 2),
                st.sampled_from(["bid", "ask"]),
                st.integers(-5, 5),
                st.integers(1, 10),
            ),
            max_size=10,
        ),
    )
    def setup(
        self,
        n_users: int,
        deposits: tuple[int, int, int, int],
        fee_mults: list[int],
        frac_fee_type: str,
        frac_grid: str,
        frac_anchor: int,
        seed_orders: list[tuple[int, int, str, int, int]],
    ) -> None:
        markets = (
            ("quadratic", "linear_cent", False, 5_000),
            ("quadratic_with_maker_fees", "linear_cent", False, 5_000),
            (frac_fee_type, frac_grid, True, frac_anchor),
        )
        for ticker, (fee_type, structure, fractional, anchor), mult in zip(
            TICKERS, markets, fee_mults, strict=True
        ):
            self.grids[ticker] = grid_prices(structure)
            self.anchors[ticker] = anchor
            self.run(c.AddSeries(ticker=f"S{ticker}", fee_type=fee_type, fee_multiplier_e4=mult))
            self.run(c.AddEvent(event_ticker=f"E{ticker}", series_ticker=f"S{ticker}"))
            self.listing[ticker] = (ticker, structure, fractional)
            self.list_market(ticker, ticker)
        self.users = list(USERS[:n_users])
        for user, cents in zip(self.users, deposits, strict=False):
            self.run(c.CreateUser(user_id=user, name=user))
            if cents:
                self.run(c.Deposit(user_id=user, amount_cc=cents * 100))
        for who, market, side, offset, size in seed_orders:
            ticker = self.slots[market]
            self.run(
                c.PlaceOrder(
                    user_id=self.user(who),
                    ticker=ticker,
                    side=side,  # type: ignore[arg-type]
                    price_cc=self.price_near(ticker, self.anchors[ticker], offset),
                    count_c=size * 100,
                    time_in_force=GTC,
                )
            )

    # --- trading rules ----------------------------------------------------------------------

    def order_command(self, spec: OrderSpec) -> c.PlaceOrder:
        """An order priced around the touch; rarely malformed."""
        ticker = self.slots[spec.market]
        fractional = self.model.markets[ticker].lot_c == 1
        is_bid = spec.side == "bid"
        price = self.price_near(ticker, self.reference_price_cc(ticker, is_bid), spec.offset)
        if spec.bad_price:
            price += 5  # off every grid (ticks are 10 or 100 cc)
        count = spec.size * 100 - (spec.frac_c if fractional else 0)
        if spec.bad_count:
            count = 0 if fractional else count + 50
        tif: Tif = spec.tif
        if spec.reduce_only and not spec.odd_combo:
            tif = IOC  # reduce_only is immediate-or-cancel; odd_combo tries the others
        if spec.post_only and not spec.odd_combo:
            tif = GTC
        return c.PlaceOrder(
            user_id=self.user(spec.user),
            ticker=ticker,
            side=spec.side,
            price_cc=price,
            count_c=count,
            time_in_force=tif,
            self_trade_prevention=spec.stp,
            client_order_id=self.client_order_id(spec),
            post_only=spec.post_only,
            reduce_only=spec.reduce_only,
            cancel_order_on_pause=spec.cancel_on_pause,
        )

    def client_order_id(self, spec: OrderSpec) -> str | None:
        if spec.client_order_id is None:
            return None
        used = self.client_ids.setdefault(self.user(spec.user), [])
        if spec.client_order_id == "reuse" and used:
            return used[-1]
        used.append(f"coid-{sum(len(ids) for ids in self.client_ids.values())}")
        return used[-1]

    @rule(spec=order_specs)
    def place(self, spec: OrderSpec) -> None:
        self.run(self.order_command(spec))

    @rule(specs=st.lists(order_specs, min_size=2, max_size=8))
    def place_more(self, specs: list[OrderSpec]) -> None:
        for spec in specs:
            self.run(self.order_command(spec))

    @rule(specs=st.lists(order_specs, min_size=2, max_size=8), as_batch=rare)
    def place_several(self, specs: list[OrderSpec], as_batch: bool) -> None:
        """Several orders in a row, so books get deep and cross often: one command each, or
        (rarely) one Batch priced from the book before it."""
        if as_batch:
            self.run_batch([self.order_command(spec) for spec in specs])
            return
        for spec in specs:
            self.run(self.order_command(spec))

    @rule(
        pick=st.integers(0, 1_000),
        dead=rare,
        wrong_user=rare,
        every=very_rare,
        market=st.one_of(st.none(), st.integers(0, 2)),
    )
    def cancel(
        self, pick: int, dead: bool, wrong_user: bool, every: bool, market: int | None
    ) -> None:
        """Cancel one order (rarely: every order of a user, in one market or all)."""
        if every:
            self.run(
                c.CancelAll(
                    user_id=self.user(pick),
                    ticker=None if market is None else self.slots[market],
                )
            )
            return
        order_id = self.pick_order(pick, dead)
        if order_id is None:
            return
        owner = self.model.known_orders[order_id].user
        if wrong_user:
            owner = next(u for u in self.users if u != owner)
        self.run(c.CancelOrder(user_id=owner, order_id=order_id))

    @_amend_rule
    def amend_again(self, pick: int, dead: bool, offset: int, lots: int, wrong_side: bool) -> None:
        """Amending is the busiest path (re-price, re-queue, cross): weigh it twice."""
        self.amend(pick, dead, offset, lots, wrong_side)

    @_amend_rule
    def amend(self, pick: int, dead: bool, offset: int, lots: int, wrong_side: bool) -> None:
        """Re-price and/or re-size an order (new total = filled + lots); rarely a dead order
        or the wrong side."""
        order_id = self.pick_order(pick, dead)
        if order_id is None:
            return
        order = self.model.known_orders[order_id]
        lot = self.model.markets[order.ticker].lot_c
        side = order.side
        if wrong_side:
            side = "ask" if side == "bid" else "bid"
        self.run(
            c.AmendOrder(
                user_id=order.user,
                order_id=order_id,
                ticker=order.ticker,
                side=side,  # type: ignore[arg-type]
                price_cc=self.price_near(order.ticker, order.price_cc, offset),
                count_c=order.fill_c + lots * (100 if lot == 100 else 37),
            )
        )

    @rule(
        pick=st.integers(0, 1_000),
        dead=rare,
        by=st.booleans(),
        amount=st.integers(0, 20),
        odd=very_rare,
    )
    def decrease(self, pick: int, dead: bool, by: bool, amount: int, odd: bool) -> None:
        """Decrease by or to an amount; odd amounts are not whole lots."""
        order_id = self.pick_order(pick, dead)
        if order_id is None:
            return
        order = self.model.known_orders[order_id]
        if self.model.markets[order.ticker].lot_c == 100:
            count = amount * 100 + (50 if odd else 0)
        else:
            count = -1 if odd else amount * 23
        self.run(
            c.DecreaseOrder(
                user_id=order.user,
                order_id=order_id,
                reduce_by_c=count if by else None,
                reduce_to_c=None if by else count,
            )
        )

    # --- cash -----------------------------------------------------------------------------

    @rule(user=st.integers(0, 3), cents=st.integers(-20_000, 10_000), odd=rare)
    def cash(self, user: int, cents: int, odd: bool) -> None:
        """Deposit (cents > 0) or withdraw (cents <= 0); odd amounts are not whole cents."""
        amount_cc = abs(cents or 1) * 100 + (37 if odd else 0)
        if cents > 0:
            self.run(c.Deposit(user_id=self.user(user), amount_cc=amount_cc))
        else:
            self.run(c.Withdraw(user_id=self.user(user), amount_cc=amount_cc))

    # --- lifecycle ------------------------------------------------------------------------

    @rule(
        market=st.integers(0, 2),
        action=st.sampled_from(["pause", "resume", "pause", "resume", "exchange"]),
        again=very_rare,
    )
    def market_state(self, market: int, action: str, again: bool) -> None:
        """Pause or resume a market, or toggle the exchange's trading pause (rarely: set the
        exchange to the state it is already in)."""
        if action == "exchange":
            paused = self.model.paused
            self.run(c.SetExchangeState(paused=paused if again else not paused))
            return
        self.run(c.SetMarketState(ticker=self.slots[market], action=action))  # type: ignore[arg-type]

    @precondition(lambda self: self.model.paused)
    @rule()
    def exchange_resume(self) -> None:
        self.run(c.SetExchangeState(paused=False))

    @precondition(lambda self: self.steps >= LATE_STEP)
    @rule(
        market=st.integers(0, 2),
        result=st.sampled_from(["yes", "no", "scalar", "void", "close"]),
        value=st.integers(0, 10_000),
    )
    def settle(self, market: int, result: str, value: int) -> None:
        """Close a market, or determine and settle it at once and list its successor."""
        ticker = self.slots[market]
        if result == "close":
            self.run(c.SetMarketState(ticker=ticker, action="close"))
            return
        self.run(
            c.DetermineMarket(
                ticker=ticker,
                result=result,  # type: ignore[arg-type]
                value_cc=value if result == "scalar" else None,
                settle_now=True,
            )
        )
        if self.model.markets[ticker].status == "finalized":
            family = self.listing[ticker][0]
            successor = f"{family}-{sum(t.startswith(family) for t in self.model.markets)}"
            self.slots[market] = successor
            self.list_market(family, successor)

    # --- invariants -----------------------------------------------------------------------

    @invariant()
    def books_balance(self) -> None:
        assert audit_any(self.x) == []

    @invariant()
    def replay_reproduces_state(self) -> None:
        self.steps += 1
        if self.steps % REPLAY_EVERY == 0:
            self.check_replay()

    def check_replay(self) -> None:
        fresh = new_exchange(INSTANCE)
        for cmd, ts in self.log:
            fresh.apply(cmd, ts)
        assert state_digest(fresh) == state_digest(self.x), "replay diverged"

    def teardown(self) -> None:
        if self.log:
            self.check_replay()


_FAST = settings(
    max_examples=100,
    stateful_step_count=STEPS,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
ExchangeVersusModel.TestCase.settings = _FAST
test_exchange_matches_reference_model = ExchangeVersusModel.TestCase


@pytest.mark.slow
class TestExchangeVersusModelLong(ExchangeVersusModel.TestCase):  # type: ignore[misc,valid-type]
    settings = settings(_FAST, max_examples=250, stateful_step_count=80)


# --- examples the state machine found, pinned -------------------------------------------------


def _pinned_setup() -> list[c.Command]:
    """Applied at time 1."""
    return [
        c.AddSeries(ticker="S", fee_type="quadratic", fee_multiplier_e4=10_000),
        c.AddEvent(event_ticker="E", series_ticker="S"),
        c.AddMarket(ticker="M", event_ticker="E", open_ts_ns=1, close_ts_ns=10**18),
        c.CreateUser(user_id="ann", name="ann"),
        c.Deposit(user_id="ann", amount_cc=1_000_000),
        c.CreateUser(user_id="bob", name="bob"),
        c.Deposit(user_id="bob", amount_cc=1_000_000),
    ]


def _bid(ts: int, **options: Any) -> tuple[int, c.Command]:
    fields: dict[str, Any] = {
        "user_id": "ann",
        "ticker": "M",
        "side": "bid",
        "price_cc": 5_000,
        "count_c": 100,
        "time_in_force": GTC,
    }
    fields.update(options)
    return ts, c.PlaceOrder(**fields)


FIRST_ORDER = "placeholder-for-the-first-order-id"
# Each case: (time, command) pairs, and the reject reason of the last one.
_PINNED: dict[str, tuple[list[tuple[int, c.Command]], str]] = {
    # rejects.py: within the validation stage the enum order is the precedence, and
    # INVALID_PARAMETERS (post_only needs good_till_canceled) comes first.
    "post_only_ioc_off_grid_price": (
        [_bid(2, price_cc=5_050, post_only=True, time_in_force=IOC)],
        "invalid_parameters",
    ),
    "post_only_ioc_fractional_count": (
        [_bid(2, count_c=150, post_only=True, time_in_force=IOC)],
        "invalid_parameters",
    ),
    "post_only_reduce_only_fok": (
        [_bid(2, post_only=True, reduce_only=True, time_in_force=FOK)],
        "invalid_parameters",
    ),
    # The state stage (trading paused) precedes the risk stage (INVALID_AMEND).
    "amend_below_filled_on_paused_market": (
        [
            _bid(2, count_c=300),
            _bid(3, user_id="bob", side="ask", time_in_force=IOC),
            (4, c.SetMarketState(ticker="M", action="pause")),
            (
                5,
                c.AmendOrder(
                    user_id="ann",
                    order_id=FIRST_ORDER,
                    ticker="M",
                    side="bid",
                    price_cc=5_000,
                    count_c=100,
                ),
            ),
        ],
        "trading_is_paused",
    ),
    "amend_below_filled_while_exchange_paused": (
        [
            _bid(2, count_c=300),
            _bid(3, user_id="bob", side="ask", time_in_force=IOC),
            (4, c.SetExchangeState(paused=True)),
            (
                5,
                c.AmendOrder(
                    user_id="ann",
                    order_id=FIRST_ORDER,
                    ticker="M",
                    side="bid",
                    price_cc=5_000,
                    count_c=100,
                ),
            ),
        ],
        "exchange_is_paused",
    ),
    # Identity precedes state: an order that is not yours is not found, even when its
    # market's close cancelled it (otherwise anyone can probe other users' order ids).
    "cancel_someone_elses_order_after_close": (
        [
            _bid(2),
            (3, c.SetMarketState(ticker="M", action="close")),
            (4, c.CancelOrder(user_id="bob", order_id=FIRST_ORDER)),
        ],
        "order_not_found",
    ),
}


@pytest.mark.parametrize("case", sorted(_PINNED))
def test_pinned_reject_reasons(case: str) -> None:
    """Short sequences where the engine's reject reason departed from the documented
    precedence; the model agrees with the expected reason, and the engine must too."""
    commands, expected = _PINNED[case]
    x, model = new_exchange(INSTANCE), ReferenceExchange()
    first_order = ""
    for cmd in _pinned_setup():
        assert x.apply(cmd, 1).ok
        assert model.apply(cmd, 1).ok
    *before, (last_ts, last) = commands
    for ts, cmd in before:
        out: Outcome[object] = x.apply(cmd, ts)
        assert out.ok
        placed = out.value if isinstance(cmd, c.PlaceOrder) else None
        new_id = placed.order_id if isinstance(placed, OrderUpdate) else ""
        first_order = first_order or new_id
        assert model.apply(cmd, ts, new_id).ok
    if hasattr(last, "order_id") and last.order_id == FIRST_ORDER:
        last = msgspec.structs.replace(last, order_id=first_order)
    expected_by_model = model.apply(last, last_ts)
    assert expected_by_model.acceptable == {RejectReason(expected)}
    out = x.apply(last, last_ts)
    assert out.reject is not None
    assert out.reject.reason.value == expected
