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

from augury.api.auth import signing_headers
from tests.e2e.server_harness import Server
from tests.seed.harness import Exchange, serve

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
def exchange(tmp_path: Path) -> Iterator[Exchange]:
    # The fake clock starts at 2026-01-01T00:00:00Z; the markets close 1,000 s later.
    with serve(tmp_path, _catalog("2026-01-01T00:16:40Z", 600)) as ex:
        yield ex


def _status(exchange: Exchange, ticker: str) -> str:
    answer = exchange.http.get(f"/trade-api/v2/markets/{ticker}")
    status: str = answer.json()["market"]["status"]
    return status


def test_determine_then_settle_now(exchange: Exchange) -> None:
    determined = exchange.admin("POST", "/markets/KXTIME-E-A/determine", {"result": "yes"})
    assert determined == {"ticker": "KXTIME-E-A", "status": "determined", "result": "yes"}
    assert _status(exchange, "KXTIME-E-A") == "determined"  # the 600 s timer is running
    finalized = exchange.admin("POST", "/markets/KXTIME-E-A/finalize")
    assert finalized == {"ticker": "KXTIME-E-A", "status": "finalized"}
    assert _status(exchange, "KXTIME-E-B") == "active"  # nothing else moved


def _trader(exchange: Exchange, name: str) -> tuple[str, str]:
    exchange.admin("POST", "/users", {"name": name, "deposit": "100"})
    made = exchange.admin("POST", "/keys/generate", {"user": name, "type": "ed25519"})
    return made["api_key_id"], made["private_key"]


def _signed(exchange: Exchange, key: tuple[str, str], method: str, path: str) -> Any:
    exchange.clock.advance(1_000_000)  # a fresh signing time: no two writes share one
    full = f"/trade-api/v2{path}"
    headers = signing_headers(key[1], key[0], method, full, exchange.clock.now_ns() // 1_000_000)
    return full, headers


def _bid(exchange: Exchange, key: tuple[str, str], ticker: str) -> Any:
    path, headers = _signed(exchange, key, "POST", "/portfolio/events/orders")
    body = {
        "ticker": ticker,
        "side": "bid",
        "price": "0.40",
        "count": "2",
        "time_in_force": "good_till_canceled",
        "self_trade_prevention_type": "taker_at_cross",
    }
    return exchange.http.post(path, json=body, headers=headers)


def test_close_now(exchange: Exchange) -> None:
    bot = _trader(exchange, "closer")
    resting = _bid(exchange, bot, "KXTIME-E-A")
    assert resting.status_code == 201, resting.text
    order_id = resting.json()["order_id"]
    # 1,000 s before its close_time, the operator closes the market now.
    closed = exchange.admin("POST", "/markets/KXTIME-E-A/close")
    assert closed == {"ticker": "KXTIME-E-A", "status": "closed"}
    assert _status(exchange, "KXTIME-E-A") == "closed"
    # What a bot then sees, as on Kalshi at close: its resting order was cancelled...
    path, headers = _signed(exchange, bot, "GET", f"/portfolio/orders/{order_id}")
    order = exchange.http.get(path, headers=headers).json()["order"]
    assert (order["status"], order["remaining_count_fp"]) == ("canceled", "0.00")
    # ... and a new order is refused with Kalshi's code.
    refused = _bid(exchange, bot, "KXTIME-E-A")
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "market_closed")
    # Only that market moved; the closed one goes on to be determined and settled.
    assert _status(exchange, "KXTIME-E-B") == "active"
    assert _bid(exchange, bot, "KXTIME-E-B").status_code == 201
    exchange.admin("POST", "/markets/KXTIME-E-A/determine", {"result": "no"})
    assert exchange.admin("POST", "/markets/KXTIME-E-A/finalize")["status"] == "finalized"


def test_finalize_needs_a_determined_market(exchange: Exchange) -> None:
    path = "/admin/v1/markets/KXTIME-E-B/finalize"
    op_id, op_pem = exchange.operator
    headers = signing_headers(op_pem, op_id, "POST", path, exchange.clock.now_ns() // 1_000_000)
    answer = exchange.http.post(path, headers=headers)
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "invalid_transition")


def test_schedule_at_speed_follows_the_clock(exchange: Exchange) -> None:
    plan = exchange.admin("POST", "/markets/KXTIME-E-C/schedule", {"speed": "10", "result": "no"})
    assert (plan["ticker"], plan["speed"], plan["next_step"]) == ("KXTIME-E-C", "10", "close")
    listed = exchange.admin("GET", "/faults")["schedules"]
    assert [s["ticker"] for s in listed] == ["KXTIME-E-C"]
    # Closes after 1,000 s / 10 = 100 s of server time, not before.
    exchange.clock.advance(99 * S)
    assert _status(exchange, "KXTIME-E-C") == "active"
    exchange.clock.advance(1 * S)
    wait_for(lambda: _status(exchange, "KXTIME-E-C") == "determined")
    # Then settles after 600 s / 10 = 60 s.
    exchange.clock.advance(60 * S)
    wait_for(lambda: _status(exchange, "KXTIME-E-C") == "finalized")
    result = exchange.http.get("/trade-api/v2/markets/KXTIME-E-C").json()["market"]["result"]
    assert result == "no"
    wait_for(lambda: exchange.admin("GET", "/faults")["schedules"] == [])
    assert _status(exchange, "KXTIME-E-B") == "active"


def test_schedule_can_be_stopped_and_refuses_bad_input(exchange: Exchange) -> None:
    exchange.admin("POST", "/markets/KXTIME-E-B/schedule", {"speed": 2, "result": "yes"})
    assert exchange.admin("DELETE", "/markets/KXTIME-E-B/schedule")["cancelled"] is True
    exchange.clock.advance(600 * S)
    assert _status(exchange, "KXTIME-E-B") == "active"
    op_id, op_pem = exchange.operator
    path = "/admin/v1/markets/KXTIME-E-B/schedule"
    for body in (
        {"speed": 0, "result": "yes"},
        {"speed": "fast", "result": "yes"},
        {"speed": 2, "result": "maybe"},
        {"speed": 2, "result": "scalar"},
    ):
        headers = signing_headers(op_pem, op_id, "POST", path, exchange.clock.now_ns() // 1_000_000)
        answer = exchange.http.post(path, json=body, headers=headers)
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
