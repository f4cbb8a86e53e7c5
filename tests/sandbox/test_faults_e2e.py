"""Faults through the real server (``augury serve``): dropped connections and the WebSocket.

Each fault is set through the operator's API on one key; a second key (another user)
does the same things at the same time and sees an ordinary exchange. Expectations come
from the configuration: with ``skip_seq_every: 3`` every third numbered message is
missing; with ``duplicate_every: 2`` every second data message comes twice; a delayed
channel falls behind a reply pushed after it; a connection cut after one second ends.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import urllib3
from kalshi_python_sync.exceptions import ServiceException
from websockets.exceptions import ConnectionClosed

from tests.e2e.server_harness import Server
from tests.ws.ws_helpers import Api, WsClient, catalog_server

pytestmark = pytest.mark.process

T1 = "KXTEST-26DEC-T1"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with catalog_server(tmp_path_factory.mktemp("sandbox") / "data") as srv:
        yield srv


def _order_body(client_order_id: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "ticker": T1,
        "side": "bid",
        "price": "0.30",
        "count": "1",
        "time_in_force": "good_till_canceled",
        "self_trade_prevention_type": "taker_at_cross",
    }
    if client_order_id:
        body["client_order_id"] = client_order_id
    return body


def _user(server: Server, name: str) -> tuple[str, str]:
    return server.user(name, "1000", "ed25519")


def _orders(server: Server, key: tuple[str, str]) -> list[dict[str, Any]]:
    answer = server.signed("GET", "/trade-api/v2/portfolio/orders", *key)
    assert answer.status_code == 200, answer.text
    orders: list[dict[str, Any]] = answer.json()["orders"]
    return orders


def test_connections_dropped_before_and_after_applying(server: Server) -> None:
    dropper = _user(server, "dropper")
    other = _user(server, "bystander")
    path = "/trade-api/v2/portfolio/events/orders"
    server.admin("PUT", f"/faults/keys/{dropper[0]}", {"errors": {"drop": 1}})
    with pytest.raises(httpx.TransportError):
        server.signed("POST", path, *dropper, body=_order_body("d-1"))
    assert server.signed("POST", path, *other, body=_order_body()).status_code == 201

    server.admin("PUT", f"/faults/keys/{dropper[0]}", {"errors": {"applied_drop": 1}})
    with pytest.raises(httpx.TransportError):
        server.signed("POST", path, *dropper, body=_order_body("d-2"))
    # The official SDK sees a lost connection too (no answer at all, not an HTTP error).
    sdk = server.sdk(*dropper)
    with pytest.raises(urllib3.exceptions.ProtocolError):
        sdk.create_order_v2(**_order_body("d-3"))
    faults = {
        f["target"]["api_key_id"]: f["applied"] for f in server.admin("GET", "/faults")["faults"]
    }
    assert faults == {dropper[0]: {"applied_drop": 2}}

    server.admin("DELETE", f"/faults/keys/{dropper[0]}")
    # Dropped before: nothing. Dropped after: both orders were accepted and journaled.
    assert sorted(o["client_order_id"] for o in _orders(server, dropper)) == ["d-2", "d-3"]
    assert len(_orders(server, other)) == 1


def test_exchange_status_during_maintenance_through_the_sdk(server: Server) -> None:
    key = _user(server, "maint")
    server.admin("PUT", f"/faults/keys/{key[0]}", {"maintenance": True})
    sdk = server.sdk(*key)
    with pytest.raises(ServiceException) as caught:
        sdk.get_exchange_status()
    assert caught.value.status == 503
    body = caught.value.body
    assert body is not None
    assert json.loads(body)["exchange_active"] is False
    with pytest.raises(ServiceException) as refused:
        sdk.create_order_v2(**_order_body())
    assert refused.value.status == 503
    plain = server.sdk(*_user(server, "unmaint"))
    assert plain.get_exchange_status().exchange_active is True
    server.admin("DELETE", f"/faults/keys/{key[0]}")
    assert sdk.get_exchange_status().exchange_active is True


async def _feed(server: Server, config: dict[str, Any]) -> tuple[list[Any], list[Any], Api]:
    """A faulted and a plain subscriber to one fresh market's book, and ten deltas."""
    api = Api(server)
    faulted = await api.user("wsf")
    plain = await api.user("wsp")
    maker = await api.user("wsm")
    (market,) = await api.markets(f"WSF{faulted.name.upper()}", 1)
    await api.admin("PUT", f"/faults/keys/{faulted.key_id}", config)
    clients = [await WsClient.open(server, u) for u in (faulted, plain)]
    for client in clients:
        await client.command(
            "subscribe", {"channels": ["orderbook_delta"], "market_ticker": market}
        )
    for i in range(10):
        answer = await api.order(maker, market, "bid", f"0.{10 + i}", "1")
        assert answer.status_code == 201, answer.text
    logs = []
    for client in clients:
        await client.barrier()
        logs.append([m for m in client.log if m["type"].startswith("orderbook_")])
        await client.close()
    return logs[0], logs[1], api


