"""Public channels: ticker, trade and market_lifecycle_v2 (with event_lifecycle)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.e2e.server_harness import Server
from tests.ws.ws_helpers import Api, WsClient, catalog_server

# A real server in a subprocess, over real sockets (tests.e2e.server_harness).
pytestmark = pytest.mark.process

TICKER_KEYS = {
    "market_ticker", "market_id", "price_dollars", "yes_bid_dollars", "yes_ask_dollars",
    "yes_bid_size_fp", "yes_ask_size_fp", "last_trade_size_fp", "volume_fp",
    "open_interest_fp", "dollar_volume", "dollar_open_interest", "ts", "ts_ms", "time",
}  # fmt: skip


async def _ticker_and_trade(server: Server) -> None:
    api = Api(server)
    try:
        maker, taker = await api.user("tk"), await api.user("tk")
        m, other = await api.markets("TK", 2)
        await api.order(maker, m, "bid", "0.45", "3")
        client = await WsClient.open(server)  # anonymous: public channels only
        got = await client.command(
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
        assert isinstance(first["msg"]["ts"], int)
        assert isinstance(first["msg"]["dollar_volume"], int)
        await client.command("subscribe", {"channels": ["trade"]})  # no filter: every market

        await api.order(maker, m, "bid", "0.45", "2")  # a size-only change is reported
        await api.order(taker, m, "ask", "0.40", "4", time_in_force="immediate_or_cancel")
        await api.order(maker, other, "bid", "0.30", "1")  # another market: no ticker for it
        await api.order(taker, other, "ask", "0.30", "1", time_in_force="immediate_or_cancel")
        got = await client.barrier()
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
        assert isinstance(trade["ts_ms"], int)
        await client.close()
    finally:
        await api.close()


def test_ticker_and_trade(ws_server: Server) -> None:
    asyncio.run(_ticker_and_trade(ws_server))


def _lifecycle(got: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [
        (g["type"], g["msg"].get("event_type") or g["msg"].get("event_ticker"))
        for g in got
        if g["type"] in ("market_lifecycle_v2", "event_lifecycle")
    ]


async def _lifecycle_flow(server: Server) -> None:
    api = Api(server)
    try:
        client = await WsClient.open(server)
        await client.command("subscribe", {"channels": ["market_lifecycle_v2"]})
        (m,) = await api.markets("LC", 1)
        got = await client.barrier()
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
        await api.markets("LC", 1)
        assert await client.barrier() == []

        for action in ("pause", "resume", "close"):
            await api.admin("POST", f"/markets/{m}/{action}")
        await api.admin("POST", f"/markets/{m}/settle", {"result": "yes"})
        got = await client.barrier()
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
        assert isinstance(closed["close_ts"], int)
        assert closed["close_ts"] < 1893456000
        assert determined["result"] == "yes"
        assert determined["settlement_value"] == "1.0000"
        assert isinstance(determined["determination_ts"], int)
        assert isinstance(settled["settled_ts"], int)
        await client.close()
    finally:
        await api.close()


def test_market_lifecycle_and_event_creation(ws_server: Server) -> None:
    asyncio.run(_lifecycle_flow(ws_server))


async def _trade_then_ticker(server: Server, m: str | None) -> str:
    api = Api(server)
    try:
        if m is None:
            maker, taker = await api.user("rs"), await api.user("rs")
            (m,) = await api.markets("RS", 1)
            await api.order(maker, m, "bid", "0.45", "3")
            await api.order(taker, m, "ask", "0.45", "2", time_in_force="immediate_or_cancel")
        client = await WsClient.open(server)
        got = await client.command(
            "subscribe",
            {"channels": ["ticker"], "market_tickers": [m], "send_initial_snapshot": True},
        )
        first = got[1]["msg"]
        assert (first["last_trade_size_fp"], first["volume_fp"]) == ("2.00", "2.00")
        await client.close()
        return m
    finally:
        await api.close()


def test_last_trade_size_survives_a_restart(tmp_path: Any) -> None:
    with catalog_server(tmp_path / "data") as server:
        ticker = asyncio.run(_trade_then_ticker(server, None))
        server.stop()  # a clean stop; the engine keeps volume, the history store the size
        server.start()
        asyncio.run(_trade_then_ticker(server, ticker))


async def _ticker_after_a_quiet_trade(server: Server) -> None:
    api = Api(server)
    try:
        maker, taker = await api.user("qt"), await api.user("qt")
        (m,) = await api.markets("QT", 1)
        # Nobody is connected: the hub only remembers what later subscribers will read.
        await api.order(maker, m, "bid", "0.45", "3")
        await api.order(taker, m, "ask", "0.45", "2", time_in_force="immediate_or_cancel")
        client = await WsClient.open(server)
        await client.command("subscribe", {"channels": ["ticker"], "market_tickers": [m]})
        await api.order(maker, m, "bid", "0.47", "1")
        tickers = [t["msg"] for t in await client.barrier() if t["type"] == "ticker"]
        await client.close()
        assert tickers, "the first change after subscribing must be sent"
        last = tickers[-1]
        assert (last["yes_bid_dollars"], last["yes_bid_size_fp"]) == ("0.4700", "1.00")
        assert (last["last_trade_size_fp"], last["volume_fp"]) == ("2.00", "2.00")
    finally:
        await api.close()


def test_a_trade_nobody_watched_still_shapes_the_next_ticker(tmp_path: Any) -> None:
    with catalog_server(tmp_path / "data") as server:
        asyncio.run(_ticker_after_a_quiet_trade(server))


async def _ticker_after_quiet_changes(server: Server) -> None:
    api = Api(server)
    try:
        maker = await api.user("qc")
        (m,) = await api.markets("QC", 1)
        first = await WsClient.open(server)
        await first.command("subscribe", {"channels": ["ticker"], "market_tickers": [m]})
        rested = (await api.order(maker, m, "bid", "0.45", "3")).json()
        await api.call(maker, "DELETE", f"/portfolio/events/orders/{rested['order_id']}")
        await first.barrier()  # the hub now holds the empty book as the last ticker sent
        await first.close()
        await asyncio.sleep(0.5)  # let the server drop the connection
        # Nobody is connected: the book changes unseen.
        rested = (await api.order(maker, m, "bid", "0.45", "3")).json()
        second = await WsClient.open(server)
        await second.command("subscribe", {"channels": ["ticker"], "market_tickers": [m]})
        # Back to the empty book: the same state the hub sent long ago, but news to this
        # subscriber, so it must be sent.
        await api.call(maker, "DELETE", f"/portfolio/events/orders/{rested['order_id']}")
        tickers = [t["msg"] for t in await second.barrier() if t["type"] == "ticker"]
        await second.close()
        assert [(t["yes_bid_dollars"], t["yes_bid_size_fp"]) for t in tickers][-1:] == [
            ("0.0000", "0.00")
        ]
    finally:
        await api.close()


def test_a_book_changed_unseen_is_not_mistaken_for_unchanged(tmp_path: Any) -> None:
    with catalog_server(tmp_path / "data") as server:
        asyncio.run(_ticker_after_quiet_changes(server))
