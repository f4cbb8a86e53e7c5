"""The demo exchange: its catalogue, a simulated hour of trading, restarts and the CLI.

The hour runs the real catalogue, lifecycle and agents in-process on an accelerated
``FakeClock`` (7,200 rounds). To stay fast it uses ``InlineSequencer``: the sequencer's
contract (read the clock, apply each command at that time, feed every subscriber, in order)
without the journal. The restart test uses the real runtime on a SQLite file, and the CLI
test starts the real ``augury demo`` server and trades on it with the official SDK.
"""

from __future__ import annotations

import asyncio
import collections
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

import httpx
import pytest
from typer.testing import CliRunner

from augury.catalog import catalog_commands
from augury.cli.main import app as cli_app
from augury.demo.catalogue import PROCESSES, SERIES
from augury.demo.clock import AcceleratedClock
from augury.demo.listing import EventContext, event_entries, series_entry
from augury.demo.runner import ROUND_NS, DemoConfig, DemoRunner
from augury.demo.schedule import Daily, EveryMinutes, Monthly
from augury.demo.truth import Truth, interval_of
from augury.domain.enums import MarketStatus
from augury.engine import commands as c
from augury.engine.audit import audit
from augury.engine.events import CashMovement, SettlementEvent, TradeEvent
from augury.engine.exchange import Exchange, Outcome
from augury.engine.market import Market
from augury.runtime.boot import Runtime
from augury.runtime.clock import FakeClock

START_NS = 1_795_500_000_000_000_000  # 2026-11-24T06:00:00Z (01:00 ET)
NS = 1_000_000_000
AUGURY = Path(sys.executable).parent / "augury"

Sink = Callable[[int, c.Command, Outcome[object]], None]
R = TypeVar("R")


class InlineSequencer:
    """The sequencer's contract without the journal: time, apply, notify, in order."""

    def __init__(self, clock: FakeClock) -> None:
        self.exchange = Exchange("augury")
        self.clock = clock
        self.sinks: list[Sink] = []
        self.last_seq = 0
        self.meta: dict[str, str] = {}

    def subscribe(self, sink: Sink) -> None:
        self.sinks.append(sink)

    async def submit(self, command: c.Cmd[R]) -> Outcome[R]:
        self.last_seq += 1
        outcome = self.exchange.apply(command, self.clock.now_ns())
        for sink in self.sinks:
            sink(self.last_seq, cast(c.Command, command), outcome)
        return outcome

    async def call(self, fn: Callable[[Any], Any]) -> Any:
        return fn(self)

    def get_meta(self, key: str) -> str | None:
        return self.meta.get(key)

    def set_meta(self, key: str, value: str) -> None:
        self.meta[key] = value


class InlineRuntime:
    def __init__(self, clock: FakeClock) -> None:
        self.sequencer = InlineSequencer(clock)

    @property
    def exchange(self) -> Exchange:
        return self.sequencer.exchange


def active(exchange: Exchange) -> list[Any]:
    return [m for m in exchange.markets.values() if m.status is MarketStatus.ACTIVE]


def _floor_strike(market: Market) -> float:
    strike = market.meta["floor_strike"]
    assert isinstance(strike, int | float | str), strike
    return float(strike)


def two_sided(markets: list[Any]) -> int:
    return sum(1 for m in markets if m.book.best_bid >= 0 and m.book.best_ask < m.book.size)


def trade_tape(seed: int, rounds: int) -> list[tuple[int, str, int, int]]:
    async def run() -> list[tuple[int, str, int, int]]:
        clock = FakeClock(START_NS)
        runtime = InlineRuntime(clock)
        tape: list[tuple[int, str, int, int]] = []
        runtime.sequencer.subscribe(
            lambda _s, _c, out: tape.extend(
                (e.ts_ns, e.ticker, e.price_cc, e.count_c)
                for e in out.events
                if isinstance(e, TradeEvent)
            )
        )
        runner = DemoRunner(DemoConfig(seed=seed), clock)
        await runner.attach(runtime)
        for _ in range(rounds):
            clock.set(runner.next_round_ns)
            await runner.step()
        return tape

    return asyncio.run(run())


# --- the catalogue ---------------------------------------------------------------------------


