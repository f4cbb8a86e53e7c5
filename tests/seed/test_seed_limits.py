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

from tests.inprocess import BASE_URL, InProcessExchange, InProcessWebSocket, WebSocketClosed
from tests.seed.contract_client import ContractError, SeedClient
from tests.seed.harness import markets_catalog, person, seed_http, serve

S = 1_000_000_000
M0 = "KXSEED-M000"
WS = "/seed/v1/ws"


@pytest.fixture
def exchange(tmp_path: Path) -> Iterator[InProcessExchange]:
    with serve(tmp_path, markets_catalog(101)) as ex:
        yield ex


def client(ex: InProcessExchange, token: str | None) -> SeedClient:
    return SeedClient(BASE_URL, token, http=seed_http(ex))


def refused(call: Any) -> ContractError:
    with pytest.raises(ContractError) as caught:
        call()
    return caught.value


def test_requests_orders_and_market_data_windows(exchange: InProcessExchange) -> None:
    account, token = person(exchange, "1000")
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
    exchange.fake_clock.advance(59 * S)
    assert refused(lambda: seed.account(account)).retry_after == 1
    exchange.fake_clock.advance(1 * S)
    assert seed.account(account)["reserved_balance"] > 0
    assert seed.market(M0)["yes_bid"] == Decimal("0.01")


def test_refused_order_places_nothing(exchange: InProcessExchange) -> None:
    account, token = person(exchange, "1000")
    seed = client(exchange, token)
    for _ in range(10):
        seed.place(M0, "buy", 1, "0.01")
    before = seed.account(account)
    assert refused(lambda: seed.place(M0, "buy", 5, "0.50")).code == "RATE_LIMIT_EXCEEDED"
    assert seed.account(account) == before
    assert seed.market(M0)["yes_bid"] == Decimal("0.01")  # no bid at 0.50 rests


def test_anonymous_and_bad_tokens_share_the_address_window(exchange: InProcessExchange) -> None:
    nobody = client(exchange, None)
    forged = client(exchange, "pred_" + "x" * 40)
    for i in range(100):
        who = nobody if i % 2 else forged
        error = refused(lambda who=who: who.markets())
        assert (error.status, error.code) == (401, "INVALID_API_KEY")
    error = refused(lambda: nobody.markets())
    assert (error.status, error.code) == (429, "RATE_LIMIT_EXCEEDED")


def test_accounts_have_separate_windows(exchange: InProcessExchange) -> None:
    first, token_a = person(exchange)
    second, token_b = person(exchange)
    a, b = client(exchange, token_a), client(exchange, token_b)
    for _ in range(100):
        a.account(first)
    assert refused(lambda: a.account(first)).code == "RATE_LIMIT_EXCEEDED"
    assert b.account(second)["account_id"] == second


def _send(ws: InProcessWebSocket, message: dict[str, Any]) -> None:
    ws.send_text(json.dumps(message))


def _auth(ws: InProcessWebSocket, token: str) -> dict[str, Any]:
    _send(ws, {"type": "auth", "api_key": token})
    return ws.recv()


def _closed_by_server(ws: InProcessWebSocket) -> bool:
    try:
        ws.recv()
    except WebSocketClosed:
        return True
    return False


def test_five_connections_per_account(exchange: InProcessExchange) -> None:
    account, token = person(exchange)
    opened = []
    for _ in range(5):
        ws = exchange.websocket(path=WS)
        assert _auth(ws, token) == {"type": "authenticated", "account_id": account}
        opened.append(ws)
    with exchange.websocket(path=WS) as sixth:
        reply = _auth(sixth, token)
        assert reply["type"] == "error"
        assert reply["error"]["code"] == "RATE_LIMIT_EXCEEDED"
        assert _closed_by_server(sixth)
    # Another account is not affected, and a closed connection frees a place.
    _, other = person(exchange)
    with exchange.websocket(path=WS) as ws:
        assert _auth(ws, other)["type"] == "authenticated"
    opened.pop().close()
    with exchange.websocket(path=WS) as ws:
        assert _auth(ws, token)["type"] == "authenticated"
    for ws in opened:
        ws.close()


def test_hundred_subscriptions_per_connection(exchange: InProcessExchange) -> None:
    _, token = person(exchange)
    with exchange.websocket(path=WS) as ws:
        _auth(ws, token)
        for i in range(100):
            exchange.fake_clock.advance(S // 50)  # 50 messages a second: under the rate limit
            _send(ws, {"type": "subscribe", "channel": "market", "ticker": f"KXSEED-M{i:03d}"})
            assert ws.recv()["type"] == "subscribed"
            assert ws.recv()["type"] == "market_update"
        exchange.fake_clock.advance(S // 50)
        _send(ws, {"type": "subscribe", "channel": "orders"})
        reply = ws.recv()
        assert (reply["type"], reply["error"]["code"]) == ("error", "RATE_LIMIT_EXCEEDED")
        # Subscribing again to one it holds is not a new subscription.
        exchange.fake_clock.advance(S // 50)
        _send(ws, {"type": "subscribe", "channel": "market", "ticker": M0})
        assert ws.recv()["type"] == "subscribed"


def test_hundred_messages_per_second(exchange: InProcessExchange) -> None:
    _, token = person(exchange)
    with exchange.websocket(path=WS) as ws:
        _auth(ws, token)
        for _ in range(100):
            _send(ws, {"type": "subscribe", "channel": "orders"})
            assert ws.recv()["type"] == "subscribed"
        _send(ws, {"type": "subscribe", "channel": "orders"})
        reply = ws.recv()
        assert reply["error"]["code"] == "RATE_LIMIT_EXCEEDED"
        exchange.fake_clock.advance(S)
        _send(ws, {"type": "subscribe", "channel": "orders"})
        assert ws.recv()["type"] == "subscribed"


@pytest.mark.parametrize(
    "first", [{"type": "subscribe", "channel": "orders"}, {"type": "auth", "api_key": "nope"}]
)
def test_first_message_must_authenticate(
    exchange: InProcessExchange, first: dict[str, Any]
) -> None:
    with exchange.websocket(path=WS) as ws:
        _send(ws, first)
        reply = ws.recv()
        assert (reply["type"], reply["error"]["code"]) == ("error", "INVALID_API_KEY")
        assert _closed_by_server(ws)
