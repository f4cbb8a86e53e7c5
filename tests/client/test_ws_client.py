"""The WebSocket client against the real server: local books survive drops and gaps.

The randomised test runs 200 trials through a fault-injecting proxy (``ws_proxy``): while
traders change the books, the proxy drops delta frames (seq gaps) and cuts connections.
Then the faults stop, one more change per market makes any hidden gap visible, and every
local book must equal ``GET /markets/{t}/orderbook``.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from pathlib import Path

import pytest

from augury.client import AsyncClient, Signer, errors, orders
from augury.client import endpoints as ep
from augury.client.clock import FakeClock
from augury.client.ws import Backoff, LocalBook, WsClient
from tests.client.ws_proxy import FaultProxy
from tests.e2e.server_harness import Server
from tests.ws.ws_helpers import catalog_server

TICKERS = ["KXTEST-26DEC-T1", "KXTEST-26DEC-T2"]
FAST = Backoff(base_s=0.01, cap_s=0.05, jitter_s=0.01)


def test_backoff_doubles_to_a_30_second_cap_plus_jitter() -> None:
    waits = [Backoff().delay(n, lambda: 0.5) for n in range(8)]
    assert waits == [1.5, 2.5, 4.5, 8.5, 16.5, 30.5, 30.5, 30.5]
    assert Backoff().delay(0, lambda: 0.0) == 1.0


def test_local_book_applies_snapshot_and_deltas_like_rest() -> None:
    book = LocalBook("T")
    book.apply_snapshot({"yes_dollars_fp": [["0.4000", "3.00"], ["0.4500", "1.00"]]})
    book.apply_delta({"side": "no", "price_dollars": "0.5000", "delta_fp": "2.00"})
    book.apply_delta({"side": "yes", "price_dollars": "0.4500", "delta_fp": "-1.00"})
    assert book.as_rest() == ([["0.4000", "3.00"]], [["0.5000", "2.00"]])
    assert (book.best_yes_bid_cc(), book.best_yes_ask_cc()) == (4000, 5000)
    book.apply_delta({"side": "yes", "price_dollars": "0.4000", "delta_fp": "-4.00"})
    assert book.broken


def _user(server: Server, name: str) -> Signer:
    key_id, pem = server.user(name, "1000000", key_type="ed25519")
    return Signer.from_pem(key_id, pem)


async def _converged(ws: WsClient, api: AsyncClient, deadline_s: float = 20.0) -> None:
    """Wait until every local book equals REST (a condition, with a generous deadline)."""
    end = time.monotonic() + deadline_s
    while True:
        rest = {t: (await api.orderbook(t)) for t in TICKERS}
        if all(
            ws.books[t].ready and ws.books[t].as_rest() == (rest[t].yes_dollars, rest[t].no_dollars)
            for t in TICKERS
        ):
            return
        if time.monotonic() > end:
            got = {t: (ws.books[t].ready, ws.books[t].as_rest()) for t in TICKERS}
            raise AssertionError(f"books did not converge: local {got} rest {rest}")
        await asyncio.sleep(0.01)


@pytest.mark.slow
@pytest.mark.process
def test_local_books_equal_rest_after_200_trials_of_drops_and_gaps(tmp_path: Path) -> None:
    rng = random.Random(20261204)
    with catalog_server(tmp_path / "data") as server:
        traders = [_user(server, f"wst{i}") for i in range(2)]
        watcher = _user(server, "wsw")

        async def run() -> None:
            proxy = FaultProxy(server.url.replace("http", "ws"), rng)
            await proxy.start()
            apis = [AsyncClient(server.url, signer=s) for s in traders]
            ws = WsClient(proxy.url, signer=watcher, backoff=FAST, rand=rng.random)
            await ws.subscribe(["orderbook_delta"], TICKERS)
            runner = asyncio.ensure_future(ws.run())
            resting: list[tuple[AsyncClient, str]] = []
            try:
                await ws.wait_connected()
                for trial in range(200):
                    proxy.drop_p = rng.choice([0.0, 0.05, 0.2, 0.5])
                    proxy.kill_p = rng.choice([0.0, 0.0, 0.02, 0.1])
                    for _ in range(rng.randint(2, 10)):
                        api = rng.choice(apis)
                        if resting and rng.random() < 0.3:
                            owner, oid = resting.pop(rng.randrange(len(resting)))
                            with contextlib.suppress(errors.NotFoundError):  # filled since
                                await owner.send(ep.cancel_order_v2(oid))
                            continue
                        side: orders.BookSide = rng.choice(["bid", "ask"])
                        price = rng.randint(40, 60) * 100
                        made = await api.create_order(
                            orders.order_v2(
                                rng.choice(TICKERS), side, price, rng.randint(1, 5) * 100
                            )
                        )
                        if int(made.remaining_count.split(".")[0]) > 0:
                            resting.append((api, made.order_id))
                    proxy.calm()
                    # One more change per market, unharmed, reveals any gap left unseen.
                    for ticker in TICKERS:
                        made = await apis[0].create_order(
                            orders.order_v2(ticker, "bid", 100, 100, post_only=True)
                        )
                        await apis[0].cancel_order(made.order_id)
                    await _converged(ws, apis[0])
                    if trial % 50 == 49:
                        await apis[0].cancel_all()
                        await apis[1].cancel_all()
                        resting.clear()
                assert proxy.dropped > 50
                assert proxy.killed > 5
                assert ws.stats.gaps > 20
                assert ws.stats.disconnects >= proxy.killed
            finally:
                await ws.close()
                runner.cancel()
                for api in apis:
                    await api.aclose()
                await proxy.stop()

        asyncio.run(run())


@pytest.mark.process
def test_ws_handshake_is_signed_and_private_channels_flow(tmp_path: Path) -> None:
    with catalog_server(tmp_path / "data") as server:
        alice = _user(server, "wsa")

        async def run() -> None:
            ws = WsClient(server.url, signer=alice, backoff=FAST)
            fills: list[dict[str, object]] = []
            ws.on("fill", fills.append)
            await ws.subscribe(["fill", "user_orders"])
            runner = asyncio.ensure_future(ws.run())
            async with AsyncClient(server.url, signer=alice) as api:
                await ws.wait_connected()
                made = await api.create_order(orders.order_v2(TICKERS[0], "bid", 5000, 100))
                seen = []
                async for message in ws.messages():
                    seen.append(message["type"])
                    if message["type"] == "user_order":
                        assert message["msg"]["order_id"] == made.order_id
                        break
                await ws.barrier()
            await ws.close()
            runner.cancel()
            assert seen == ["user_order"]
            assert fills == []

        asyncio.run(run())


def test_reconnect_waits_follow_the_backoff_with_an_injected_sleep(tmp_path: Path) -> None:
    # Nothing listens on the port: every connect fails, and the waits are the schedule.
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    waits: list[float] = []
    clock = FakeClock()

    async def run() -> None:
        ws = WsClient(f"http://127.0.0.1:{port}", clock=clock, rand=lambda: 0.25)

        async def sleep(seconds: float) -> None:
            waits.append(seconds)
            if len(waits) == 7:
                await ws.close()

        ws.sleep = sleep
        await ws.run()

    asyncio.run(run())
    assert waits == [1.25, 2.25, 4.25, 8.25, 16.25, 30.25, 30.25]


@pytest.mark.process
def test_no_data_message_reaches_a_consumer_before_the_on_connect_hooks_ran(
    tmp_path: Path,
) -> None:
    # The hook yields to the loop for a while, so the reader does receive the snapshot
    # meanwhile; it must be held back until the hook is done (a bot reconciles first).
    with catalog_server(tmp_path / "data") as server:
        signer = _user(server, "hook")

        async def run() -> list[str]:
            ws = WsClient(server.url, signer=signer, backoff=FAST)
            seen: list[str] = []

            async def hook() -> None:
                await asyncio.sleep(0.3)
                seen.append("hook")

            ws.on_connect.append(hook)
            ws.on("*", lambda message: seen.append(str(message["type"])))
            await ws.subscribe(["orderbook_delta"], [TICKERS[0]])
            runner = asyncio.ensure_future(ws.run())
            async for _message in ws.messages():
                break
            await ws.close()
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
            return seen

        assert asyncio.run(run())[:2] == ["hook", "orderbook_snapshot"]
