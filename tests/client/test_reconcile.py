"""A create whose response is lost is reconciled by client_order_id, never doubled or raised.

The exchange runs in-process; a transport between it and the client *loses* chosen
exchanges: the request reaches the server (the order is placed) but the client sees a read
timeout. The retry (same client_order_id) is answered 409 ``order_already_exists`` by the
server, and the client must return the order that exists instead of raising. The
expectations come from the server's own listing, not from the client under test.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from augury.client import AsyncClient, Client, Signer, errors, legacy, orders
from augury.client import endpoints as ep
from augury.client.retry import CONSERVATIVE
from augury.client.units import count_c
from tests.client.inproc import InProc, exchange

T1 = "KXTEST-26DEC-T1"


class Lossy(httpx.BaseTransport):
    """Forwards every request; for the numbered ones, drops the answer (or the request)."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        lose_answer: set[int],
        lose_request: frozenset[int] | set[int] = frozenset(),
    ) -> None:
        self.inner = inner
        self.lose_answer = lose_answer
        self.lose_request = lose_request
        self.seen: list[tuple[str, str, int | None]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        n = len(self.seen)
        if n in self.lose_request:
            self.seen.append((request.method, request.url.path, None))
            raise httpx.ConnectError("request lost")
        response = self.inner.handle_request(request)
        response.read()
        self.seen.append((request.method, request.url.path, response.status_code))
        if n in self.lose_answer:
            raise httpx.ReadTimeout("response lost")
        return response


class AsyncBridge(httpx.AsyncBaseTransport):
    """An async transport over a synchronous one (``Lossy``), for the async client."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        sync_request = httpx.Request(
            request.method, request.url, headers=request.headers, content=body
        )
        response = await asyncio.to_thread(self.inner.handle_request, sync_request)
        return httpx.Response(
            response.status_code, headers=response.headers, content=response.read()
        )


@pytest.fixture
def ex(tmp_path: Path) -> Iterator[InProc]:
    with exchange(tmp_path / "data") as found:
        yield found


def _client(ex: InProc, signer: Signer, transport: httpx.BaseTransport) -> Client:
    return Client(
        "http://testserver",
        signer=signer,
        transport=transport,
        clock=ex.clock,
        sleep=ex.sleep,
        retry=CONSERVATIVE,
    )


def _server_orders(ex: InProc, signer: Signer) -> list[tuple[str, str, str]]:
    with ex.client(signer) as plain:
        listed = plain.orders(ticker=T1).orders
    return [(o.order_id, o.client_order_id, o.remaining_count_fp) for o in listed]


def test_a_lost_v2_create_is_found_by_client_order_id(ex: InProc) -> None:
    alice = ex.user("rec")
    lossy = Lossy(ex.transport, lose_answer={0})
    with _client(ex, alice, lossy) as client:
        made = client.create_order(orders.order_v2(T1, "bid", 4000, 300, client_order_id="coid-1"))
    on_server = _server_orders(ex, alice)
    assert on_server == [(made.order_id, "coid-1", "3.00")]  # one order, the one returned
    assert (made.client_order_id, count_c(made.fill_count), count_c(made.remaining_count)) == (
        "coid-1",
        0,
        300,
    )
    path = "/trade-api/v2/portfolio/events/orders"
    assert lossy.seen == [
        ("POST", path, 201),  # placed, answer lost
        ("POST", path, 409),  # order_already_exists
        ("GET", "/trade-api/v2/portfolio/orders", 200),  # the lookup
    ]


def test_a_lost_v1_create_is_found_by_client_order_id(ex: InProc) -> None:
    alice = ex.user("rec")
    lossy = Lossy(ex.transport, lose_answer={0})
    with _client(ex, alice, lossy) as client:
        made = client.send(
            legacy.create_order(orders.order_v1(T1, "yes", "buy", 35, 2, client_order_id="v1-a"))
        )
    assert _server_orders(ex, alice) == [(made.order.order_id, "v1-a", "2.00")]
    assert made.order.status == "resting"


def test_a_409_on_the_first_attempt_is_a_real_conflict(ex: InProc) -> None:
    alice = ex.user("rec")
    with _client(ex, alice, ex.transport) as client:
        client.create_order(orders.order_v2(T1, "bid", 4000, 100, client_order_id="dup"))
        ex.sleep(0.001)  # a new signature: the server refuses a replayed one
        with pytest.raises(errors.ConflictError) as raised:
            client.create_order(orders.order_v2(T1, "bid", 4000, 100, client_order_id="dup"))
    assert raised.value.code == "order_already_exists"


def test_an_older_order_with_the_same_id_is_not_adopted(ex: InProc) -> None:
    # The id is taken by an order at 0.40; a create at 0.45 whose *request* was lost is
    # answered 409 on retry: the order found is not the one asked for, so it is raised.
    alice = ex.user("rec")
    with _client(ex, alice, ex.transport) as client:
        first = client.create_order(orders.order_v2(T1, "bid", 4000, 100, client_order_id="old"))
    ex.sleep(0.001)
    lossy = Lossy(ex.transport, lose_answer=set(), lose_request={0})
    with _client(ex, alice, lossy) as client, pytest.raises(errors.ConflictError):
        client.create_order(orders.order_v2(T1, "bid", 4500, 100, client_order_id="old"))
    assert _server_orders(ex, alice) == [(first.order_id, "old", "1.00")]


def test_a_create_without_client_order_id_that_may_exist_raises_unsafe_retry(ex: InProc) -> None:
    alice = ex.user("rec")
    lossy = Lossy(ex.transport, lose_answer={0})
    order = orders.order_v2(T1, "bid", 4000, 100)
    order.client_order_id = None
    with _client(ex, alice, lossy) as client, pytest.raises(errors.UnsafeRetryError) as raised:
        client.send(ep.create_order_v2(order))
    assert isinstance(raised.value.__cause__, errors.TransportError)
    assert len(lossy.seen) == 1  # never sent twice
    assert len(_server_orders(ex, alice)) == 1  # and it did exist


def test_the_async_client_reconciles_too(ex: InProc) -> None:
    alice = ex.user("rec")
    lossy = Lossy(ex.transport, lose_answer={0})

    async def session() -> str:
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
            made = await client.create_order(
                orders.order_v2(T1, "ask", 6000, 100, client_order_id="async-1")
            )
            return made.order_id

    order_id = asyncio.run(session())
    assert _server_orders(ex, alice) == [(order_id, "async-1", "1.00")]
