"""The seed API's limits, counted exactly on a fake clock (docs/seed-api.md "Limits").

Every number asserted here is the contract's: 100 requests, 10 orders and 1,000
market-data requests per rolling minute per account; 5 WebSocket connections per account,
100 subscriptions per connection, 100 client messages per second. Refused requests are
not counted, and the windows roll (time moves only when the test moves it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.seed.contract_client import ContractError, SeedClient
from tests.seed.harness import Exchange, markets_catalog, serve

S = 1_000_000_000
M0 = "KXSEED-M000"


@pytest.fixture
def exchange(tmp_path: Path) -> Iterator[Exchange]:
    with serve(tmp_path, markets_catalog(101)) as ex:
        yield ex


def client(ex: Exchange, token: str | None) -> SeedClient:
    return SeedClient("http://testserver", token, http=ex.http)


def refused(call: Any) -> ContractError:
    with pytest.raises(ContractError) as caught:
        call()
    return caught.value


def test_requests_orders_and_market_data_windows(exchange: Exchange) -> None:
    account, token = exchange.person("1000")
    seed = client(exchange, token)
    for _ in range(10):
        seed.place(M0, "buy", 1, "0.01")
    error = refused(lambda: seed.place(M0, "buy", 1, "0.01"))
    assert (error.status, error.code) == (429, "RATE_LIMIT_EXCEEDED")
    assert error.retry_after == 60  # the oldest order leaves the window in 60 s
    assert error.retry_after_header == "60"
    # The refused order was not counted: 10 orders + 90 requests make the 100.
    for _ in range(90):
        seed.account(account)
    error = refused(lambda: seed.account(account))
    assert (error.status, error.code, error.retry_after) == (429, "RATE_LIMIT_EXCEEDED", 60)
    # Market data has its own window of 1,000.
    for _ in range(1000):
        seed.market(M0)
    assert refused(lambda: seed.market(M0)).code == "RATE_LIMIT_EXCEEDED"
    assert refused(lambda: seed.markets()).code == "RATE_LIMIT_EXCEEDED"
    exchange.clock.advance(59 * S)
    assert refused(lambda: seed.account(account)).retry_after == 1
    exchange.clock.advance(1 * S)
    assert seed.account(account)["reserved_balance"] > 0
    assert seed.market(M0)["yes_bid"] == Decimal("0.01")


def test_refused_order_places_nothing(exchange: Exchange) -> None:
    account, token = exchange.person("1000")
    seed = client(exchange, token)
    for _ in range(10):
        seed.place(M0, "buy", 1, "0.01")
    before = seed.account(account)
    assert refused(lambda: seed.place(M0, "buy", 5, "0.50")).code == "RATE_LIMIT_EXCEEDED"
    assert seed.account(account) == before
    assert seed.market(M0)["yes_bid"] == Decimal("0.01")  # no bid at 0.50 rests


def test_anonymous_and_bad_tokens_share_the_address_window(exchange: Exchange) -> None:
    nobody = client(exchange, None)
    forged = client(exchange, "pred_" + "x" * 40)
    for i in range(100):
        who = nobody if i % 2 else forged
        error = refused(lambda who=who: who.markets())
        assert (error.status, error.code) == (401, "INVALID_API_KEY")
    error = refused(lambda: nobody.markets())
    assert (error.status, error.code) == (429, "RATE_LIMIT_EXCEEDED")


def test_accounts_have_separate_windows(exchange: Exchange) -> None:
    first, token_a = exchange.person()
    second, token_b = exchange.person()
    a, b = client(exchange, token_a), client(exchange, token_b)
    for _ in range(100):
        a.account(first)
    assert refused(lambda: a.account(first)).code == "RATE_LIMIT_EXCEEDED"
    assert b.account(second)["account_id"] == second


def _auth(ws: Any, token: str) -> dict[str, Any]:
    ws.send_json({"type": "auth", "api_key": token})
    reply: dict[str, Any] = json.loads(ws.receive_text())
    return reply


def test_five_connections_per_account(exchange: Exchange) -> None:
    account, token = exchange.person()
    opened = []
    for _ in range(5):
        ws = exchange.http.websocket_connect("/seed/v1/ws").__enter__()
        assert _auth(ws, token) == {"type": "authenticated", "account_id": account}
        opened.append(ws)
    with exchange.http.websocket_connect("/seed/v1/ws") as sixth:
        reply = _auth(sixth, token)
        assert reply["type"] == "error"
        assert reply["error"]["code"] == "RATE_LIMIT_EXCEEDED"
        assert sixth.receive()["type"] == "websocket.close"
    # Another account is not affected, and a closed connection frees a place.
    _, other = exchange.person()
    with exchange.http.websocket_connect("/seed/v1/ws") as ws:
        assert _auth(ws, other)["type"] == "authenticated"
    opened.pop().__exit__(None, None, None)
    with exchange.http.websocket_connect("/seed/v1/ws") as ws:
        assert _auth(ws, token)["type"] == "authenticated"
    for ws in opened:
        ws.__exit__(None, None, None)


def test_hundred_subscriptions_per_connection(exchange: Exchange) -> None:
    _, token = exchange.person()
    with exchange.http.websocket_connect("/seed/v1/ws") as ws:
        _auth(ws, token)
        for i in range(100):
            exchange.clock.advance(S // 50)  # 50 messages a second: under the rate limit
            ws.send_json({"type": "subscribe", "channel": "market", "ticker": f"KXSEED-M{i:03d}"})
            assert json.loads(ws.receive_text())["type"] == "subscribed"
            assert json.loads(ws.receive_text())["type"] == "market_update"
        exchange.clock.advance(S // 50)
        ws.send_json({"type": "subscribe", "channel": "orders"})
        reply = json.loads(ws.receive_text())
        assert (reply["type"], reply["error"]["code"]) == ("error", "RATE_LIMIT_EXCEEDED")
        # Subscribing again to one it holds is not a new subscription.
        exchange.clock.advance(S // 50)
        ws.send_json({"type": "subscribe", "channel": "market", "ticker": M0})
        assert json.loads(ws.receive_text())["type"] == "subscribed"


def test_hundred_messages_per_second(exchange: Exchange) -> None:
    _, token = exchange.person()
    with exchange.http.websocket_connect("/seed/v1/ws") as ws:
        _auth(ws, token)
        for _ in range(100):
            ws.send_json({"type": "subscribe", "channel": "orders"})
            assert json.loads(ws.receive_text())["type"] == "subscribed"
        ws.send_json({"type": "subscribe", "channel": "orders"})
        reply = json.loads(ws.receive_text())
        assert reply["error"]["code"] == "RATE_LIMIT_EXCEEDED"
        exchange.clock.advance(S)
        ws.send_json({"type": "subscribe", "channel": "orders"})
        assert json.loads(ws.receive_text())["type"] == "subscribed"


@pytest.mark.parametrize(
    "first", [{"type": "subscribe", "channel": "orders"}, {"type": "auth", "api_key": "nope"}]
)
def test_first_message_must_authenticate(exchange: Exchange, first: dict[str, Any]) -> None:
    with exchange.http.websocket_connect("/seed/v1/ws") as ws:
        ws.send_json(first)
        reply = json.loads(ws.receive_text())
        assert (reply["type"], reply["error"]["code"]) == ("error", "INVALID_API_KEY")
        assert ws.receive()["type"] == "websocket.close"
