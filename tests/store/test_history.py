"""The history read models, fed by a real exchange, on SQLite and (when configured) PostgreSQL.

Each test drives ``Exchange`` with commands, hands ``(seq, command, outcome)`` to a
``HistoryWriter`` in batches as the sequencer would, and reads back through
``HistoryReader``. PostgreSQL runs when AUGURY_TEST_POSTGRES_URL is set; each test then gets
its own schema (via the URL's search_path).
"""

from __future__ import annotations

import os
import random
import secrets
import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar, cast

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from augury.engine import commands as c
from augury.engine.events import FillEvent, OrderUpdate, TradeEvent
from augury.engine.exchange import Exchange, Outcome
from augury.engine.results import Amended, batch_outcomes
from augury.engine.state import load_snapshot, make_snapshot
from augury.store.history import HistoryGapError, HistoryWriter
from augury.store.history_read import HistoryReader, InvalidCursorError
from augury.store.migrate import sqlalchemy_url

PG_URL = os.environ.get("AUGURY_TEST_POSTGRES_URL")
INTEGRITY_ERRORS = (sqlite3.IntegrityError, psycopg.errors.UniqueViolation)
S = 1_000_000_000  # ns per second
R = TypeVar("R")
T0 = 1_800_057_600  # a UTC midnight, in seconds: every period boundary falls on it
HISTORY_TABLES = {
    "orders": "order_id",
    "fills": "fill_id",
    "trades": "trade_id",
    "settlements": "user_id, subaccount, ticker",
    "cash_movements": "id",
    "candles": "ticker, period_min, end_ts_s",
    "market_stats": "ticker",
}

Item = tuple[int, c.Command, Outcome[object]]


def _new_url(kind: str, tmp_path: Path, name: str) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / name}"
        return
    if not PG_URL:
        pytest.skip("AUGURY_TEST_POSTGRES_URL is not set")
    schema = f"t_{secrets.token_hex(6)}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    separator = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def url(backend: str, tmp_path: Path) -> Iterator[str]:
    yield from _new_url(backend, tmp_path, "a.db")


@pytest.fixture
def url2(backend: str, tmp_path: Path) -> Iterator[str]:
    yield from _new_url(backend, tmp_path, "b.db")


def raw(
    url: str, statement: str, params: Mapping[str, object] | None = None
) -> list[tuple[Any, ...]]:
    """Run SQL behind the writer's back."""
    engine = create_engine(sqlalchemy_url(url), poolclass=NullPool)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(statement), dict(params or {}))
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every history table, in key order, plus the watermark."""
    tables = {
        name: [tuple(int(v) if isinstance(v, bool) else v for v in row) for row in rows]
        for name, key in HISTORY_TABLES.items()
        for rows in [raw(url, f"SELECT * FROM {name} ORDER BY {key}")]
    }
    tables["meta"] = raw(url, "SELECT key, value FROM meta WHERE key = 'history.seq'")
    return tables


class Feed:
    """An exchange plus the sequencer's numbering: applies commands and keeps the items."""

    def __init__(self, exchange: Exchange | None = None, seq: int = 0) -> None:
        self.x = exchange if exchange is not None else Exchange("history-test")
        self.seq = seq
        self.items: list[Item] = []
        self.times: list[int] = []  # each item's time, as the journal records it
        self.pending: list[Item] = []

    def do(self, command: c.Cmd[R], ts_ns: int, *, ok: bool = True) -> Outcome[R]:
        outcome = self.x.apply(command, ts_ns)
        if ok:
            assert outcome.ok, outcome.reject
        self.seq += 1
        item: Item = (self.seq, cast(c.Command, command), outcome)
        self.items.append(item)
        self.times.append(ts_ns)
        self.pending.append(item)
        return outcome

    def flush(self, writer: HistoryWriter) -> None:
        writer.apply_batch(self.pending)
        self.pending = []

    def setup(self, ts_s: int, users: tuple[str, ...], markets: tuple[str, ...]) -> None:
        ts = ts_s * S
        for user in users:
            self.do(c.CreateUser(user_id=user, name=user), ts)
            self.do(c.Deposit(user_id=user, amount_cc=100_000_000), ts)
        self.do(c.AddSeries(ticker="SER", fee_type="quadratic", fee_multiplier_e4=10_000), ts)
        for i, ticker in enumerate(markets):
            event = f"EV{i % 2}"
            if event not in self.x.events:
                self.do(c.AddEvent(event_ticker=event, series_ticker="SER"), ts)
            self.do(
                c.AddMarket(
                    ticker=ticker,
                    event_ticker=event,
                    open_ts_ns=ts,
                    close_ts_ns=(T0 + 30 * 86_400) * S,
                ),
                ts,
            )

    def place(
        self, ts_s: float, user: str, side: str, price_cc: int, count: int, **kw: Any
    ) -> Outcome[OrderUpdate]:
        ok = kw.pop("ok", True)
        return self.do(
            c.PlaceOrder(
                user_id=user,
                ticker=kw.pop("ticker", "MKT"),
                side=side,  # type: ignore[arg-type]
                price_cc=price_cc,
                count_c=count * 100,
                time_in_force=kw.pop("tif", "good_till_canceled"),
                **kw,
            ),
            int(ts_s * S),
            ok=ok,
        )


