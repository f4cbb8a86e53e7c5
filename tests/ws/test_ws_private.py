"""Private channels deliver exactly the subscriber's own fills, orders, positions and groups.

Three users trade on one market while each watches ``fill``, ``user_orders``,
``market_positions`` and ``order_group_updates``; every message each receives must be
about its own orders, with the exact values the trades imply, and nothing else. These run
in-process on a fake clock (exact timestamps); the volume-across-restarts test kills a
real server with ``kill -9`` and so runs one in a subprocess.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.server_harness import CATALOG, Server
from tests.inprocess import InProcessExchange, running_exchange
from tests.ws import inprocess_api
from tests.ws.ws_helpers import Api, User, WsClient, catalog_server

PRIVATE = ["fill", "user_orders", "market_positions", "order_group_updates"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessExchange]:
    data = tmp_path_factory.mktemp("ws-private")
    with running_exchange(data, catalog=CATALOG, rate_limits=False) as exchange:
        yield exchange


def _by_type(log: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for message in log:
        if message["type"] in ("fill", "user_order", "market_position", "order_group_updates"):
            out.setdefault(message["type"], []).append(message)
    return out


def test_private_channels_deliver_only_own_events(server: InProcessExchange) -> None:
    api = inprocess_api.Api(server)
    alice = api.user("al")
    bob = api.user("bo")
    carol = api.user("ca")
    dave = api.user("da")
    m, other = api.markets("PV", 2)
    clients = {}
    for name, user in (("alice", alice), ("bob", bob), ("carol", carol)):
        clients[name] = server.websocket(user)
        acks = clients[name].command("subscribe", {"channels": PRIVATE})
        assert [a["msg"]["channel"] for a in acks] == PRIVATE
    filtered = server.websocket(dave)
    filtered.command("subscribe", {"channels": ["fill", "user_orders"], "market_ticker": other})

    rested = (api.order(alice, m, "bid", "0.56", "10", client_order_id="a-1")).json()
    taken = api.order(bob, m, "ask", "0.50", "4", time_in_force="immediate_or_cancel")
    taken_id = taken.json()["order_id"]
    carol_order = (api.order(carol, m, "ask", "0.70", "5")).json()
    group = api.call(carol, "POST", "/portfolio/order_groups/create", {"contracts_limit": 7})
    assert group.status_code == 201, group.text
    group_id = group.json()["order_group_id"]
    api.order(dave, m, "bid", "0.10", "1")  # dave's filter excludes this market
    api.call(alice, "DELETE", f"/portfolio/events/orders/{rested['order_id']}")

    logs = {name: _by_type(client.barrier()) for name, client in clients.items()}
    a, b, c = logs["alice"], logs["bob"], logs["carol"]

    # alice: the maker of one fill of 4 at 0.56; then she cancelled the remaining 6.
    (fill,) = [f["msg"] for f in a["fill"]]
    assert fill["order_id"] == rested["order_id"]
    assert fill["is_taker"] is False
    assert fill["count_fp"] == "4.00"
    assert fill["yes_price_dollars"] == "0.5600"
    assert (fill["outcome_side"], fill["book_side"], fill["purchased_side"]) == (
        "yes",
        "bid",
        "yes",
    )
    assert (fill["side"], fill["action"]) == ("yes", "buy")
    assert fill["post_position_fp"] == "4.00"
    assert fill["client_order_id"] == "a-1"
    assert fill["fee_cost"] == "0.0000"  # makers pay nothing on a quadratic series
    assert fill["ts"] == server.clock.now_ns() // 1_000_000_000
    assert fill["ts_ms"] == server.clock.now_ns() // 1_000_000
    assert "seq" not in a["fill"][0]
    orders = [o["msg"] for o in a["user_order"]]
    assert {o["order_id"] for o in orders} == {rested["order_id"]}
    assert [(o["status"], o["fill_count_fp"], o["remaining_count_fp"]) for o in orders] == [
        ("resting", "0.00", "10.00"),
        ("resting", "4.00", "6.00"),
        ("canceled", "4.00", "0.00"),
    ]
    assert all(o["user_id"] == alice.name and o["client_order_id"] == "a-1" for o in orders)
    assert orders[1]["maker_fill_cost_dollars"] == "2.2400"
    positions = [p["msg"] for p in a["market_position"]]
    assert positions
    assert all(p["user_id"] == alice.name and p["market_ticker"] == m for p in positions)
    assert positions[-1]["position_fp"] == "4.00"
    assert positions[-1]["position_cost_dollars"] == "2.2400"
    assert positions[-1]["volume_fp"] == "4.00"
    assert "order_group_updates" not in a

    # bob: the taker, buying NO; his IOC order executed in full.
    (fill,) = [f["msg"] for f in b["fill"]]
    assert fill["order_id"] == taken_id
    assert fill["is_taker"] is True
    assert (fill["outcome_side"], fill["book_side"]) == ("no", "ask")
    assert fill["post_position_fp"] == "-4.00"
    assert fill["fee_cost"] == "0.0690"  # ceil(0.07 * 4 * 0.56 * 0.44) to the centi-cent
    assert "client_order_id" not in fill
    assert [(o["msg"]["order_id"], o["msg"]["status"]) for o in b["user_order"]] == [
        (taken_id, "executed")
    ]
    assert all(p["msg"]["user_id"] == bob.name for p in b["market_position"])
    assert b["market_position"][-1]["msg"]["position_fp"] == "-4.00"

    # carol: her resting order and her order group, no fills.
    assert "fill" not in c
    assert [(o["msg"]["order_id"], o["msg"]["status"]) for o in c["user_order"]] == [
        (carol_order["order_id"], "resting")
    ]
    (created,) = c["order_group_updates"]
    assert created["seq"] == 1
    assert created["msg"]["event_type"] == "created"
    assert created["msg"]["order_group_id"] == group_id
    assert created["msg"]["contracts_limit_fp"] == "7.00"
    assert created["msg"]["ts_ms"] == server.clock.now_ns() // 1_000_000
    assert all(p["msg"]["user_id"] == carol.name for p in c.get("market_position", []))

    # dave follows only the other market: nothing arrives.
    assert filtered.barrier() == []
    for client in [*clients.values(), filtered]:
        client.close()


def test_anonymous_connection_gets_public_channels_only(server: InProcessExchange) -> None:
    anonymous = server.websocket()
    for channel in (
        "fill",
        "user_orders",
        "market_positions",
        "order_group_updates",
        "orderbook_delta",
        "communications",
    ):
        params: dict[str, Any] = {"channels": [channel], "market_ticker": "KXTEST-26DEC-T1"}
        assert anonymous.error("subscribe", params) == {
            "code": 9,
            "msg": "Authentication required",
        }
    # Public channels work without credentials.
    acks = anonymous.command("subscribe", {"channels": ["ticker", "trade", "market_lifecycle_v2"]})
    assert [(a["type"], a["msg"]["channel"]) for a in acks] == [
        ("subscribed", "ticker"),
        ("subscribed", "trade"),
        ("subscribed", "market_lifecycle_v2"),
    ]
    anonymous.close()


async def _trade_and_watch(server: Server, maker: User, taker: User, m: str, n: int) -> str:
    """``maker`` buys ``n`` YES from ``taker``; return the maker's last position volume."""
    api = Api(server)
    try:
        client = await WsClient.open(server, maker)
        await client.command("subscribe", {"channels": ["market_positions"]})
        await api.order(maker, m, "bid", "0.40", str(n))
        await api.order(taker, m, "ask", "0.40", str(n), time_in_force="immediate_or_cancel")
        positions = [p["msg"] for p in _by_type(await client.barrier())["market_position"]]
        await client.close()
    finally:
        await api.close()
    assert positions[-1]["market_ticker"] == m
    return str(positions[-1]["volume_fp"])


async def _volume_setup(server: Server) -> tuple[User, User, str]:
    api = Api(server)
    try:
        maker, taker = await api.user("vm"), await api.user("vt")
        (m,) = await api.markets("VOL", 1)
        return maker, taker, m
    finally:
        await api.close()


@pytest.mark.process  # kill -9 of a real server
def test_position_volume_survives_restarts(tmp_path: Any) -> None:
    """``volume_fp`` is kept by the engine: a clean restart (from the shutdown snapshot)
    and a ``kill -9`` (journal replay) both keep counting from where they were."""
    with catalog_server(tmp_path / "data") as server:
        maker, taker, m = asyncio.run(_volume_setup(server))
        assert asyncio.run(_trade_and_watch(server, maker, taker, m, 3)) == "3.00"
        server.stop()
        server.start()
        assert asyncio.run(_trade_and_watch(server, maker, taker, m, 2)) == "5.00"
        server.kill()
        server.start()
        assert asyncio.run(_trade_and_watch(server, maker, taker, m, 1)) == "6.00"