def listings(now_ns: int = START_NS) -> tuple[Truth, list[tuple[Any, dict[str, Any], list[Any]]]]:
    import random

    truth = Truth(PROCESSES, random.Random(1), now_ns)
    out = []
    for spec in SERIES:
        slot = spec.cadence.slot_at(now_ns)
        story = spec.story(slot, "1") if spec.story else None
        if story is not None and story.start_value is not None:
            truth.rebase(spec.underlying, slot.code + story.suffix, story.start_value)
        value = truth.values[spec.underlying]
        sd = truth.sd(spec.underlying, (slot.close_ns - now_ns) / NS)
        sd_value = value * sd if truth.processes[spec.underlying].log else sd
        ctx = EventContext(value, sd_value, spec.unit, spec.label, story)
        event, markets = event_entries(spec, slot, now_ns, ctx)
        out.append((spec, event, markets))
    return truth, out


def test_catalogue_has_kalshi_shaped_series_events_and_markets() -> None:
    truth, listed = listings()
    assert len(SERIES) >= 8
    categories = {spec.category for spec in SERIES}
    assert {"Economics", "Crypto", "Weather", "Politics", "Sports", "Entertainment"} <= categories
    tickers = {market["ticker"] for _, _, markets in listed for market in markets}
    assert "KXFED-26DEC-T4.25" in tickers
    assert any(re.fullmatch(r"KXBTCD-26NOV24-T\d+000", t) for t in tickers)
    assert any(re.fullmatch(r"KXCPI-26NOV-T0\.\d", t) for t in tickers)
    assert any(re.fullmatch(r"KXHIGHNY-26NOV24-B\d+\.5", t) for t in tickers)
    assert any(re.fullmatch(r"KXBTC5M-26NOV240105-T\d+", t) for t in tickers)
    assert any(re.fullmatch(r"KXNBAGAME-26NOV24[A-Z]{6}-[A-Z]{3}", t) for t in tickers)
    for spec, event, markets in listed:
        assert len(markets) >= 2, spec.ticker
        assert event["title"]
        assert "{" not in event["title"]
        for market in markets:
            assert market["ticker"].startswith(event["event_ticker"] + "-")
            for key in ("title", "yes_sub_title", "rules_primary"):
                assert market[key], (market["ticker"], key)
                assert "{" not in market[key], (market["ticker"], key)
        # Fair prices: ladders never increase with the strike, brackets sum to one.
        remaining_s = (spec.cadence.slot_at(START_NS).close_ns - START_NS) / NS
        fairs = [
            truth.probability(
                spec.underlying,
                *interval_of(
                    m["strike_type"], m.get("floor_strike"), m.get("cap_strike"), spec.unit
                ),
                remaining_s,
            )
            for m in markets
        ]
        if spec.mutually_exclusive:
            assert sum(fairs) == pytest.approx(1.0, abs=1e-9), spec.ticker
        elif all(m["strike_type"] == "greater" for m in markets):
            assert fairs == sorted(fairs, reverse=True), spec.ticker
            assert any(0.2 < p < 0.8 for p in fairs), spec.ticker  # a lively strike exists
    exchange = Exchange("augury")
    catalog = {
        "series": [series_entry(spec) for spec in SERIES],
        "events": [event for _, event, _ in listed],
        "markets": [m for _, _, markets in listed for m in markets],
    }
    for command in catalog_commands(catalog, START_NS):
        outcome = exchange.apply(command, START_NS)
        assert outcome.ok, (command, outcome.reject)
    assert len(active(exchange)) == len(catalog["markets"])


# --- a simulated hour ------------------------------------------------------------------------


@dataclass
class Hour:
    exchange: Exchange
    runner: DemoRunner
    start_s: int
    trades_per_second: collections.Counter[int] = field(default_factory=collections.Counter)
    at_ten_seconds: tuple[int, int] = (0, 0)
    worst_two_sided: float = 1.0
    crossed: list[str] = field(default_factory=list)
    audits: list[list[str]] = field(default_factory=list)
    deposits_cc: int = 0
    conservation: list[tuple[int, int]] = field(default_factory=list)
    lowest_balance_cc: int = 0
    settlements: list[SettlementEvent] = field(default_factory=list)