def final_orders(items: list[Item]) -> dict[str, OrderUpdate]:
    """The oracle: each order's last snapshot, from its events and amend results."""
    last: dict[str, OrderUpdate] = {}
    for _, command, outcome in items:
        pairs = (
            zip(command.items, batch_outcomes(outcome), strict=True)
            if isinstance(command, c.Batch)
            else [(command, outcome)]
        )
        for leaf, out in pairs:
            for ev in out.events:
                if isinstance(ev, OrderUpdate):
                    last[ev.order_id] = ev
            if isinstance(leaf, c.AmendOrder) and out.ok:
                amended = out.value
                assert isinstance(amended, Amended)
                last[amended.new.order_id] = amended.new
    return last


def events_of(items: list[Item], kind: type[Any]) -> list[Any]:
    return [ev for _, _, out in items for ev in out.events if isinstance(ev, kind)]


def page_all(fetch: Any, limit: int) -> list[Any]:
    rows: list[Any] = []
    cursor = ""
    for _ in range(10_000):  # a cursor that never advances must fail, not hang
        page, cursor = fetch(limit=limit, cursor=cursor)
        assert len(page) <= limit
        rows.extend(page)
        if not cursor:
            return rows
        assert len(page) == limit
    raise AssertionError("paging did not end")


# --- the candle scenario ---------------------------------------------------------------


def candle_scenario(feed: Feed, writer: HistoryWriter) -> None:
    """Five trades in the minute ending T0+60 and one in the minute ending T0+120, fed
    in three batches that each split a minute."""
    feed.setup(T0, ("alice", "bob", "carol", "dan"), ("MKT",))
    feed.place(T0 + 10, "alice", "bid", 4000, 10)  # bid 0 -> 40c
    feed.place(T0 + 20, "bob", "ask", 4000, 3, tif="immediate_or_cancel")  # trade 40c x3
    feed.place(T0 + 30, "carol", "ask", 6000, 5)  # ask $1 -> 60c
    feed.flush(writer)
    feed.place(T0 + 40, "dan", "bid", 6000, 2)  # trade 60c x2
    feed.place(T0 + 60, "bob", "ask", 4000, 7, tif="immediate_or_cancel")  # 40c x7, bid -> 0
    feed.place(T0 + 61, "dan", "bid", 5500, 4)  # next minute: bid -> 55c
    feed.flush(writer)
    feed.place(T0 + 90, "bob", "ask", 5000, 4, tif="immediate_or_cancel")  # 55c x4, bid -> 0
    feed.flush(writer)


