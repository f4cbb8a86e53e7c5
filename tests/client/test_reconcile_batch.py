"""A retried batch create answers the items a lost attempt placed as created, not as 409s.

The exchange runs in-process; ``Lossy`` (from ``test_reconcile``) drops the answer of the
first batch: the server placed every item, the client saw a read timeout and retried with
the same client_order_ids, and the server answered each item ``order_already_exists``. The
client must list the user's orders once per market and hand back each placed order in the
batch response's own item shape. Expectations come from the server's own listing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from augury.client import AsyncClient, Signer, legacy, orders
from augury.client import endpoints as ep
from augury.client.models import wire
from augury.client.retry import CONSERVATIVE
from tests.client.inproc import InProc, exchange
from tests.client.test_reconcile import AsyncBridge, Lossy, _client

T1 = "KXTEST-26DEC-T1"
T2 = "KXTEST-26DEC-T2"
V2_BATCH = "/trade-api/v2/portfolio/events/orders/batched"
V1_BATCH = "/trade-api/v2/portfolio/orders/batched"
LISTING = "/trade-api/v2/portfolio/orders"


@pytest.fixture
def ex(tmp_path: Path) -> Iterator[InProc]:
    with exchange(tmp_path / "data") as found:
        yield found


def _on_server(ex: InProc, signer: Signer) -> dict[str, tuple[str, str, str]]:
    """client_order_id -> (order id, ticker, remaining) for every order the user has."""
    with ex.client(signer) as plain:
        listed = [o for t in (T1, T2) for o in plain.orders(ticker=t).orders]
    return {o.client_order_id: (o.order_id, o.ticker, o.remaining_count_fp) for o in listed}


def _v2_batch() -> wire.BatchCreateOrdersV2Request:
    return wire.BatchCreateOrdersV2Request(
        orders=[
            orders.order_v2(T1, "bid", 4000, 300, client_order_id="b-1"),
            orders.order_v2(T2, "ask", 6500, 100, client_order_id="b-2"),
            orders.order_v2(T1, "bid", 3900, 200, client_order_id="b-3"),
        ]
    )


def test_a_lost_v2_batch_is_answered_with_the_orders_it_placed(ex: InProc) -> None:
    alice = ex.user("bat")
    lossy = Lossy(ex.transport, lose_answer={0})
    with _client(ex, alice, lossy) as client:
        made = client.send(ep.batch_create_orders_v2(_v2_batch()))
    server = _on_server(ex, alice)
    assert len(server) == 3  # placed once each, never doubled
    answered = [(i.client_order_id, i.order_id, i.remaining_count, i.error) for i in made.orders]
    assert answered == [
        ("b-1", server["b-1"][0], "3.00", None),
        ("b-2", server["b-2"][0], "1.00", None),
        ("b-3", server["b-3"][0], "2.00", None),
    ]
    assert lossy.seen == [
        ("POST", V2_BATCH, 201),  # placed, answer lost
        ("POST", V2_BATCH, 201),  # every item order_already_exists
        ("GET", LISTING, 200),  # T1's orders: b-1 and b-3
        ("GET", LISTING, 200),  # T2's orders: b-2
    ]


def test_an_item_whose_id_an_older_order_holds_keeps_its_conflict(ex: InProc) -> None:
    # "b-2" is taken by an earlier order at 0.60; the batch's b-2 asks 0.65, and its
    # request (not the answer) is lost: the retry places b-1 and b-3 and refuses b-2.
    # Nothing was placed by a lost attempt, but the client cannot know: it looks, finds an
    # order b-2 that is not the one asked for, and keeps the refusal.
    alice = ex.user("bat")
    with _client(ex, alice, ex.transport) as client:
        older = client.create_order(orders.order_v2(T2, "ask", 6000, 100, client_order_id="b-2"))
    ex.sleep(0.001)
    lossy = Lossy(ex.transport, lose_answer=set(), lose_request={0})
    with _client(ex, alice, lossy) as client:
        made = client.send(ep.batch_create_orders_v2(_v2_batch()))
    server = _on_server(ex, alice)
    assert server["b-2"] == (older.order_id, T2, "1.00")
    first, second, third = made.orders
    assert (first.order_id, third.order_id) == (server["b-1"][0], server["b-3"][0])
    assert second.order_id is None
    assert second.error is not None
    assert second.error.code == "order_already_exists"
    # Only the refused item's market was listed.
    assert [s for s in lossy.seen if s[0] == "GET"] == [("GET", LISTING, 200)]


def test_a_batch_refused_on_its_first_attempt_is_not_looked_up(ex: InProc) -> None:
    alice = ex.user("bat")
    with _client(ex, alice, ex.transport) as client:
        client.create_order(orders.order_v2(T1, "bid", 4000, 300, client_order_id="b-1"))
    ex.sleep(0.001)
    lossy = Lossy(ex.transport, lose_answer=set())
    with _client(ex, alice, lossy) as client:
        made = client.send(ep.batch_create_orders_v2(_v2_batch()))
    first = made.orders[0]
    assert first.error is not None
    assert first.error.code == "order_already_exists"
    assert [s[0] for s in lossy.seen] == ["POST"]


def test_a_lost_v1_batch_is_answered_with_its_orders(ex: InProc) -> None:
    alice = ex.user("bat")
    lossy = Lossy(ex.transport, lose_answer={0})
    body = wire.BatchCreateOrdersRequest(
        orders=[
            orders.order_v1(T1, "yes", "buy", 35, 2, client_order_id="v1-a"),
            orders.order_v1(T1, "no", "buy", 40, 1, client_order_id="v1-b"),
        ]
    )
    with _client(ex, alice, lossy) as client:
        made = client.send(legacy.batch_create_orders(body))
    server = _on_server(ex, alice)
    got = [(i.client_order_id, i.order.order_id if i.order else None, i.error) for i in made.orders]
    assert got == [("v1-a", server["v1-a"][0], None), ("v1-b", server["v1-b"][0], None)]
    assert [s for s in lossy.seen if s[0] == "GET"] == [("GET", LISTING, 200)]


def test_the_async_client_repairs_a_lost_batch_too(ex: InProc) -> None:
    alice = ex.user("bat")
    lossy = Lossy(ex.transport, lose_answer={0})

    async def session() -> list[str | None]:
        async def sleep(seconds: float) -> None:
            ex.sleep(seconds)

        async with AsyncClient(
            "http://testserver",
            signer=alice,
            transport=AsyncBridge(lossy),
            clock=ex.clock,
            sleep=sleep,
            retry=CONSERVATIVE,
        ) as client:
            made = await client.send(ep.batch_create_orders_v2(_v2_batch()))
            return [item.order_id for item in made.orders]

    ids = asyncio.run(session())
    server = _on_server(ex, alice)
    assert ids == [server["b-1"][0], server["b-2"][0], server["b-3"][0]]
