"""Time control: determine and settle now, and a market's schedule at a chosen speed.

In process on a fake clock (the schedule follows the server's clock, so the test moves
time and waits for the market to follow). Then through the real server with the official
SDK: a market that would close in ten minutes, run 600 times faster, closes, is
determined and pays out while the test watches, as a bot's settlement handling would.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.server_harness import Server
from tests.inprocess import V2, InProcessExchange, Key
from tests.seed.harness import serve

S = 1_000_000_000


def _catalog(close: str, timer_s: int) -> dict[str, Any]:
    return {
        "series": [{"ticker": "KXTIME", "title": "Time", "fee_type": "quadratic"}],
        "events": [{"event_ticker": "KXTIME-E", "series_ticker": "KXTIME", "title": "Time"}],
        "markets": [
            {
                "ticker": f"KXTIME-E-{name}",
                "event_ticker": "KXTIME-E",
                "title": name,
                "open_time": "2026-01-01T00:00:00Z",
                "close_time": close,
                "settlement_timer_seconds": timer_s,
            }
            for name in ("A", "B", "C")
        ],
    }


def wait_for(check: Callable[[], bool], timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "the condition never came true"
        time.sleep(0.02)


@pytest.fixture
def exchange(tmp_path: Path) -> Iterator[InProcessExchange]:
    # The fake clock starts at 2026-01-01T00:00:00Z; the markets close 1,000 s later.
    with serve(tmp_path, _catalog("2026-01-01T00:16:40Z", 600)) as ex:
        yield ex


def _status(exchange: InProcessExchange, ticker: str) -> str:
    answer = exchange.call("GET", f"{V2}/markets/{ticker}")
    status: str = answer.json()["market"]["status"]
    return status


def test_determine_then_settle_now(exchange: InProcessExchange) -> None:
    determined = exchange.admin("POST", "/markets/KXTIME-E-A/determine", {"result": "yes"})
    assert determined == {"ticker": "KXTIME-E-A", "status": "determined", "result": "yes"}
    assert _status(exchange, "KXTIME-E-A") == "determined"  # the 600 s timer is running
    finalized = exchange.admin("POST", "/markets/KXTIME-E-A/finalize")
    assert finalized == {"ticker": "KXTIME-E-A", "status": "finalized"}
    assert _status(exchange, "KXTIME-E-B") == "active"  # nothing else moved


def _bid(exchange: InProcessExchange, key: Key, ticker: str) -> Any:
    return exchange.order(key, ticker, "bid", "0.40", "2")


def test_close_now(exchange: InProcessExchange) -> None:
    bot = exchange.user("closer", "100", "ed25519")
    resting = _bid(exchange, bot, "KXTIME-E-A")
    assert resting.status_code == 201, resting.text
    order_id = resting.json()["order_id"]
    # 1,000 s before its close_time, the operator closes the market now.
    closed = exchange.admin("POST", "/markets/KXTIME-E-A/close")
    assert closed == {"ticker": "KXTIME-E-A", "status": "closed"}
    assert _status(exchange, "KXTIME-E-A") == "closed"
    # What a bot then sees, as on Kalshi at close: its resting order was cancelled...
    order = exchange.ok("GET", f"{V2}/portfolio/orders/{order_id}", bot)["order"]
    assert (order["status"], order["remaining_count_fp"]) == ("canceled", "0.00")
    # ... and a new order is refused with Kalshi's code.
    refused = _bid(exchange, bot, "KXTIME-E-A")
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "market_closed")
    # Only that market moved; the closed one goes on to be determined and settled.
    assert _status(exchange, "KXTIME-E-B") == "active"
    assert _bid(exchange, bot, "KXTIME-E-B").status_code == 201
    exchange.admin("POST", "/markets/KXTIME-E-A/determine", {"result": "no"})
    assert exchange.admin("POST", "/markets/KXTIME-E-A/finalize")["status"] == "finalized"


def test_finalize_needs_a_determined_market(exchange: InProcessExchange) -> None:
    path = "/admin/v1/markets/KXTIME-E-B/finalize"
    answer = exchange.call("POST", path, exchange.operator)
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "invalid_transition")


def test_schedule_at_speed_follows_the_clock(exchange: InProcessExchange) -> None:
    plan = exchange.admin("POST", "/markets/KXTIME-E-C/schedule", {"speed": "10", "result": "no"})
    assert (plan["ticker"], plan["speed"], plan["next_step"]) == ("KXTIME-E-C", "10", "close")
    listed = exchange.admin("GET", "/faults")["schedules"]
    assert [s["ticker"] for s in listed] == ["KXTIME-E-C"]
    # Closes after 1,000 s / 10 = 100 s of server time, not before.
    exchange.fake_clock.advance(99 * S)
    assert _status(exchange, "KXTIME-E-C") == "active"
    exchange.fake_clock.advance(1 * S)
    wait_for(lambda: _status(exchange, "KXTIME-E-C") == "determined")
    # Then settles after 600 s / 10 = 60 s.
    exchange.fake_clock.advance(60 * S)
    wait_for(lambda: _status(exchange, "KXTIME-E-C") == "finalized")
    result = exchange.ok("GET", f"{V2}/markets/KXTIME-E-C")["market"]["result"]
    assert result == "no"
    wait_for(lambda: exchange.admin("GET", "/faults")["schedules"] == [])
    assert _status(exchange, "KXTIME-E-B") == "active"


def test_schedule_can_be_stopped_and_refuses_bad_input(exchange: InProcessExchange) -> None:
    exchange.admin("POST", "/markets/KXTIME-E-B/schedule", {"speed": 2, "result": "yes"})
    assert exchange.admin("DELETE", "/markets/KXTIME-E-B/schedule")["cancelled"] is True
    exchange.fake_clock.advance(600 * S)
    assert _status(exchange, "KXTIME-E-B") == "active"
    path = "/admin/v1/markets/KXTIME-E-B/schedule"
    for body in (
        {"speed": 0, "result": "yes"},
        {"speed": "fast", "result": "yes"},
        {"speed": 2, "result": "maybe"},
        {"speed": 2, "result": "scalar"},
    ):
        answer = exchange.call("POST", path, exchange.operator, body)
        assert answer.status_code == 400, body


@pytest.mark.process
def test_schedule_through_the_real_server(tmp_path: Path) -> None:
    server = Server(tmp_path / "data")
    server.start()
    try:
        close = (datetime.now(UTC) + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
        server.admin("POST", "/catalog", _catalog(close, 300))
        yes_holder = server.sdk(*server.user("yes-holder", "100"))
        no_holder = server.sdk(*server.user("no-holder", "100"))
        for client, side in ((yes_holder, "bid"), (no_holder, "ask")):
            client.create_order_v2(
                ticker="KXTIME-E-A",
                side=side,
                price="0.50",
                count="2",
                time_in_force="good_till_canceled",
                self_trade_prevention_type="taker_at_cross",
            )
        server.admin("POST", "/markets/KXTIME-E-A/schedule", {"speed": 600, "result": "yes"})

        def settled() -> bool:
            return bool(yes_holder.get_settlements().settlements)

        wait_for(settled, timeout_s=60)
        (settlement,) = yes_holder.get_settlements().settlements
        assert (settlement.market_result, settlement.revenue) == ("yes", 200)  # 2 x $1
        assert yes_holder.get_market(ticker="KXTIME-E-A").market.status == "finalized"
        assert no_holder.get_settlements().settlements[0].revenue == 0
        assert yes_holder.get_market(ticker="KXTIME-E-B").market.status == "active"
    finally:
        server.close()