def test_candles_follow_trades_and_quotes_across_periods_and_batches(url: str) -> None:
    feed = Feed()
    with HistoryWriter.open(url) as writer, HistoryReader.open(url) as reader:
        candle_scenario(feed, writer)

        first, second = reader.candles("MKT", 1, T0, T0 + 3600)
        assert (first.end_ts_s, second.end_ts_s) == (T0 + 60, T0 + 120)
        assert (first.price_open_cc, first.price_high_cc) == (4000, 6000)
        assert (first.price_low_cc, first.price_close_cc) == (4000, 4000)
        assert first.price_previous_cc is None
        assert first.volume_c == 1200
        assert first.price_volume_fine == 4000 * 300 + 6000 * 200 + 4000 * 700
        assert (first.yes_bid_open_cc, first.yes_bid_high_cc) == (0, 4000)
        assert (first.yes_bid_low_cc, first.yes_bid_close_cc) == (0, 0)
        assert (first.yes_ask_open_cc, first.yes_ask_high_cc) == (10_000, 10_000)
        assert (first.yes_ask_low_cc, first.yes_ask_close_cc) == (6000, 6000)
        assert first.open_interest_c == 1200  # alice 10 + dan 2 YES

        assert (second.price_open_cc, second.price_high_cc) == (5500, 5500)
        assert (second.price_low_cc, second.price_close_cc) == (5500, 5500)
        assert second.price_previous_cc == 4000
        assert second.volume_c == 400
        assert (second.yes_bid_open_cc, second.yes_bid_high_cc) == (0, 5500)
        assert (second.yes_bid_low_cc, second.yes_bid_close_cc) == (0, 0)
        assert second.yes_ask_open_cc == second.yes_ask_close_cc == 6000
        assert second.open_interest_c == 1600
        assert second.open_interest_c == feed.x.markets["MKT"].open_interest_c

        for period, end in ((60, T0 + 3600), (1440, T0 + 86_400)):
            (hour,) = reader.candles("MKT", period, T0, T0 + 86_400)
            assert hour.end_ts_s == end
            assert (hour.price_open_cc, hour.price_high_cc) == (4000, 6000)
            assert (hour.price_low_cc, hour.price_close_cc) == (4000, 5500)
            assert hour.volume_c == 1600
            assert (hour.yes_bid_open_cc, hour.yes_bid_high_cc, hour.yes_bid_close_cc) == (
                0,
                5500,
                0,
            )
            assert (hour.yes_ask_open_cc, hour.yes_ask_low_cc) == (10_000, 6000)
            assert hour.open_interest_c == 1600

        assert reader.candles("MKT", 1, T0 + 61, T0 + 120) == [second]
        assert reader.candle_before("MKT", 1, T0 + 120) == first
        assert reader.volume_24h("MKT", (T0 + 120) * S) == 1600
        assert reader.volume_24h("MKT", (T0 + 86_400 + 61) * S) == 400
        day_ago = reader.quotes_at("MKT", (T0 + 60) * S)
        assert day_ago is not None
        assert (day_ago.last_price_cc, day_ago.yes_bid_cc, day_ago.yes_ask_cc) == (4000, 0, 6000)
        assert reader.quotes_at("MKT", (T0 + 59) * S) is None

        stats = reader.market_stats("MKT")
        assert stats is not None
        market = feed.x.markets["MKT"]
        assert (stats.volume_c, stats.open_interest_c) == (market.volume_c, 1600)
        assert (stats.last_price_cc, stats.last_trade_ns) == (5500, (T0 + 90) * S)
        assert (stats.yes_bid_cc, stats.yes_ask_cc) == (0, 6000)
        assert reader.watermark() == writer.watermark() == feed.seq


# --- orders, fills, trades, settlements, cash ---------------------------------------------


