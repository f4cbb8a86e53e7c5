"""Public channels: ticker, trade and market_lifecycle_v2 (with event_lifecycle).

In-process (``tests.inprocess``) on a fake clock, so every timestamp a message carries is
known exactly, and a closed session is known to be gone from the hub when ``close()``
returns (no waiting for the server to notice).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.server_harness import CATALOG
from tests.inprocess import InProcessExchange, running_exchange
from tests.ws.inprocess_api import Api

T0_S = 1_767_225_600  # the fake clock's start, 2026-01-01T00:00:00Z
S_NS = 1_000_000_000
_names = itertools.count(1)

TICKER_KEYS = {
    "market_ticker", "market_id", "price_dollars", "yes_bid_dollars", "yes_ask_dollars",
    "yes_bid_size_fp", "yes_ask_size_fp", "last_trade_size_fp", "volume_fp",
    "open_interest_fp", "dollar_volume", "dollar_open_interest", "ts", "ts_ms", "time",
}  # fmt: skip


def _exchange(data: Path) -> AbstractContextManager[InProcessExchange]:
    return running_exchange(data, catalog=CATALOG, rate_limits=False)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessExchange]:
    with _exchange(tmp_path_factory.mktemp("ws-channels")) as exchange:
        yield exchange


def test_ticker_and_trade(server: InProcessExchange) -> None:
    api = Api(server)
    maker, taker = api.user("tk"), api.user("tk")
    m, other = api.markets("TK", 2)
    api.order(maker, m, "bid", "0.45", "3")
    client = server.websocket()  # anonymous: public channels only
    got = client.command(
        "subscribe",
        {"channels": ["ticker"], "market_tickers": [m], "send_initial_snapshot": True},
    )
    assert got[0] == {"id": 1, "type": "subscribed", "msg": {"channel": "ticker", "sid": 1}}
    first = got[1]
    assert first["type"] == "ticker"
    assert "seq" not in first
    assert set(first["msg"]) == TICKER_KEYS
    assert first["msg"]["yes_bid_dollars"] == "0.4500"
    assert first["msg"]["yes_bid_size_fp"] == "3.00"
    assert first["msg"]["yes_ask_dollars"] == "1.0000"
    assert first["msg"]["ts"] == server.clock.now_ns() // S_NS
    assert first["msg"]["dollar_volume"] == 0  # nothing traded yet
    client.command("subscribe", {"channels": ["trade"]})  # no filter: every market

    api.order(maker, m, "bid", "0.45", "2")  # a size-only change is reported
    api.order(taker, m, "ask", "0.40", "4", time_in_force="immediate_or_cancel")
    api.order(maker, other, "bid", "0.30", "1")  # another market: no ticker for it
    api.order(taker, other, "ask", "0.30", "1", time_in_force="immediate_or_cancel")
    got = client.barrier()
    tickers = [g["msg"] for g in got if g["type"] == "ticker"]
    assert {t["market_ticker"] for t in tickers} == {m}
    assert (tickers[0]["yes_bid_size_fp"], tickers[0]["volume_fp"]) == ("5.00", "0.00")
    last = tickers[-1]
    assert (last["price_dollars"], last["yes_bid_size_fp"]) == ("0.4500", "1.00")
    # The IOC met two resting orders (3 then 1 by time priority): two trades.
    assert (last["volume_fp"], last["last_trade_size_fp"]) == ("4.00", "1.00")
    assert (last["open_interest_fp"], last["dollar_open_interest"]) == ("4.00", 4)
    trades = [g for g in got if g["type"] == "trade"]
    assert [t["seq"] for t in trades] == [1, 2, 3]
    assert [t["msg"]["market_ticker"] for t in trades] == [m, m, other]
    assert [t["msg"]["count_fp"] for t in trades] == ["3.00", "1.00", "1.00"]
    trade = trades[0]["msg"]
    assert (trade["yes_price_dollars"], trade["no_price_dollars"]) == ("0.4500", "0.5500")
    assert (trade["taker_side"], trade["taker_outcome_side"]) == ("no", "no")
    assert trade["taker_book_side"] == "ask"
    assert trade["is_block_trade"] is False
    assert trade["ts_ms"] == server.clock.now_ns() // 1_000_000
    client.close()


def _lifecycle(got: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [
        (g["type"], g["msg"].get("event_type") or g["msg"].get("event_ticker"))
        for g in got
        if g["type"] in ("market_lifecycle_v2", "event_lifecycle")
    ]


def test_market_lifecycle_and_event_creation(server: InProcessExchange) -> None:
    api = Api(server)
    client = server.websocket()
    client.command("subscribe", {"channels": ["market_lifecycle_v2"]})
    (m,) = api.markets("LC", 1)
    got = client.barrier()
    assert _lifecycle(got) == [("event_lifecycle", "LC-EV"), ("market_lifecycle_v2", "created")]
    assert [g["seq"] for g in got] == [1, 2]
    event = got[0]["msg"]
    assert event == {
        "event_ticker": "LC-EV",
        "exchange_index": 0,
        "title": "LC",
        "subtitle": "",
        "collateral_return_type": "",
        "series_ticker": "KXTEST",
    }
    created = got[1]["msg"]
    assert created["market_ticker"] == m
    assert created["open_ts"] == 1767225600  # 2026-01-01T00:00:00Z, in seconds
    assert created["close_ts"] == 1893456000
    assert created["price_level_structure"] == "linear_cent"
    assert created["price_ranges"] == [{"start": "0.0000", "end": "1.0000", "step": "0.0100"}]
    assert created["additional_metadata"]["event_ticker"] == "LC-EV"
    assert created["additional_metadata"]["title"] == m
    # Loading the same catalog again changes nothing: no new created events.
    api.markets("LC", 1)
    assert client.barrier() == []

    start_s = server.clock.now_ns() // S_NS
    for action in ("pause", "resume", "close"):
        server.fake_clock.advance(S_NS)
        api.admin("POST", f"/markets/{m}/{action}")
    server.fake_clock.advance(S_NS)
    api.admin("POST", f"/markets/{m}/settle", {"result": "yes"})
    got = client.barrier()
    assert [g["msg"]["event_type"] for g in got] == [
        "deactivated",
        "activated",
        "close_date_updated",
        "determined",
        "settled",
    ]
    assert [g["seq"] for g in got] == [3, 4, 5, 6, 7]
    deactivated, activated, closed, determined, settled = (g["msg"] for g in got)
    assert deactivated["is_deactivated"] is True
    assert activated["is_deactivated"] is False
    assert closed["close_ts"] == start_s + 3  # closed early, at the close command
    assert determined["result"] == "yes"
    assert determined["settlement_value"] == "1.0000"
    assert determined["determination_ts"] == start_s + 4
    assert settled["settled_ts"] == start_s + 4  # settled at once
    client.close()


def _trade_then_ticker(server: InProcessExchange, m: str | None) -> str:
    api = Api(server)
    if m is None:
        maker, taker = api.user("rs"), api.user("rs")
        (m,) = api.markets("RS", 1)
        api.order(maker, m, "bid", "0.45", "3")
        api.order(taker, m, "ask", "0.45", "2", time_in_force="immediate_or_cancel")
    client = server.websocket()
    got = client.command(
        "subscribe",
        {"channels": ["ticker"], "market_tickers": [m], "send_initial_snapshot": True},
    )
    first = got[1]["msg"]
    assert (first["last_trade_size_fp"], first["volume_fp"]) == ("2.00", "2.00")
    client.close()
    return m


def test_last_trade_size_survives_a_restart(tmp_path: Path) -> None:
    with _exchange(tmp_path / "data") as server:
        ticker = _trade_then_ticker(server, None)
        server.restart()  # a clean stop; the engine keeps volume, the history store the size
        _trade_then_ticker(server, ticker)


def test_a_trade_nobody_watched_still_shapes_the_next_ticker(tmp_path: Path) -> None:
    with _exchange(tmp_path / "data") as server:
        _ticker_after_a_quiet_trade(server)


def _ticker_after_a_quiet_trade(server: InProcessExchange) -> None:
    api = Api(server)
    assert server.on_loop(lambda app: not app.state.ws_hub.connections)
    maker, taker = api.user("qt"), api.user("qt")
    (m,) = api.markets("QT", 1)
    # Nobody is connected: the hub only remembers what later subscribers will read.
    api.order(maker, m, "bid", "0.45", "3")
    api.order(taker, m, "ask", "0.45", "2", time_in_force="immediate_or_cancel")
    client = server.websocket()
    client.command("subscribe", {"channels": ["ticker"], "market_tickers": [m]})
    api.order(maker, m, "bid", "0.47", "1")
    tickers = [t["msg"] for t in client.barrier() if t["type"] == "ticker"]
    client.close()
    assert tickers, "the first change after subscribing must be sent"
    last = tickers[-1]
    assert (last["yes_bid_dollars"], last["yes_bid_size_fp"]) == ("0.4700", "1.00")
    assert (last["last_trade_size_fp"], last["volume_fp"]) == ("2.00", "2.00")


def _ticker_after_quiet_changes(server: InProcessExchange) -> None:
    api = Api(server)
    maker = api.user("qc")
    (m,) = api.markets("QC", 1)
    first = server.websocket()
    first.command("subscribe", {"channels": ["ticker"], "market_tickers": [m]})
    rested = api.order(maker, m, "bid", "0.45", "3").json()
    api.call(maker, "DELETE", f"/portfolio/events/orders/{rested['order_id']}")
    first.barrier()  # the hub now holds the empty book as the last ticker sent
    first.close()  # returns once the server has finished the connection
    assert server.on_loop(lambda app: not app.state.ws_hub.connections)
    # Nobody is connected: the book changes unseen.
    rested = api.order(maker, m, "bid", "0.45", "3").json()
    second = server.websocket()
    second.command("subscribe", {"channels": ["ticker"], "market_tickers": [m]})
    # Back to the empty book: the same state the hub sent long ago, but news to this
    # subscriber, so it must be sent.
    api.call(maker, "DELETE", f"/portfolio/events/orders/{rested['order_id']}")
    tickers = [t["msg"] for t in second.barrier() if t["type"] == "ticker"]
    second.close()
    assert [(t["yes_bid_dollars"], t["yes_bid_size_fp"]) for t in tickers][-1:] == [
        ("0.0000", "0.00")
    ]


def test_a_book_changed_unseen_is_not_mistaken_for_unchanged(tmp_path: Path) -> None:
    with _exchange(tmp_path / "data") as server:
        _ticker_after_quiet_changes(server)
