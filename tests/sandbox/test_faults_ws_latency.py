"""WebSocket latency as a faulted client sees it, and an unfaulted one does not.

The held frames wait through ``FaultBook.sleep``, which the test replaces (as the REST
latency test does) with one that records each wait and then blocks on a gate the test
opens. With a fixed 250 ms latency on one key, every frame sent to that key's connection
is held for exactly 0.25 s, and nothing reaches it while the gate is shut; a second user's
connection to the same book gets every message at once and costs no sleep at all. Once
the gate opens, the faulted client gets the same messages, in the same order.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from augury.api.sandbox.faults import FaultBook
from augury.api.ws.hub import BUFFER_ENV
from tests.e2e.server_harness import CATALOG
from tests.inprocess import (
    InProcessExchange,
    InProcessWebSocket,
    WebSocketClosed,
    running_exchange,
)
from tests.ws.inprocess_api import Api
from tests.ws.ws_helpers import User

LATENCY_S = 0.25


def test_ws_latency_holds_only_the_faulted_connection(tmp_path: Path) -> None:
    with running_exchange(tmp_path / "data", catalog=CATALOG, rate_limits=False) as server:
        api = Api(server)
        faulted_user, plain_user, maker = api.user("wlf"), api.user("wlp"), api.user("wlm")
        (market,) = api.markets("WSLAT", 1)
        book: FaultBook = server.on_loop(lambda app: app.state.fault_book)
        slept: list[float] = []
        gate: list[asyncio.Event] = []

        def make_sleep() -> Callable[[float], Awaitable[None]]:
            opened = asyncio.Event()
            opened.set()
            gate.append(opened)

            async def held(seconds: float) -> None:
                slept.append(seconds)
                await opened.wait()

            return held

        book.sleep = server.on_loop(lambda app: make_sleep())
        api.admin("PUT", f"/faults/keys/{faulted_user.key_id}", {"latency": {"ws": {"ms": 250}}})

        plain = server.websocket(plain_user)
        faulted = server.websocket(faulted_user)
        try:
            _watch(server, api, market, maker, plain, faulted, slept, gate)
        finally:
            server.on_loop(lambda app: gate[0].set())
            plain.close()
            faulted.close()


def _watch(
    server: InProcessExchange,
    api: Api,
    market: str,
    maker: User,
    plain: InProcessWebSocket,
    faulted: InProcessWebSocket,
    slept: list[float],
    gate: list[asyncio.Event],
) -> None:
    plain.command("subscribe", {"channels": ["orderbook_delta"], "market_ticker": market})
    assert slept == []  # the unfaulted connection never waits
    faulted.command("subscribe", {"channels": ["orderbook_delta"], "market_ticker": market})
    # Every frame so far (the subscribe reply, the snapshot, the barrier's reply) waited.
    assert slept == [LATENCY_S] * len(faulted.log)

    server.on_loop(lambda app: gate[0].clear())  # from now on, held frames stay held
    before = len(slept)
    for price in ("0.10", "0.11", "0.12"):
        server.fake_clock.advance(1_000_000)  # a fresh signing time for each (no replay)
        assert api.order(maker, market, "bid", price, "1").status_code == 201
    deltas = [m for m in plain.barrier() if m["type"] == "orderbook_delta"]
    assert [m["msg"]["price_dollars"] for m in deltas] == ["0.1000", "0.1100", "0.1200"]
    assert slept[before:] == [LATENCY_S] * 3  # the plain barrier added no sleep
    # Nothing has reached the faulted client: its three deltas are all being held.
    assert server.on_loop(lambda app: faulted._from_app.qsize()) == 0

    server.on_loop(lambda app: gate[0].set())
    late = [m for m in faulted.barrier() if m["type"] == "orderbook_delta"]
    assert late == deltas
    assert slept[before:] == [LATENCY_S] * 4  # and its barrier's reply waited too
    applied = api.admin("GET", "/faults")["faults"][0]["applied"]
    assert applied == {"ws_delayed": len(slept)}


def test_held_frames_count_toward_the_buffer_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A faulted connection holding more than its buffer limit is dropped (code 25)."""
    monkeypatch.setenv(BUFFER_ENV, "4096")
    with running_exchange(tmp_path / "data", catalog=CATALOG, rate_limits=False) as server:
        api = Api(server)
        faulted_user, plain_user, maker = api.user("wbf"), api.user("wbp"), api.user("wbm")
        (market,) = api.markets("WSBUF", 1)
        book: FaultBook = server.on_loop(lambda app: app.state.fault_book)
        shut = server.on_loop(lambda app: asyncio.Event())

        async def never(seconds: float) -> None:
            await shut.wait()

        book.sleep = never
        api.admin("PUT", f"/faults/keys/{faulted_user.key_id}", {"latency": {"ws": {"ms": 60000}}})
        plain = server.websocket(plain_user)
        faulted = server.websocket(faulted_user)
        try:
            _overflow(server, api, market, maker, plain, faulted)
        finally:
            server.on_loop(lambda app: shut.set())
            plain.close()
            with contextlib.suppress(WebSocketClosed):
                faulted.close()


def _overflow(
    server: InProcessExchange,
    api: Api,
    market: str,
    maker: User,
    plain: InProcessWebSocket,
    faulted: InProcessWebSocket,
) -> None:
    sub = {"channels": ["orderbook_delta"], "market_ticker": market}
    plain.command("subscribe", sub)
    faulted.send("subscribe", sub)  # its reply is held like everything else
    for i in range(60):  # ~150 bytes a delta: 4 KiB are held long before the end
        server.fake_clock.advance(1_000_000)
        assert api.order(maker, market, "bid", f"0.{10 + i % 80:02d}", "1").status_code == 201
    assert len([m for m in plain.barrier() if m["type"] == "orderbook_delta"]) == 60
    error = faulted.recv()  # nothing held was let out: the first frame is the last
    assert (error["type"], error["msg"]["code"]) == ("error", 25)  # "buffer overflow"
    with pytest.raises(WebSocketClosed) as closed:
        faulted.recv()
    assert closed.value.code == 1008