def trading_scenario(feed: Feed, writer: HistoryWriter) -> dict[str, str]:
    """Orders that end every way an order can end; returns names -> order ids."""
    feed.setup(T0, ("alice", "bob", "carol"), ("MKT", "OTHER"))
    feed.do(c.CreateSubaccount(user_id="alice"), T0 * S)
    feed.do(
        c.TransferCash(
            user_id="alice",
            from_subaccount=0,
            to_subaccount=1,
            amount_cc=1_000_000,
            transfer_id="tr-1",
        ),
        T0 * S,
    )
    ids: dict[str, str] = {}
    ids["rest"] = feed.place(T0 + 1, "alice", "bid", 4000, 10, client_order_id="a1").value.order_id
    ids["taker"] = feed.place(T0 + 2, "bob", "ask", 3900, 4).value.order_id  # executed
    ids["sub"] = feed.place(T0 + 3, "alice", "ask", 7000, 5, subaccount=1).value.order_id
    feed.flush(writer)
    ids["ioc"] = feed.place(
        T0 + 4, "carol", "bid", 3000, 2, tif="immediate_or_cancel"
    ).value.order_id
    ids["fok"] = feed.place(T0 + 5, "carol", "bid", 7000, 50, tif="fill_or_kill").value.order_id
    feed.do(
        c.AmendOrder(
            user_id="alice",
            order_id=ids["rest"],
            ticker="MKT",
            side="bid",
            price_cc=4000,
            count_c=1000,
            updated_client_order_id="a1-renamed",
        ),
        (T0 + 6) * S,
    )
    ids["other"] = feed.place(T0 + 7, "bob", "bid", 2000, 3, ticker="OTHER").value.order_id
    feed.do(c.DecreaseOrder(user_id="bob", order_id=ids["other"], reduce_by_c=100), (T0 + 8) * S)
    feed.do(
        c.AmendOrder(
            user_id="bob",
            order_id=ids["other"],
            ticker="OTHER",
            side="bid",
            price_cc=2000,
            count_c=200,
            updated_client_order_id="b-renamed",
            expiration_ts_ns=(T0 + 3600) * S,
        ),
        (T0 + 8) * S,
    )
    batch = feed.do(
        c.Batch.of(
            [
                c.PlaceOrder(
                    user_id="carol",
                    ticker="MKT",
                    side="ask",
                    price_cc=4000,
                    count_c=300,
                    time_in_force="good_till_canceled",
                ),
                c.CancelOrder(user_id="bob", order_id="no-such-order"),
            ],
        ),
        (T0 + 9) * S,
    )
    ids["batched"] = batch.value[0].value.order_id
    feed.flush(writer)
    feed.do(c.CancelOrder(user_id="alice", order_id=ids["rest"]), (T0 + 10) * S)
    feed.do(c.Withdraw(user_id="carol", amount_cc=50_000), (T0 + 11) * S)
    feed.do(c.DetermineMarket(ticker="MKT", result="yes", settle_now=True), (T0 + 12) * S)
    feed.flush(writer)
    return ids


def test_order_history_holds_the_final_state_of_every_order(url: str) -> None:
    feed = Feed()
    with HistoryWriter.open(url) as writer, HistoryReader.open(url) as reader:
        ids = trading_scenario(feed, writer)
        expected = final_orders(feed.items)
        assert set(expected) == set(ids.values())

        for order_id, snap in expected.items():
            row = reader.order(order_id)
            assert row is not None
            for field in (
                "user_id", "subaccount", "ticker", "side", "price_cc", "initial_c", "fill_c",
                "remaining_c", "status", "time_in_force", "client_order_id", "post_only",
                "created_ns", "taker_fill_cost_cc", "maker_fill_cost_cc", "taker_fees_cc",
                "maker_fees_cc", "expiration_ts_ns", "order_group_id",
            ):  # fmt: skip
                assert getattr(row, field) == getattr(snap, field), (order_id, field)
            assert row.updated_ns == snap.ts_ns
            assert row.event_ticker == ("EV0" if row.ticker == "MKT" else "EV1")

        rest = reader.order(ids["rest"])
        assert rest is not None
        assert (rest.status, rest.client_order_id) == ("canceled", "a1-renamed")
        assert (rest.fill_c, rest.remaining_c) == (700, 0)  # bob 4 + carol 3
        taker = reader.order(ids["taker"])
        assert taker is not None
        assert (taker.status, taker.fill_c) == ("executed", 400)
        ioc = reader.order(ids["ioc"])
        assert ioc is not None
        assert (ioc.status, ioc.fill_c) == ("canceled", 0)
        other = reader.order(ids["other"])
        assert other is not None
        assert (other.status, other.remaining_c) == ("resting", 200)
        # A metadata-only amend emits no event: only its result snapshot records it.
        assert (other.client_order_id, other.expiration_ts_ns) == ("b-renamed", (T0 + 3600) * S)
        assert reader.order("no-such-order") is None

        listed, cursor = reader.orders("alice")
        assert cursor == ""
        assert [o.order_id for o in listed] == [ids["sub"], ids["rest"]]  # newest first
        assert [o.order_id for o in reader.orders("alice", subaccount=1)[0]] == [ids["sub"]]
        assert [o.order_id for o in reader.orders("bob", ticker="OTHER")[0]] == [ids["other"]]
        assert [o.order_id for o in reader.orders("bob", event_tickers=["EV1", "EVX"])[0]] == [
            ids["other"]
        ]
        assert [o.order_id for o in reader.orders("carol", status="canceled")[0]] == [
            ids["fok"],
            ids["ioc"],
        ]
        window = reader.orders("carol", min_ts_ns=(T0 + 5) * S, max_ts_ns=(T0 + 9) * S)[0]
        assert [o.order_id for o in window] == [ids["batched"], ids["fok"]]


