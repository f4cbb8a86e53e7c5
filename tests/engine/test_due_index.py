"""The Tick handler reads a time-ordered due index instead of rescanning (issue 11).

Three kinds of evidence:

- structure: a Tick over many markets, few of them due, advances exactly the due ones
  (``advance_market`` is counted; the rescanning handler called it for every market not
  finalized), and cancels exactly the due orders, events hand-derived;
- a second implementation: after every command of random sequences (listings with opens
  and closes ahead, orders resting with expirations, amends that set, move and clear
  them, decreases, cancels, fills, pauses, resumes, closes, determinations with and
  without settlement timers, finalizations, ticks, stale stamps), the index each engine
  holds equals the one recomputed here from the state by the lifecycle rules
  (``engine/market.py``), and survives a snapshot round trip;
- the old behaviour as the reference: every Tick of those sequences is also applied by the
  rescanning handler (the implementation before the index, kept below) to a copy of the
  Python engine, with the same events, result and state; the native engine, when built,
  runs the same sequences and must match the Python engine command by command.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from augury.domain.enums import MarketStatus
from augury.engine import commands as c
from augury.engine import lifecycle
from augury.engine.audit import audit
from augury.engine.events import MarketUpdate, OrderUpdate
from augury.engine.exchange import HANDLERS, Exchange
from augury.engine.lifecycle import advance_market
from augury.engine.state import make_snapshot
from augury.runtime import native_engine
from tests.engine.native_engine import digest_any, load_any
from tests.engine.rescan_tick import rescanning_tick

SECOND = 1_000_000_000
T0 = 1_800_000_000 * SECOND


def expected_index(exchange: Any) -> tuple[dict[str, int], dict[str, int]]:
    """The due index recomputed from the state: resting orders with an expiration at it;
    markets by their next step (open and close ahead of an initialized market, close of
    an open or paused one, payout of a determined or amended one after its timer)."""
    orders = {
        order_id: order.expiration_ts_ns
        for order_id, order in exchange.orders.items()
        if order.expiration_ts_ns is not None
    }
    markets: dict[str, int] = {}
    for ticker, m in exchange.markets.items():
        steps: list[int] = []
        if m.status is MarketStatus.INITIALIZED:
            steps = [m.open_ts_ns, m.close_ts_ns]
        elif m.status in (MarketStatus.ACTIVE, MarketStatus.INACTIVE):
            steps = [m.close_ts_ns]
        elif m.status in (MarketStatus.DETERMINED, MarketStatus.AMENDED):
            steps = [m.determined_ns + m.settlement_timer_s * SECOND]
        if steps:
            markets[ticker] = min(steps)
    return orders, markets


def held_index(exchange: Any) -> tuple[dict[str, int], dict[str, int]]:
    return dict(exchange.expiring.items()), dict(exchange.market_due.items())


@contextmanager
def rescanning() -> Iterator[None]:
    with mock.patch.dict(HANDLERS, {c.Tick: rescanning_tick}):
        yield


# --- structure -------------------------------------------------------------------------


def _listing(n_markets: int, n_orders: int) -> tuple[Exchange, list[str]]:
    """Markets M000.. closing one second apart from T0 + 10 s; bids on each expiring one
    second apart from T0 + 5 s, the last ones placed first (so id order != time order)."""
    ex = Exchange("due")
    setup: list[c.Single] = [
        c.AddSeries(ticker="S", fee_type="quadratic", fee_multiplier_e4=10_000),
        c.AddEvent(event_ticker="E", series_ticker="S"),
        c.CreateUser(user_id="u", name="u"),
        c.Deposit(user_id="u", amount_cc=10**12),
    ]
    for i in range(n_markets):
        close = T0 + (10 + i) * SECOND
        setup.append(
            c.AddMarket(ticker=f"M{i:03}", event_ticker="E", open_ts_ns=0, close_ts_ns=close)
        )
    for command in setup:
        assert ex.apply(command, T0).ok
    ids = []
    for j in reversed(range(n_orders)):
        place = c.PlaceOrder(
            user_id="u",
            ticker=f"M{j % n_markets:03}",
            side="bid",
            price_cc=1_000,
            count_c=100,
            time_in_force="good_till_canceled",
            expiration_ts_ns=T0 + (5 + j) * SECOND,
        )
        outcome = ex.apply(place, T0)
        assert outcome.ok
        ids.append(outcome.value.order_id)
    ids.reverse()  # ids[j] expires at T0 + (5 + j) s
    return ex, ids


def test_a_tick_advances_only_the_due_markets_and_expires_only_the_due_orders(
    monkeypatch: Any,
) -> None:
    ex, ids = _listing(n_markets=40, n_orders=200)
    calls: list[str] = []

    def counted(exchange: Exchange, market: Any) -> None:
        calls.append(market.ticker)
        advance_market(exchange, market)

    monkeypatch.setattr(lifecycle, "advance_market", counted)
    # At T0 + 11 s: markets M000 (closes at +10 s) and M001 (+11 s) are due; orders 0..6
    # (expiring at +5 .. +11 s) are due, but those of M000 and M001 (j = 0, 1, 40, 41, ...)
    # are cancelled by their market's close first.
    outcome = ex.apply(c.Tick(), T0 + 11 * SECOND)
    assert calls == ["M000", "M001"]
    closed = [e.ticker for e in outcome.events if isinstance(e, MarketUpdate)]
    assert closed == ["M000", "M001"]
    expired = [
        e.order_id for e in outcome.events if isinstance(e, OrderUpdate) and e.reason == "expired"
    ]
    assert expired == sorted(ids[j] for j in range(2, 7))
    assert outcome.value == 5
    # Nothing due: a tick touches nothing at all.
    calls.clear()
    quiet = ex.apply(c.Tick(), T0 + 11 * SECOND + 1)
    assert calls == []
    assert quiet.events == []
    assert quiet.value == 0
    assert held_index(ex) == expected_index(ex)


def test_markets_due_at_one_tick_advance_in_listing_order_not_time_or_name_order() -> None:
    ex = Exchange("due")
    for command in [
        c.AddSeries(ticker="S", fee_type="quadratic", fee_multiplier_e4=10_000),
        c.AddEvent(event_ticker="E", series_ticker="S"),
        c.AddMarket(ticker="Z", event_ticker="E", open_ts_ns=0, close_ts_ns=T0 + 3 * SECOND),
        c.AddMarket(ticker="A", event_ticker="E", open_ts_ns=0, close_ts_ns=T0 + 1 * SECOND),
        c.AddMarket(
            ticker="M", event_ticker="E", open_ts_ns=T0 + 2 * SECOND, close_ts_ns=T0 + 9 * SECOND
        ),
    ]:
        assert ex.apply(command, T0).ok
    events = ex.apply(c.Tick(), T0 + 5 * SECOND).events
    assert [(e.ticker, e.kind) for e in events if isinstance(e, MarketUpdate)] == [
        ("Z", "closed"),
        ("A", "closed"),
        ("M", "opened"),
    ]
    assert held_index(ex) == ({}, {"M": T0 + 9 * SECOND})


# --- random sequences against a second implementation and the rescanning handler --------

USERS = ("a", "b", "c")
PRICES = (2_000, 4_000, 5_000, 6_000, 8_000)
SIDES: tuple[Literal["bid", "ask"], ...] = ("bid", "ask")
ACTIONS: tuple[Literal["pause", "resume", "close"], ...] = ("pause", "resume", "close")
RESULTS: tuple[Literal["yes", "no", "void"], ...] = ("yes", "no", "void")


def _refusal(outcome: Any) -> tuple[str, str] | None:
    reject = outcome.reject
    return None if reject is None else (reject.reason.value, reject.message)


class World:
    """One random sequence applied to the Python engine and (when built) the native one."""

    def __init__(self, data: st.DataObject) -> None:
        self.data = data
        self.ts = T0
        self.python = Exchange("due")
        self.native = native_engine.NativeExchange("due") if native_engine.available() else None
        self.tickers: list[str] = []
        self.live: dict[
            str, tuple[str, str, Literal["bid", "ask"]]
        ] = {}  # order id -> (user, ticker, side)
        self.ticks = 0
        self.apply(c.AddSeries(ticker="S", fee_type="quadratic", fee_multiplier_e4=10_000))
        self.apply(c.AddEvent(event_ticker="E", series_ticker="S"))
        for user in USERS:
            self.apply(c.CreateUser(user_id=user, name=user))
            self.apply(c.Deposit(user_id=user, amount_cc=10**9))
        for _ in range(data.draw(st.integers(2, 5), label="markets")):
            self.list_market()

    def draw(self, strategy: st.SearchStrategy[Any]) -> Any:
        return self.data.draw(strategy)

    def later(self, most_s: int) -> int:
        quarters: int = self.draw(st.integers(0, most_s * 4))
        return self.ts + quarters * SECOND // 4

    def list_market(self) -> None:
        ticker = f"T{len(self.tickers)}"
        opens = self.ts + self.draw(st.integers(-2, 4)) * SECOND
        closes = max(opens, self.ts) + self.draw(st.integers(1, 12)) * SECOND
        timer = self.draw(st.integers(0, 3))
        self.tickers.append(ticker)
        self.apply(
            c.AddMarket(
                ticker=ticker,
                event_ticker="E",
                open_ts_ns=opens,
                close_ts_ns=closes,
                settlement_timer_s=timer,
            )
        )

    def apply(self, command: c.Single) -> None:
        python, native, ts = self.python, self.native, self.ts
        reference = None
        if isinstance(command, c.Tick):
            self.ticks += 1
            reference = copy.deepcopy(python)
            with rescanning():
                wanted = reference.apply(command, ts)
        outcome = python.apply(command, ts)
        if native is not None:
            other = native.apply(command, ts)
            assert _refusal(other) == _refusal(outcome), command
            assert other.events == outcome.events, command
            assert digest_any(native) == digest_any(python), command
        if reference is not None:
            assert outcome.events == wanted.events
            assert outcome.value == wanted.value
            assert digest_any(python) == digest_any(reference)
        for event in outcome.events:
            if isinstance(event, OrderUpdate):
                if event.status == "resting":
                    side: Literal["bid", "ask"] = "bid" if event.side == "bid" else "ask"
                    self.live[event.order_id] = (event.user_id, event.ticker, side)
                else:
                    self.live.pop(event.order_id, None)
        for exchange in (python, native):
            if exchange is not None:
                assert held_index(exchange) == expected_index(exchange), command

    def step(self) -> None:
        roll = self.draw(st.integers(0, 99))
        if self.draw(st.integers(0, 19)) == 0:
            self.ts -= SECOND  # a stale stamp: the exchange's time stays
        else:
            self.ts = self.later(2)
        ticker = self.draw(st.sampled_from(self.tickers))
        if roll < 35:
            expiry = self.draw(
                st.none() | st.integers(1, 16).map(lambda q: self.ts + q * SECOND // 4)
            )
            self.apply(
                c.PlaceOrder(
                    user_id=self.draw(st.sampled_from(USERS)),
                    ticker=ticker,
                    side=self.draw(st.sampled_from(SIDES)),
                    price_cc=self.draw(st.sampled_from(PRICES)),
                    count_c=self.draw(st.integers(1, 4)) * 100,
                    time_in_force="good_till_canceled",
                    expiration_ts_ns=expiry,
                )
            )
        elif roll < 60 and self.live:
            order_id = self.draw(st.sampled_from(sorted(self.live)))
            user, on, side = self.live[order_id]
            kind = self.draw(st.integers(0, 2))
            if kind == 0:
                expiry = self.draw(
                    st.none()
                    | st.just(0)
                    | st.integers(1, 16).map(lambda q: self.ts + q * SECOND // 4)
                )
                self.apply(
                    c.AmendOrder(
                        user_id=user,
                        order_id=order_id,
                        ticker=on,
                        side=side,
                        price_cc=self.draw(st.sampled_from(PRICES)),
                        count_c=self.draw(st.integers(1, 6)) * 100,
                        expiration_ts_ns=expiry,
                    )
                )
            elif kind == 1:
                self.apply(c.DecreaseOrder(user_id=user, order_id=order_id, reduce_by_c=100))
            else:
                self.apply(c.CancelOrder(user_id=user, order_id=order_id))
        elif roll < 66:
            action = self.draw(st.sampled_from(ACTIONS))
            self.apply(c.SetMarketState(ticker=ticker, action=action))
        elif roll < 72:
            result = self.draw(st.sampled_from(RESULTS))
            settle_now = self.draw(st.booleans())
            self.apply(c.DetermineMarket(ticker=ticker, result=result, settle_now=settle_now))
        elif roll < 75:
            self.apply(c.FinalizeMarket(ticker=ticker))
        elif roll < 80:
            self.list_market()
        else:
            self.ts = self.later(4)
            self.apply(c.Tick())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_index_matches_the_state_and_ticks_match_the_rescan(data: st.DataObject) -> None:
    world = World(data)
    for _ in range(data.draw(st.integers(10, 60), label="commands")):
        world.step()
    world.ts = world.later(8)
    world.apply(c.Tick())
    for exchange in (world.python, world.native):
        if exchange is not None:
            loaded = load_any(make_snapshot(exchange), exchange)
            assert held_index(loaded) == held_index(exchange) == expected_index(loaded)


def test_the_auditor_finds_a_due_index_out_of_step_with_the_state() -> None:
    ex, ids = _listing(n_markets=3, n_orders=6)
    assert audit(ex) == []
    ex.expiring.pop(ids[0])
    assert any("expiry index differs" in p for p in audit(ex))
    ex.expiring[ids[0]] = T0 + 5 * SECOND
    ex.market_due.set("M001", T0)
    assert any("market step index differs" in p for p in audit(ex))
    ex.market_due.set("M001", T0 + 11 * SECOND)
    assert audit(ex) == []
    ex.markets["M002"].seq = 0
    assert any("listing sequence" in p for p in audit(ex))
