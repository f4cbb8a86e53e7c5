"""``WsClient.update`` (Kalshi's ``update_subscription``) and ``unsubscribe`` on a real server.

Expectations come from the server: its ``list_subscriptions`` reply, its REST order book
(``GET /markets/{t}/orderbook``), and which markets its feed still reports after a change.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from augury.client import AsyncClient, Signer, orders
from augury.client.ws import Backoff, WsClient, WsCommandError
from tests.e2e.server_harness import Server
from tests.ws.ws_helpers import catalog_server

pytestmark = pytest.mark.process

T1, T2, T3 = "KXTEST-26DEC-T1", "KXTEST-26DEC-T2", "KXTEST-26DEC-T3"
FAST = Backoff(base_s=0.01, cap_s=0.05, jitter_s=0.01)


def _user(server: Server, name: str) -> Signer:
    key_id, pem = server.user(name, "1000000", key_type="ed25519")
    return Signer.from_pem(key_id, pem)


async def _until(check: Callable[[], bool | Awaitable[bool]], what: str) -> None:
    end = time.monotonic() + 20
    while True:
        found = check()
        if not isinstance(found, bool):
            found = await found
        if found:
            return
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


class Apis:
    """Two traders: a trade needs two (a user's own orders never cross)."""

    def __init__(self, first: AsyncClient, second: AsyncClient) -> None:
        self.first, self.second = first, second

    async def create_order(self, order: Any) -> Any:
        return await self.first.create_order(order)

    async def orderbook(self, ticker: str) -> Any:
        return await self.first.orderbook(ticker)


Body = Callable[[WsClient, Apis, list[dict[str, Any]]], Awaitable[None]]


async def _trade(api: Apis, ticker: str) -> None:
    """A resting bid from the first trader crossed by the second."""
    await api.first.create_order(orders.order_v2(ticker, "bid", 5000, 100))
    await api.second.create_order(
        orders.order_v2(ticker, "ask", 5000, 100, time_in_force="immediate_or_cancel")
    )


def _session(tmp_path: Path, body: Body) -> None:
    with catalog_server(tmp_path / "data") as server:
        watcher, trader = _user(server, "wsu"), _user(server, "wst")
        other = _user(server, "wso")

        async def run() -> None:
            ws = WsClient(server.url, signer=watcher, backoff=FAST)
            seen: list[dict[str, Any]] = []
            ws.on("*", seen.append)
            runner = asyncio.ensure_future(ws.run())
            try:
                async with (
                    AsyncClient(server.url, signer=trader) as api,
                    AsyncClient(server.url, signer=other) as second,
                ):
                    await body(ws, Apis(api, second), seen)
            finally:
                await ws.close()
                runner.cancel()

        asyncio.run(run())


def _tickers_of(seen: list[dict[str, Any]], kind: str) -> set[str]:
    return {m["msg"]["market_ticker"] for m in seen if m.get("type") == kind}


def test_update_adds_and_removes_markets_of_the_live_subscription(tmp_path: Path) -> None:
    async def body(ws: WsClient, api: Apis, seen: list[dict[str, Any]]) -> None:
        await ws.subscribe(["orderbook_delta"], [T1])
        await ws.wait_connected()
        [(_, sid)] = [(s["channel"], s["sid"]) for s in (await ws.barrier())["msg"]]
        await api.create_order(orders.order_v2(T2, "bid", 4200, 300))
        await ws.update("orderbook_delta", add=[T2])
        # The added market arrives as a snapshot on the same sid; the book matches REST.
        rest = await api.orderbook(T2)
        await _until(lambda: ws.books[T2].ready, "the T2 snapshot")
        assert ws.books[T2].as_rest() == (rest.yes_dollars, rest.no_dollars)
        assert {m["sid"] for m in seen if m["type"] == "orderbook_snapshot"} == {sid}
        await api.create_order(orders.order_v2(T2, "ask", 6100, 200))
        rest = await api.orderbook(T2)
        await _until(lambda: ws.books[T2].as_rest() == (rest.yes_dollars, rest.no_dollars), "T2")
        # Removing T1 by sid: its book goes, and the feed stops reporting it.
        await ws.update(sid, remove=[T1])
        assert set(ws.books) == {T2}
        seen.clear()
        await api.create_order(orders.order_v2(T1, "bid", 3000, 100))
        await api.create_order(orders.order_v2(T2, "bid", 3000, 100))
        await _until(lambda: T2 in _tickers_of(seen, "orderbook_delta"), "the T2 delta")
        await ws.barrier()
        assert _tickers_of(seen, "orderbook_delta") == {T2}
        assert ws.stats.gaps == 0
        # The server still has one subscription, with the same sid.
        assert [(s["channel"], s["sid"]) for s in (await ws.barrier())["msg"]] == [
            ("orderbook_delta", sid)
        ]

    _session(tmp_path, body)


def test_an_updated_set_survives_a_reconnect(tmp_path: Path) -> None:
    async def body(ws: WsClient, api: Apis, seen: list[dict[str, Any]]) -> None:
        await ws.subscribe(["trade"], [T1])
        await ws.wait_connected()
        await ws.update("trade", add=[T3], remove=[T1])
        assert ws._conn is not None
        await ws._conn.close()  # the server sees the client go; the client reconnects
        await _until(lambda: ws.stats.connects == 2 and ws._connected.is_set(), "a reconnect")
        seen.clear()
        for ticker in (T1, T3):
            await _trade(api, ticker)
        await _until(lambda: T3 in _tickers_of(seen, "trade"), "the T3 trade")
        await ws.barrier()
        assert _tickers_of(seen, "trade") == {T3}

    _session(tmp_path, body)


def test_unsubscribe_leaves_the_channel_on_the_server(tmp_path: Path) -> None:
    async def body(ws: WsClient, api: Apis, seen: list[dict[str, Any]]) -> None:
        await ws.subscribe(["orderbook_delta", "trade"], [T1])
        await ws.wait_connected()
        channels = sorted(s["channel"] for s in (await ws.barrier())["msg"])
        assert channels == ["orderbook_delta", "trade"]
        await ws.unsubscribe("orderbook_delta")
        assert [s["channel"] for s in (await ws.barrier())["msg"]] == ["trade"]
        assert ws.books == {}
        seen.clear()
        await _trade(api, T1)
        await _until(lambda: any(m["type"] == "trade" for m in seen), "the trade")
        await ws.barrier()
        assert {m["type"] for m in seen} == {"trade"}
        with pytest.raises(KeyError):
            await ws.update("orderbook_delta", add=[T2])

    _session(tmp_path, body)


def test_a_refused_update_raises_and_restores_the_desired_set(tmp_path: Path) -> None:
    async def body(ws: WsClient, api: Apis, seen: list[dict[str, Any]]) -> None:
        await ws.subscribe(["ticker"])  # every market: nothing to add or remove
        await ws.subscribe(["orderbook_delta"], [T1])
        await ws.wait_connected()
        with pytest.raises(ValueError, match="every market"):
            await ws.update("ticker", add=[T1])
        # market_id(s) are accepted only on the ticker channel; a ticker of 300 characters
        # is refused by the server (code 11), and the client keeps its old set.
        with pytest.raises(WsCommandError) as raised:
            await ws.update("orderbook_delta", add=["X" * 300])
        assert raised.value.code == 11
        assert set(ws.books) == {T1}
        await ws._conn.close() if ws._conn is not None else None
        await _until(lambda: ws.stats.connects == 2 and ws._connected.is_set(), "a reconnect")
        assert set(ws.books) == {T1}

    _session(tmp_path, body)