@pytest.fixture(scope="module")
def hour() -> Hour:
    async def run() -> Hour:
        clock = FakeClock(START_NS)
        runtime = InlineRuntime(clock)
        exchange = runtime.exchange
        runner = DemoRunner(DemoConfig(seed=7), clock)
        result = Hour(exchange, runner, 0)

        def sink(_seq: int, _command: c.Command, outcome: Outcome[object]) -> None:
            for event in outcome.events:
                if isinstance(event, TradeEvent):
                    result.trades_per_second[event.ts_ns // NS] += 1
                elif isinstance(event, CashMovement) and event.kind == "deposit":
                    result.deposits_cc += event.amount_cc
                elif isinstance(event, SettlementEvent):
                    result.settlements.append(event)

        runtime.sequencer.subscribe(sink)
        await runner.attach(runtime)
        result.start_s = runner.next_round_ns // NS
        rounds = 3600 * NS // ROUND_NS
        for i in range(1, rounds + 1):
            clock.set(runner.next_round_ns)
            await runner.step()
            if i % 2:
                continue  # the checks below run once per simulated second
            markets = active(exchange)
            if i == 20:
                result.at_ten_seconds = (len(markets), two_sided(markets))
            if i > 4:
                result.worst_two_sided = min(
                    result.worst_two_sided, two_sided(markets) / len(markets)
                )
            for market in exchange.markets.values():
                if market.book.best_bid >= market.book.best_ask:
                    result.crossed.append(market.ticker)
            if i % 600 == 0:  # every five simulated minutes
                result.audits.append(audit(exchange))
                ledger = exchange.ledger
                held = sum(a.available_cc + a.reserved_cc for a in ledger.accounts.values())
                held += sum(ledger.escrow_cc.values()) + ledger.fee_revenue_cc
                result.conservation.append((held, result.deposits_cc))
                result.lowest_balance_cc = min(
                    [result.lowest_balance_cc]
                    + [min(a.available_cc, a.reserved_cc) for a in ledger.accounts.values()]
                )
        return result

    return asyncio.run(run())


@pytest.mark.slow  # a simulated hour of the demo (about 8 s, shared by four tests)
def test_first_run_goals_hold_within_ten_seconds(hour: Hour) -> None:
    open_markets, quoted = hour.at_ten_seconds
    assert open_markets >= 20
    assert quoted >= 0.8 * open_markets
    assert hour.worst_two_sided >= 0.8
    # Trades in every simulated second after the first round (the makers quote in it).
    silent = [
        s - hour.start_s
        for s in range(hour.start_s + 1, hour.start_s + 3600)
        if hour.trades_per_second[s] == 0
    ]
    assert silent == []


@pytest.mark.slow  # a simulated hour of the demo (about 8 s, shared by four tests)
def test_rolling_markets_open_close_settle_and_are_replaced(hour: Hour) -> None:
    exchange = hour.exchange
    by_series: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for market in exchange.markets.values():
        series = exchange.events[market.event_ticker].series_ticker
        by_series[series][market.status.value] += 1
    # Twelve five-minute windows and six ten-minute windows an hour (the first may be
    # skipped when the demo starts late in it).
    assert by_series["KXBTC5M"]["finalized"] >= 11 * 5
    assert by_series["KXTEMPNYC10M"]["finalized"] >= 5 * 7
    assert by_series["KXBTC5M"]["active"] == 5  # the current window is trading
    # Results follow the truth's rule: a threshold ladder's YES results are monotone and
    # exactly one bracket of each mutually exclusive event wins.
    for event in exchange.events.values():
        markets = [exchange.markets[t] for t in event.markets]
        if not all(m.status is MarketStatus.FINALIZED for m in markets):
            continue
        results = [m.result for m in markets]
        assert set(results) <= {"yes", "no"}
        assert all(isinstance(m.meta.get("expiration_value"), str) for m in markets)
        if event.mutually_exclusive:
            assert results.count("yes") == 1, event.event_ticker
        else:
            ladder = sorted(markets, key=_floor_strike)
            wins = [m.result == "yes" for m in ladder]
            assert wins == sorted(wins, reverse=True), event.event_ticker
    assert hour.settlements, "settlement paid positions out"
    assert sum(m.volume_c for m in exchange.markets.values()) > 0


@pytest.mark.slow  # a simulated hour of the demo (about 8 s, shared by four tests)
def test_money_is_conserved_and_the_auditor_holds(hour: Hour) -> None:
    assert len(hour.audits) == 12
    assert all(problems == [] for problems in hour.audits)
    assert audit(hour.exchange) == []
    for held, deposited in hour.conservation:
        assert held == deposited
    assert hour.lowest_balance_cc >= 0
    assert hour.crossed == []


@pytest.mark.slow  # a simulated hour of the demo (about 8 s, shared by four tests)
def test_agents_trade_through_ordinary_accounts(hour: Hour) -> None:
    exchange = hour.exchange
    for user_id in ("mm-aurora", "mm-boreal", "mm-cirrus", "trader01", "informed-1"):
        assert user_id in exchange.users
        assert any(key.user_id == user_id for key in exchange.api_keys.values())
    fees = collections.Counter[str]()
    for (user_id, _sub, _ticker), position in exchange.ledger.positions.items():
        fees[user_id] += position.fees_paid_cc
    assert fees["trader01"] > 0  # takers pay ordinary fees
    assert exchange.ledger.fee_revenue_cc > 0
    resting = collections.Counter(order.key[0] for order in exchange.orders.values())
    assert resting["mm-aurora"] >= 20  # the makers keep quoting, several levels deep


def test_the_same_seed_makes_the_same_market() -> None:
    rounds = 120  # one simulated minute
    first = trade_tape(11, rounds)
    assert len(first) > 50
    assert trade_tape(11, rounds) == first
    assert trade_tape(12, rounds) != first


# --- restart on the real runtime ------------------------------------------------------------


def test_restart_resumes_the_same_exchange(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    clock = FakeClock(START_NS)

    async def first_run() -> dict[str, float]:
        runtime = await Runtime.start(url, "augury", clock)
        runner = DemoRunner(DemoConfig(seed=5), clock)
        await runner.attach(runtime)
        for _ in range(60):
            clock.set(runner.next_round_ns)
            await runner.step()
        await runner.save()
        values = dict(runner.truth.values)
        await runtime.stop()
        return values

    async def second_run() -> tuple[list[c.Command], DemoRunner, list[str]]:
        runtime = await Runtime.start(url, "augury", clock)
        events_before = set(runtime.exchange.events)
        commands: list[c.Command] = []
        runtime.sequencer.subscribe(lambda _s, command, _o: commands.append(command))
        runner = DemoRunner(DemoConfig(seed=5), clock)
        await runner.attach(runtime)
        setup = list(commands)
        assert runner.truth.values == saved  # the simulated world came back from the journal
        for _ in range(30):
            clock.set(runner.next_round_ns)
            await runner.step()
        problems = audit(runtime.exchange)
        new_events = set(runtime.exchange.events) - events_before
        assert all(e.startswith(("KXBTC5M-", "KXTEMPNYC10M-")) for e in new_events)
        await runtime.stop()
        return setup, runner, problems

    saved = asyncio.run(first_run())
    setup, runner, problems = asyncio.run(second_run())
    assert setup == []  # nobody and nothing created twice
    assert problems == []
    exchange = runner.exchange
    levels = runner.activity.maker_levels
    for maker in ("mm-aurora", "mm-boreal", "mm-cirrus"):
        per_market = collections.Counter(
            o.ticker for o in exchange.orders.values() if o.key[0] == maker
        )
        assert per_market, maker
        assert max(per_market.values()) <= 2 * levels  # adopted, not duplicated


def test_accelerated_clock_runs_fast_and_catches_up() -> None:
    base = FakeClock(START_NS)
    clock = AcceleratedClock(base, 10)
    base.advance(NS)
    assert clock.now_ns() == START_NS + 10 * NS
    clock.catch_up(START_NS + 3600 * NS)  # a journal written further ahead
    before = clock.now_ns()
    assert before == START_NS + 3600 * NS
    base.advance(NS)
    assert clock.now_ns() == before + 10 * NS
    clock.catch_up(START_NS)  # never backwards
    assert clock.now_ns() > before


def test_slots_follow_kalshi_date_codes() -> None:
    five = EveryMinutes(5)
    slot = five.slot_at(START_NS + 61 * NS)
    assert (slot.open_ns, slot.close_ns) == (START_NS, START_NS + 300 * NS)
    assert slot.code == "26NOV240105"  # 06:05 UTC is 01:05 Eastern
    assert five.following(slot).open_ns == slot.close_ns
    daily = Daily(hour=22).slot_at(START_NS)
    assert daily.code == "26NOV24"
    assert Daily(hour=22).slot_at(daily.close_ns).code == "26NOV25"
    fed = Monthly(day=16, hour=18).slot_at(START_NS)
    assert fed.code == "26DEC"
    cpi = Monthly(day=13, hour=13, code_shift=-1).slot_at(START_NS)
    assert cpi.code == "26NOV"  # November's CPI is released in December


# --- the command line ------------------------------------------------------------------------


def test_demo_help_explains_the_options() -> None:
    result = CliRunner().invoke(cli_app, ["demo", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for option in ("--data", "--host", "--port", "--activity", "--seed", "--speed", "--db"):
        assert option in result.output


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class DemoServer:
    def __init__(self, data: Path) -> None:
        self.data = data
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}/trade-api/v2"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data.parent / "demo.log"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [str(AUGURY), "demo", "--data", str(self.data), "--port", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def open_markets(self) -> list[dict[str, Any]]:
        response = httpx.get(f"{self.base}/markets", params={"status": "open", "limit": 1000})
        markets: list[dict[str, Any]] = response.json()["markets"]
        return markets

    def wait_until_lively(self, timeout_s: float = 90) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(self.log.read_text()[-3000:])
            try:
                markets = self.open_markets()
            except (httpx.HTTPError, ValueError, KeyError):
                time.sleep(0.1)
                continue
            quoted = [
                m
                for m in markets
                if m["yes_bid_dollars"] != "0.0000" and m["yes_ask_dollars"] != "1.0000"
            ]
            traded = sum(float(m["volume_fp"]) for m in markets)
            if len(markets) >= 20 and len(quoted) >= 0.8 * len(markets) and traded > 0:
                return
            time.sleep(0.1)
        raise RuntimeError("the demo did not get lively in time: " + self.log.read_text()[-3000:])

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            self.proc.wait(timeout=60)
        self.proc = None

    def sdk(self) -> Any:
        from kalshi_python_sync import Configuration, KalshiClient

        config = Configuration(host=self.base)
        config.api_key_id = (self.data / "demo_user_key_id").read_text().strip()
        config.private_key_pem = (self.data / "demo_user_key.pem").read_text()
        return KalshiClient(config)


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[DemoServer]:
    server = DemoServer(tmp_path / "data")
    yield server
    server.stop()


@pytest.mark.slow
@pytest.mark.process
def test_cli_demo_first_run_then_resume(demo_server: DemoServer) -> None:
    demo_server.start()
    demo_server.wait_until_lively()
    output = demo_server.log.read_text()
    assert f"http://127.0.0.1:{demo_server.port}/trade-api/v2" in output
    assert f"ws://127.0.0.1:{demo_server.port}/trade-api/ws/v2" in output
    assert "create_order_v2(" in output
    key_id = (demo_server.data / "demo_user_key_id").read_text().strip()
    assert key_id in output
    assert oct(os.stat(demo_server.data / "demo_user_key.pem").st_mode & 0o777) == "0o600"

    client = demo_server.sdk()
    assert client.get_balance().balance == 1_000_000  # $10,000 in cents
    markets = client.get_markets(series_ticker="KXBTCD", status="open").markets
    assert len(markets) >= 5
    order = client.create_order_v2(
        ticker=markets[len(markets) // 2].ticker,
        side="bid",
        price="0.9900",
        count="1.00",
        time_in_force="immediate_or_cancel",
        self_trade_prevention_type="taker_at_cross",
    )
    assert order.fill_count == "1.00"
    balance = client.get_balance().balance
    assert balance < 1_000_000

    demo_server.stop()
    demo_server.start()
    demo_server.wait_until_lively()
    assert (demo_server.data / "demo_user_key_id").read_text().strip() == key_id
    client = demo_server.sdk()
    assert client.get_balance().balance == balance  # the same exchange, resumed
    positions = client.get_positions().market_positions
    assert [p.position_fp for p in positions] == ["1.00"]
