"""A slow reader is dropped with code 25 while the other subscribers keep receiving.

The server runs with a 64 KiB per-connection buffer (``AUGURY_WS_BUFFER_BYTES``). The
slow client shrinks its socket receive buffer, stops reading, and sends 2,000
``get_snapshot`` requests at once over 12 deep books: the first hundred or so (a
subscription's burst) are answered with about 2 MiB of snapshots, more than the sockets
hold, and every later one with an error 27 frame that must wait behind them, so its
backlog overflows the server's buffer. It must then find an ``error`` 25 "Subscription
buffer overflow" at the end of what it was sent, after a gapless prefix of the
snapshots, followed by a close; a normal subscriber on the same markets keeps an exact
book and keeps receiving deltas.

This test needs a real server process: the overflow is the kernel's socket buffers
filling behind a reader that stops reading.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Iterator

import pytest
from websockets.exceptions import ConnectionClosed

from tests.e2e.server_harness import CATALOG, Server
from tests.ws.ws_helpers import Api, WsClient, rebuild

# A real server in a subprocess, over real sockets (tests.e2e.server_harness).
pytestmark = pytest.mark.process

MARKETS = 12  # deep books of about 2 KiB of snapshot each
REQUESTS = 2_000  # get_snapshot requests at once (a connection may send 10,000 a second)


@pytest.fixture(scope="module")
def small_buffer_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("ws-slow") / "data", extra=["--rate-limits", "off"])
    previous = os.environ.get("AUGURY_WS_BUFFER_BYTES")
    os.environ["AUGURY_WS_BUFFER_BYTES"] = str(64 * 1024)
    try:
        srv.start()
    finally:
        if previous is None:
            del os.environ["AUGURY_WS_BUFFER_BYTES"]
        else:
            os.environ["AUGURY_WS_BUFFER_BYTES"] = previous
    srv.admin("POST", "/catalog", CATALOG)
    yield srv
    srv.close()


async def _small_socket(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    return sock


async def _slow_consumer(server: Server) -> None:
    api = Api(server)
    try:
        maker = await api.user("sl")
        watcher = await api.user("sl")
        markets = await api.markets("SL", MARKETS)
        sub = {"channels": ["orderbook_delta"], "market_tickers": markets}
        slow = await WsClient.open(
            server, maker, sock=await _small_socket(server.port), max_queue=1
        )
        await slow.command("subscribe", sub)
        fast = await WsClient.open(server, watcher)
        await fast.command("subscribe", sub)

        # Deep books: 49 bids and 49 asks per market, so each snapshot is a few KiB.
        for ticker in markets:
            for side, prices in (("bid", range(1, 50)), ("ask", range(51, 100))):
                orders = [
                    {
                        "ticker": ticker,
                        "side": side,
                        "price": f"0.{p:02d}",
                        "count": "1",
                        "time_in_force": "good_till_canceled",
                        "self_trade_prevention_type": "taker_at_cross",
                    }
                    for p in prices
                ]
                for i in range(0, len(orders), 20):
                    response = await api.call(
                        maker,
                        "POST",
                        "/portfolio/events/orders/batched",
                        {"orders": orders[i : i + 20]},
                    )
                    assert response.status_code == 201, response.text
        await fast.barrier()

        # The slow client asks for far more than its buffers hold, and reads nothing.
        for _ in range(REQUESTS):
            await slow.send("update_subscription", {"sid": 1, "action": "get_snapshot"})

        # The other subscriber is unaffected: its book is exact and deltas keep coming.
        await api.order(
            watcher, markets[0], "ask", "0.45", "3", time_in_force="immediate_or_cancel"
        )
        await fast.barrier()
        books = rebuild(fast.log, 1)
        for ticker in markets:
            assert books[ticker].as_rest(False) == await api.book(ticker)

        # The slow client finds the overflow error at the end of its backlog, then a close.
        received = []
        closed: ConnectionClosed | None = None
        while closed is None:
            try:
                received.append(await slow.recv())
            except ConnectionClosed as error:
                closed = error
        assert received[-1] == {
            "type": "error",
            "msg": {"code": 25, "msg": "Subscription buffer overflow"},
        }
        assert closed.rcvd is not None
        assert closed.rcvd.code == 1008
        # What it was sent before the error is a gapless prefix of its subscription's
        # messages: the initial snapshots, then requested ones, cut short. How many got
        # through depends on the kernel's socket buffers, so no count is asserted beyond
        # the initial snapshots; a gap, a reordering or a message after the error fails.
        seqs = [m["seq"] for m in slow.log if "seq" in m]  # since the subscribe
        assert seqs == list(range(1, len(seqs) + 1))
        assert len(seqs) >= MARKETS

        await api.order(
            watcher, markets[1], "bid", "0.55", "2", time_in_force="immediate_or_cancel"
        )
        got = await fast.barrier()
        assert [m["type"] for m in got] == ["orderbook_delta", "orderbook_delta"]
        books = rebuild(fast.log, 1)  # still gapless
        assert books[markets[1]].as_rest(False) == await api.book(markets[1])
        await fast.close()
    finally:
        await api.close()


def test_slow_consumer_dropped_with_code_25(small_buffer_server: Server) -> None:
    asyncio.run(_slow_consumer(small_buffer_server))