def test_fills_trades_settlements_and_cash_movements(url: str) -> None:
    feed = Feed()
    with HistoryWriter.open(url) as writer, HistoryReader.open(url) as reader:
        ids = trading_scenario(feed, writer)
        fills = events_of(feed.items, FillEvent)
        trades = events_of(feed.items, TradeEvent)
        assert len(trades) == 2

        alice_fills, cursor = reader.fills("alice")
        assert cursor == ""
        expected = [f for f in reversed(fills) if f.user_id == "alice"]
        assert [f.fill_id for f in alice_fills] == [f.fill_id for f in expected]
        for row, ev in zip(alice_fills, expected, strict=True):
            assert (row.order_id, row.price_cc, row.count_c, row.is_taker, row.fee_cc) == (
                ev.order_id,
                ev.price_cc,
                ev.count_c,
                ev.is_taker,
                ev.fee_cc,
            )
            assert (row.post_position_c, row.ts_ns, row.side) == (
                ev.post_position_c,
                ev.ts_ns,
                ev.side,
            )
        assert all(not f.is_taker for f in alice_fills)
        assert [f.order_id for f in reader.fills("bob", order_id=ids["taker"])[0]] == [ids["taker"]]
        assert reader.fills("bob", tickers=["OTHER"])[0] == []
        assert len(reader.fills("carol", tickers=["MKT", "OTHER"])[0]) == 1

        listed, _ = reader.trades(ticker="MKT")
        assert [t.trade_id for t in listed] == [t.trade_id for t in reversed(trades)]
        assert (listed[0].price_cc, listed[0].count_c, listed[0].taker_side) == (4000, 300, "ask")
        assert reader.trades(ticker="OTHER")[0] == []
        assert [t.trade_id for t in reader.trades(max_ts_ns=(T0 + 2) * S)[0]] == [
            trades[0].trade_id
        ]

        alice, _ = reader.settlements("alice")
        assert [(s.ticker, s.subaccount, s.result, s.yes_c) for s in alice] == [
            ("MKT", 0, "yes", 700)
        ]
        assert alice[0].revenue_cc == 700 * 100
        assert alice[0].event_ticker == "EV0"
        assert alice[0].value_cc == 10_000
        assert reader.settlements("alice", event_ticker="EV1")[0] == []
        bob, _ = reader.settlements("bob", ticker="MKT")
        assert [(s.no_c, s.revenue_cc) for s in bob] == [(400, 0)]

        movements, _ = reader.cash_movements("alice")
        assert [(m.kind, m.subaccount, m.to_subaccount, m.transfer_id) for m in movements] == [
            ("transfer", 0, 1, "tr-1"),
            ("deposit", 0, None, None),
        ]
        assert [m.kind for m in reader.cash_movements("alice", subaccount=1)[0]] == ["transfer"]
        (withdrawal,) = reader.cash_movements("carol", kind="withdrawal")[0]
        assert withdrawal.amount_cc == 50_000


# --- paging, watermark, atomicity, rebuild ------------------------------------------------


def random_workload(feed: Feed, writer: HistoryWriter, steps: int, seed: int) -> None:
    rng = random.Random(seed)
    users = ("u0", "u1", "u2", "u3")
    feed.setup(T0, users, ("MKT", "OTHER"))
    feed.flush(writer)
    ts = float(T0)
    for step in range(steps):
        ts += rng.choice((0.0, 0.0, 0.5, 7.0, 40.0))  # sequencer batches share one ts
        user = rng.choice(users)
        ticker = rng.choice(("MKT", "MKT", "OTHER"))
        roll = rng.random()
        resting = [o for o in feed.x.orders.values() if o.key[0] == user]
        if roll < 0.12 and resting:
            order = rng.choice(resting)
            feed.do(c.CancelOrder(user_id=user, order_id=order.order_id), int(ts * S))
        elif roll < 0.17 and resting:
            order = rng.choice(resting)
            feed.do(
                c.AmendOrder(
                    user_id=user,
                    order_id=order.order_id,
                    ticker=order.ticker,
                    side=order.side,  # type: ignore[arg-type]
                    price_cc=rng.randrange(30, 70) * 100,
                    count_c=order.fill_c + rng.randrange(1, 5) * 100,
                ),
                int(ts * S),
                ok=False,
            )
        else:
            side = rng.choice(("bid", "ask"))
            feed.do(
                c.PlaceOrder(
                    user_id=user,
                    ticker=ticker,
                    side=side,  # type: ignore[arg-type]
                    price_cc=rng.randrange(35, 66) * 100,
                    count_c=rng.randrange(1, 8) * 100,
                    time_in_force=rng.choice(("good_till_canceled", "immediate_or_cancel")),
                ),
                int(ts * S),
                ok=False,
            )
        if rng.random() < 0.08 or step == steps - 1:
            feed.flush(writer)