def test_ws_skips_a_seq(server: Server) -> None:
    async def run() -> None:
        faulted, plain, api = await _feed(server, {"ws": {"skip_seq_every": 3}})
        await api.close()
        # Snapshot (seq 1) and ten deltas (2..11): every third numbered message is lost.
        assert [m["seq"] for m in plain] == list(range(1, 12))
        assert [m["seq"] for m in faulted] == [s for s in range(1, 12) if s % 3]

    asyncio.run(run())


def test_ws_duplicates_messages(server: Server) -> None:
    async def run() -> None:
        faulted, plain, api = await _feed(server, {"ws": {"duplicate_every": 2}})
        await api.close()
        assert [m["seq"] for m in plain] == list(range(1, 12))
        expected = []
        for n, seq in enumerate(range(1, 12), start=1):
            expected += [seq, seq] if n % 2 == 0 else [seq]
        assert [m["seq"] for m in faulted] == expected

    asyncio.run(run())


def test_ws_latency_keeps_order(server: Server) -> None:
    async def run() -> None:
        config = {"latency": {"ws": {"kind": "uniform", "min_ms": 1, "max_ms": 40}}}
        faulted, plain, api = await _feed(server, config)
        counted = await api.admin("GET", "/faults")
        await api.close()
        assert [m["seq"] for m in faulted] == [m["seq"] for m in plain] == list(range(1, 12))
        assert [m["msg"] for m in faulted] == [m["msg"] for m in plain]
        (mine,) = [f for f in counted["faults"] if f["config"].get("latency")]
        assert mine["applied"]["ws_delayed"] >= 11

    asyncio.run(run())


def test_ws_delays_one_channel(server: Server) -> None:
    async def run() -> None:
        api = Api(server)
        faulted = await api.user("wdf")
        plain = await api.user("wdp")
        (market,) = await api.markets("WSDELAY", 1)
        await api.admin(
            "PUT", f"/faults/keys/{faulted.key_id}", {"ws": {"delay_ms": {"orderbook_delta": 3000}}}
        )
        firsts = []
        for user in (faulted, plain):
            client = await WsClient.open(server, user)
            sub = {"channels": ["orderbook_delta"], "market_ticker": market}
            cmd = await client.send("subscribe", sub)
            await client.until(cmd, "subscribed")
            # The snapshot is queued before the barrier's reply; only the delayed channel
            # lets the reply overtake it.
            before_reply = await client.barrier()
            firsts.append([m["type"] for m in before_reply])
            if user is faulted:
                snapshot = await client.recv()
                assert snapshot["type"] == "orderbook_snapshot"
            await client.close()
        await api.close()
        assert firsts == [[], ["orderbook_snapshot"]]

    asyncio.run(run())


def test_ws_disconnects_every_n_seconds(server: Server) -> None:
    async def run() -> None:
        api = Api(server)
        faulted = await api.user("wcf")
        plain = await api.user("wcp")
        await api.admin("PUT", f"/faults/keys/{faulted.key_id}", {"ws": {"disconnect_every_s": 1}})
        cut = await WsClient.open(server, faulted)
        kept = await WsClient.open(server, plain)

        async def read_until_closed() -> None:
            while True:  # nothing is subscribed: only the cut ends this
                await cut.recv(limit_s=30)

        with pytest.raises(ConnectionClosed):
            await read_until_closed()
        assert await kept.barrier() == []  # the other key's connection is still there
        await kept.close()
        faults = await api.admin("GET", "/faults")
        await api.close()
        (mine,) = [f for f in faults["faults"] if f["target"]["api_key_id"] == faulted.key_id]
        assert mine["applied"] == {"ws_disconnected": 1}

    asyncio.run(run())


def _cli(server: Server, *args: str) -> Any:
    import subprocess
    import sys
    from pathlib import Path

    augury = Path(sys.executable).parent / "augury"
    done = subprocess.run(
        [str(augury), "admin", "--data", str(server.data), "--url", server.url, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def test_the_cli_sets_lists_and_clears_faults(server: Server) -> None:
    key = _user(server, "clifault")
    set_ = _cli(server, "faults", "set", "--key", key[0], "--error", "500=1", "--seed", "3")
    assert set_["config"] == {"seed": 3, "errors": {"500": "1", "retry_after_s": 1}}
    assert server.signed("GET", "/trade-api/v2/portfolio/balance", *key).status_code == 500
    listed = _cli(server, "faults", "list")["faults"]
    (mine,) = [f for f in listed if f["target"].get("api_key_id") == key[0]]
    assert mine["applied"] == {"500": 1}
    assert _cli(server, "faults", "clear", "--key", key[0]) == {"cleared": True}
    assert server.signed("GET", "/trade-api/v2/portfolio/balance", *key).status_code == 200
    market = {
        "ticker": "KXTEST-26DEC-CLI",
        "event_ticker": "KXTEST-26DEC",
        "title": "CLI",
        "open_time": "2026-01-01T00:00:00Z",
        "close_time": "2030-01-01T00:00:00Z",
        "settlement_timer_seconds": 600,
    }
    server.admin("POST", "/catalog", {"markets": [market]})
    determined = _cli(server, "markets", "determine", "KXTEST-26DEC-CLI", "--result", "no")
    assert determined["status"] == "determined"  # its 600 s settlement timer now runs
    assert _cli(server, "markets", "finalize", "KXTEST-26DEC-CLI")["status"] == "finalized"
