"""Order books over the WebSocket: snapshot + deltas rebuild exactly the REST book.

The property test runs a seeded random multi-user workload (resting orders, crossing
orders with partial fills, IOC, cancels, amends, decreases, batches and a market close)
against the in-process app while several subscribers with different options watch, one of
them joining half-way and one widening its subscription half-way. Afterwards every
subscriber's rebuilt book must equal ``GET /markets/{ticker}/orderbook`` for every market
it follows, and its ``seq`` must have no gap. The seed is in the test id.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.server_harness import CATALOG
from tests.inprocess import InProcessExchange, InProcessWebSocket, running_exchange
from tests.ws.inprocess_api import Api
from tests.ws.ws_helpers import BookMirror, User, rebuild


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessExchange]:
    data = tmp_path_factory.mktemp("ws-books")
    with running_exchange(data, catalog=CATALOG, rate_limits=False) as exchange:
        yield exchange


def _workload_step(
    api: Api,
    rng: random.Random,
    users: list[User],
    live: list[str],
    orders: list[tuple[User, str, str, str]],
) -> str | None:
    """Do one random operation; return its name when the server accepted it."""
    user = rng.choice(users)
    ticker = rng.choice(live)
    roll = rng.random()
    price = f"0.{rng.randint(44, 56)}"
    side = rng.choice(["bid", "ask"])
    if roll < 0.45 or not orders:
        extra: dict[str, Any] = {}
        if rng.random() < 0.2:
            extra["time_in_force"] = "immediate_or_cancel"
        if rng.random() < 0.3:
            extra["client_order_id"] = f"c{rng.getrandbits(40)}"
        response = api.order(user, ticker, side, price, str(rng.randint(1, 9)), **extra)
        if response.status_code != 201:
            return None
        order = response.json()
        orders.append((user, order["order_id"], ticker, side))
        filled = order["fill_count"] != "0.00"
        return "partial" if filled and order["remaining_count"] != "0.00" else "place"
    owner, order_id, o_ticker, o_side = rng.choice(orders)
    path = f"/portfolio/events/orders/{order_id}"
    if roll < 0.65:
        name, response = "cancel", api.call(owner, "DELETE", path)
    elif roll < 0.80:
        count = str(rng.randint(1, 12))
        body: dict[str, Any] = {"ticker": o_ticker, "side": o_side, "price": price, "count": count}
        name, response = "amend", api.call(owner, "POST", f"{path}/amend", body)
    elif roll < 0.90:
        body = {"reduce_by": "1"}
        name, response = "decrease", api.call(owner, "POST", f"{path}/decrease", body)
    else:
        batch = [
            {
                "ticker": ticker,
                "side": rng.choice(["bid", "ask"]),
                "price": f"0.{rng.randint(44, 56)}",
                "count": str(rng.randint(1, 5)),
                "time_in_force": "good_till_canceled",
                "self_trade_prevention_type": "maker",
            }
            for _ in range(4)
        ]
        body = {"orders": batch}
        name = "batch"
        response = api.call(user, "POST", "/portfolio/events/orders/batched", body)
    return name if response.status_code < 300 else None


def _property_round(server: InProcessExchange, seed: int) -> None:
    rng = random.Random(seed)
    api = Api(server)
    users = [api.user(f"p{seed}u") for _ in range(4)]
    m0, m1, m2 = api.markets(f"PB{seed}", 3)
    # (client, sid, use_yes_price, markets it must mirror at the end)
    plain = server.websocket(users[0])
    plain.command("subscribe", {"channels": ["orderbook_delta"], "market_tickers": [m0, m1, m2]})
    yes = server.websocket(users[1])
    yes.command(
        "subscribe",
        {
            "channels": ["orderbook_delta"],
            "market_ticker": m0,
            "market_tickers": [m1],
            "use_yes_price": True,
        },
    )
    widening = server.websocket(users[2])
    widening.command("subscribe", {"channels": ["orderbook_delta"], "market_ticker": m0})
    late: InProcessWebSocket | None = None
    live = [m0, m1, m2]
    orders: list[tuple[User, str, str, str]] = []
    done: Counter[str | None] = Counter()
    steps = 140
    for step in range(steps):
        if step == steps // 2:
            late = server.websocket(users[3])
            late.command(
                "subscribe", {"channels": ["orderbook_delta"], "market_tickers": [m0, m1, m2]}
            )
            replies = widening.command(
                "update_subscription",
                {"sid": 1, "action": "add_markets", "market_tickers": [m1, m2]},
            )
            assert [r["type"] for r in replies].count("orderbook_snapshot") == 2
        if step == 2 * steps // 3:
            api.admin("POST", f"/markets/{m2}/close")
            live.remove(m2)
        done[_workload_step(api, rng, users, live, orders)] += 1
    assert late is not None
    # The workload really exercised every kind of change (fixed by the seed).
    for kind in ("place", "partial", "cancel", "amend", "decrease", "batch"):
        assert done[kind] > 0, (kind, done)
    watchers = [
        (plain, False, [m0, m1, m2]),
        (yes, True, [m0, m1]),
        (widening, False, [m0, m1, m2]),
        (late, False, [m0, m1, m2]),
    ]
    for client, use_yes, tickers in watchers:
        client.barrier()
        books = rebuild(client.log, 1)
        assert sorted(books) == sorted(tickers)
        for ticker in tickers:
            assert books[ticker].as_rest(use_yes) == api.book(ticker), (seed, ticker)
    assert api.book(m2) == ([], [])  # the close cancelled every resting order
    for client, _, _ in watchers:
        client.close()


@pytest.mark.parametrize("seed", [11, 23, 37])
def test_snapshot_plus_deltas_equal_rest_book(server: InProcessExchange, seed: int) -> None:
    _property_round(server, seed)


def test_pricing_own_orders_and_empty_sides(server: InProcessExchange) -> None:
    api = Api(server)
    alice, bob = api.user("px"), api.user("px")
    (m,) = api.markets("PX", 1)
    api.order(alice, m, "ask", "0.60", "3", client_order_id="alice-ask")
    api.order(alice, m, "bid", "0.40", "2")
    api.order(alice, m, "bid", "0.30", "1")
    no_leg = server.websocket(alice)
    yes_leg = server.websocket(bob)
    snap = (no_leg.command("subscribe", {"channels": ["orderbook_delta"], "market_ticker": m}))[1]
    assert snap["type"] == "orderbook_snapshot"
    assert snap["seq"] == 1
    assert snap["sid"] == 1
    assert snap["msg"]["yes_dollars_fp"] == [["0.3000", "1.00"], ["0.4000", "2.00"]]
    assert snap["msg"]["no_dollars_fp"] == [["0.4000", "3.00"]]  # the ask, NO-leg priced
    snap = (
        yes_leg.command(
            "subscribe",
            {"channels": ["orderbook_delta"], "market_ticker": m, "use_yes_price": True},
        )
    )[1]
    assert snap["msg"]["no_dollars_fp"] == [["0.6000", "3.00"]]
    api.order(alice, m, "ask", "0.70", "5", client_order_id="alice-2")
    own = (no_leg.barrier())[0]
    other = (yes_leg.barrier())[0]
    assert own["msg"]["price_dollars"] == "0.3000"
    assert own["msg"]["side"] == "no"
    assert own["msg"]["delta_fp"] == "5.00"
    assert own["seq"] == 2
    assert own["msg"]["client_order_id"] == "alice-2"  # the subscriber's own order
    assert other["msg"]["price_dollars"] == "0.7000"
    assert "client_order_id" not in other["msg"]
    assert "subaccount" not in other["msg"]
    assert isinstance(own["msg"]["ts_ms"], int)
    assert isinstance(own["msg"]["ts"], str)
    # A market with an empty book: both sides are omitted from the snapshot.
    (empty,) = api.markets("PXE", 1)
    added = yes_leg.command(
        "update_subscription", {"sid": 1, "action": "add_markets", "market_ticker": empty}
    )
    assert added[0]["type"] == "ok"
    assert added[0]["msg"]["market_tickers"] == [m, empty]
    assert set(added[1]["msg"]) == {"market_ticker", "market_id"}
    no_leg.close()
    yes_leg.close()


def test_get_snapshot_and_reconnect_resynchronise(server: InProcessExchange) -> None:
    api = Api(server)
    maker, taker = api.user("rs"), api.user("rs")
    m0, m1 = api.markets("RS", 2)
    for price in ("0.41", "0.42", "0.43"):
        api.order(maker, m0, "bid", price, "5")
        api.order(maker, m1, "ask", f"0.6{price[-1]}", "5")
    # 1. A client that loses messages asks for a snapshot on the same sid.
    client = server.websocket(taker)
    client.command("subscribe", {"channels": ["orderbook_delta"], "market_tickers": [m0, m1]})
    api.order(taker, m0, "ask", "0.42", "7", time_in_force="immediate_or_cancel")
    api.order(maker, m1, "ask", "0.66", "4")
    lost = client.barrier()
    assert [m["type"] for m in lost] == ["orderbook_delta"] * 3
    del client.log[-len(lost) - 1 :]  # pretend these never arrived
    replies = client.command("update_subscription", {"sids": [1], "action": "get_snapshot"})
    assert [(r["type"], r["seq"]) for r in replies] == [
        ("orderbook_snapshot", 6),
        ("orderbook_snapshot", 7),
    ]
    api.order(maker, m0, "bid", "0.40", "1")
    client.barrier()
    seqs = [m["seq"] for m in client.log if m.get("sid") == 1 and "seq" in m]
    assert seqs == [1, 2, 6, 7, 8]
    books: dict[str, Any] = {}
    for message in client.log:
        if message.get("sid") != 1 or "msg" not in message:
            continue
        msg = message["msg"]
        if message["type"] == "orderbook_snapshot":
            books[msg["market_ticker"]] = BookMirror()
            books[msg["market_ticker"]].snapshot(msg)
        else:
            books[msg["market_ticker"]].delta(msg)
    for ticker in (m0, m1):
        assert books[ticker].as_rest(False) == api.book(ticker)
    # get_snapshot for a market the sid does not follow is refused.
    refused = client.error(
        "update_subscription", {"sid": 1, "action": "get_snapshot", "market_ticker": "NOPE"}
    )
    assert refused == {"code": 11, "msg": "Invalid parameter", "market_ticker": "NOPE"}
    # 2. A client that drops off and reconnects starts over from a fresh snapshot.
    client.close()
    api.order(taker, m1, "bid", "0.70", "20", time_in_force="immediate_or_cancel")
    api.order(maker, m0, "bid", "0.39", "2")
    again = server.websocket(taker)
    again.command("subscribe", {"channels": ["orderbook_delta"], "market_tickers": [m0, m1]})
    books2 = rebuild(again.log, 1)
    for ticker in (m0, m1):
        assert books2[ticker].as_rest(False) == api.book(ticker)
    assert api.book(m1) == ([], [])  # the IOC swept every ask
    again.close()