def test_tapes_track_the_engine_and_paging_neither_repeats_nor_skips(url: str) -> None:
    feed = Feed()
    with HistoryWriter.open(url) as writer, HistoryReader.open(url) as reader:
        random_workload(feed, writer, steps=600, seed=7)
        for ticker, market in feed.x.markets.items():
            tape = writer.tape(ticker)
            assert tape is not None
            prices = market.grid.prices_cc
            assert tape.bids == {prices[i]: n for i, n in market.book.levels(True)}
            assert tape.asks == {prices[i]: n for i, n in market.book.levels(False)}
            assert tape.open_interest_c == market.open_interest_c
            stats = reader.market_stats(ticker)
            assert stats is not None
            assert (stats.volume_c, stats.open_interest_c, stats.last_price_cc) == (
                market.volume_c,
                market.open_interest_c,
                market.last_price_cc,
            )
            book = market.book
            bid = prices[book.best_bid] if book.best_bid >= 0 else 0
            ask = prices[book.best_ask] if book.best_ask < book.size else 10_000
            assert (stats.yes_bid_cc, stats.yes_ask_cc) == (bid, ask)
            for period in (1, 60, 1440):
                candles = reader.candles(ticker, period, 0, 2 * T0)
                assert sum(k.volume_c for k in candles) == market.volume_c
                last = candles[-1]
                assert (last.yes_bid_close_cc, last.yes_ask_close_cc) == (bid, ask)
                assert last.open_interest_c == market.open_interest_c

        trades = [t.trade_id for t in reversed(events_of(feed.items, TradeEvent))]
        assert len(trades) > 50
        for limit in (1, 7, 50):
            assert [t.trade_id for t in page_all(reader.trades, limit)] == trades
        fills = [f.fill_id for f in reversed(events_of(feed.items, FillEvent)) if f.user_id == "u1"]
        assert [f.fill_id for f in page_all(lambda **kw: reader.fills("u1", **kw), 9)] == fills
        expected_orders = final_orders(feed.items)
        listed = page_all(lambda **kw: reader.orders("u2", **kw), 13)
        assert len(listed) == len({o.order_id for o in listed})
        assert {o.order_id: o.status for o in listed} == {
            oid: snap.status for oid, snap in expected_orders.items() if snap.user_id == "u2"
        }
        created = [o.created_ns for o in listed]
        assert created == sorted(created, reverse=True)

        # A cursor is stable while new rows arrive: they land before the first page.
        first, cursor = reader.trades(limit=5)
        random_workload_more(feed, writer)
        rest = page_all(lambda **kw: reader.trades(**{**kw, "cursor": kw["cursor"] or cursor}), 11)
        assert [t.trade_id for t in first + rest] == trades
        with pytest.raises(InvalidCursorError):
            reader.trades(cursor="nonsense")


def random_workload_more(feed: Feed, writer: HistoryWriter) -> None:
    """Two marketable orders, after everything else."""
    ts = feed.x.now_ns + S
    for user, side, price_cc in (("u0", "bid", 9900), ("u1", "ask", 100)):
        feed.do(
            c.PlaceOrder(
                user_id=user,
                ticker="MKT",
                side=side,  # type: ignore[arg-type]
                price_cc=price_cc,
                count_c=100,
                time_in_force="immediate_or_cancel",
            ),
            ts,
            ok=False,
        )
    feed.flush(writer)


def test_a_failed_batch_writes_nothing_and_can_be_applied_again(url: str, url2: str) -> None:
    feed = Feed()
    with HistoryWriter.open(url) as writer, HistoryWriter.open(url2) as reference:
        candle_scenario(feed, reference)
        items = feed.items
        cut = next(i for i, ts_ns in enumerate(feed.times) if ts_ns == (T0 + 40) * S)
        writer.apply_batch(items[:cut])
        before = dump(url)
        assert writer.watermark() == cut

        # A row planted under the id of the batch's first trade makes its insert fail.
        first_trade = next(ev for _, _, out in items[cut:] for ev in out.events
                           if isinstance(ev, TradeEvent))  # fmt: skip
        raw(
            url,
            "INSERT INTO trades (trade_id, ticker, price_cc, count_c, taker_side, ts_ns, seq, ord)"
            " VALUES (:t, 'X', 1, 1, 'bid', 0, 0, 0)",
            {"t": first_trade.trade_id},
        )
        with pytest.raises(INTEGRITY_ERRORS):
            writer.apply_batch(items[cut:])
        raw(url, "DELETE FROM trades WHERE ticker = 'X'")
        assert dump(url) == before
        assert writer.watermark() == writer.applied_seq() == cut

        writer.apply_batch(items[cut:])
        assert writer.watermark() == len(items)
        assert dump(url) == dump(url2)


def test_items_must_follow_the_writer_without_gaps(url: str) -> None:
    feed = Feed()
    with HistoryWriter.open(url) as writer:
        feed.setup(T0, ("alice",), ("MKT",))
        feed.place(T0 + 1, "alice", "bid", 4000, 1)
        items = feed.items
        with pytest.raises(HistoryGapError):
            writer.apply_batch(items[1:])
        with pytest.raises(HistoryGapError):
            writer.apply_batch([items[0], items[2]])
        assert writer.applied_seq() == writer.watermark() == 0
        writer.apply_batch(items[:3])
        with pytest.raises(HistoryGapError):
            writer.seed_books(feed.x, feed.seq)
        writer.seed_books(feed.x, feed.seq, accept_gap=True)
        assert writer.watermark() == writer.applied_seq() == feed.seq
        tape = writer.tape("MKT")
        assert tape is not None
        assert tape.yes_bid_cc == 4000

        # The order placed in the gap is not in the table; its next update still lands.
        (order_id,) = feed.x.orders
        feed.pending = []
        feed.do(c.CancelOrder(user_id="alice", order_id=order_id), (T0 + 2) * S)
        feed.flush(writer)
        with HistoryReader.open(url) as reader:
            row = reader.order(order_id)
            assert row is not None
            assert (row.status, row.remaining_c, row.event_ticker) == ("canceled", 0, "EV0")


def test_a_restart_from_a_snapshot_replays_to_the_same_tables(url: str, url2: str) -> None:
    feed = Feed()
    with HistoryWriter.open(url2) as reference:
        random_workload(feed, reference, steps=300, seed=11)
    items = feed.items
    snapshot_seq = len(items) // 3
    watermark = 2 * len(items) // 3
    replayer = Feed()
    for item, ts_ns in zip(items[:snapshot_seq], feed.times, strict=False):
        replayer.do(item[1], ts_ns, ok=False)
    snapshot = make_snapshot(replayer.x)

    with HistoryWriter.open(url) as writer:
        for start in range(0, watermark, 40):
            writer.apply_batch(items[start : min(start + 40, watermark)])
    assert dump(url) != dump(url2)

    # Restart: the engine resumes from the snapshot, the history from its watermark.
    restarted = Feed(load_snapshot(snapshot), seq=snapshot_seq)
    with HistoryWriter.open(url) as writer:
        assert writer.watermark() == watermark
        writer.seed_books(restarted.x, snapshot_seq)
        for (_, command, _), ts_ns in zip(
            items[snapshot_seq:], feed.times[snapshot_seq:], strict=True
        ):
            restarted.do(command, ts_ns, ok=False)
            if restarted.seq % 25 == 0:
                restarted.flush(writer)
        restarted.flush(writer)
        assert writer.watermark() == len(items)
    assert dump(url) == dump(url2)


def test_an_in_memory_store_is_shared_between_writer_and_reader() -> None:
    feed = Feed()
    with HistoryWriter.open("sqlite://") as writer:
        candle_scenario(feed, writer)
        with HistoryReader.open(writer.url) as reader:
            assert reader.watermark() == feed.seq
            assert len(reader.trades()[0]) == 4
    with HistoryWriter.open("sqlite://") as other:
        assert other.watermark() == 0
