"""The platform end to end through the real server (``augury serve`` in a subprocess).

register -> login -> token -> list and search events -> trade -> position -> a protection
fires after another user moves the price -> limit order -> cancel -> CSV matches the fills
-> webhook received and its signature verifies -> the 61st request in a minute is 429 ->
insufficient funds is 402 -> a closed market is 409; each refusal changes nothing. Then a
platform user's Kalshi API key sees through the official SDK exactly what the platform
shows, and the other way round.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.server_harness import CATALOG, Server
from tests.platform.receiver import Receiver

# A real server in a subprocess, over real sockets (tests.e2e.server_harness).
pytestmark = pytest.mark.process

T1 = "KXTEST-26DEC-T1"
T2 = "KXTEST-26DEC-T2"
T3 = "KXTEST-26DEC-T3"
PASSWORD = "correct horse battery"


def wait_for(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition never came true"
        time.sleep(0.02)


class Person:
    """One platform user talking JSON to the server: a session cookie or a token."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.http = httpx.Client(base_url=server.url, timeout=30)
        self.csrf = ""
        self.token: str | None = None
        self.user: dict[str, Any] = {}

    def call(self, method: str, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        headers = dict(kw.pop("headers", {}))
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        elif method != "GET" and self.csrf:
            headers["X-CSRF-Token"] = self.csrf
        return self.http.request(method, path, json=body, headers=headers, **kw)

    def join(self, email: str, dollars: str = "0") -> None:
        made = self.call("POST", "/api/auth/register", {"email": email, "password": PASSWORD})
        assert made.status_code == 201, made.text
        login = self.call("POST", "/api/auth/login", {"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        self.csrf = login.json()["csrfToken"]
        self.user = login.json()["user"]
        if dollars != "0":
            self.server.admin("POST", f"/users/{self.user['id']}/deposit", {"amount": dollars})

    def mint_token(self) -> str:
        response = self.call("POST", "/api/me/tokens", {"name": "e2e", "scopes": ["read", "write"]})
        assert response.status_code == 201, response.text
        secret: str = response.json()["secret"]
        return secret


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(
        tmp_path_factory.mktemp("platform-e2e") / "data", extra=["--webhooks-allow-private"]
    )
    srv.start()
    srv.admin("POST", "/catalog", CATALOG)
    yield srv
    srv.close()


@pytest.fixture
def people(server: Server) -> Iterator[Callable[[], Person]]:
    made: list[Person] = []

    def make() -> Person:
        made.append(Person(server))
        return made[-1]

    yield make
    for person in made:
        person.http.close()


def digest(server: Server) -> str:
    return str(server.admin("GET", "/state")["state_digest"])


def test_the_whole_journey(server: Server, people: Callable[[], Person]) -> None:
    alice, maker, mover = people(), people(), people()
    alice.join("alice@example.com", "100")
    maker.join("maker@example.com", "1000")
    mover.join("mover@example.com", "1000")
    # A token: from here on Alice is an API client.
    alice.token = alice.mint_token()
    assert alice.call("GET", "/api/auth/me").json()["auth"] == "token"
    events = alice.call("GET", "/api/events").json()["events"]
    slugs = {e["id"]: e["slug"] for e in events}
    assert slugs["KXTEST-26DEC"] == "test-event"
    found = alice.call("GET", "/api/events", params={"q": "above the strike"}).json()["events"]
    assert [e["id"] for e in found] == ["KXTEST-26DEC"]

    with Receiver() as receiver:
        hook = alice.call("POST", "/api/me/webhooks", {"url": receiver.url, "events": ["fill"]})
        assert hook.status_code == 201, hook.text
        secret = hook.json()["secret"]

        # Trade: the maker offers YES at 60 (buys NO at 40); Alice buys 5 at up to 62.
        offer = {
            "optionId": T1,
            "side": "NO",
            "action": "BUY",
            "quantity": 5,
            "limitPriceCents": 40,
        }
        assert maker.call("POST", "/api/limit-orders", offer).status_code == 201
        trade = alice.call(
            "POST",
            "/api/trades",
            {"optionId": T1, "side": "YES", "action": "BUY", "quantity": 5, "priceCents": 62},
        )
        assert trade.status_code == 201, trade.text
        assert trade.json()["filledQuantity"] == 5
        (position,) = alice.call("GET", "/api/positions").json()["positions"]
        assert (position["optionId"], position["side"], position["quantity"]) == (T1, "YES", 5)

        # Webhook: the fill arrives signed.
        wait_for(lambda: len(receiver.received) >= 1)
        headers, body = receiver.received[0]
        t, v1 = (p.split("=", 1)[1] for p in headers["augury-signature"].split(","))
        mac = hmac.new(secret.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(mac, v1)
        assert json.loads(body)["data"]["optionId"] == T1

    # Protection: a stop at 40%; bids at 35 for the sale, then the mover trades at 35.
    protection = alice.call("POST", f"/api/positions/{T1}/protections", {"stopLossProbBps": 4000})
    assert protection.status_code == 201, protection.text
    bids = {"optionId": T1, "side": "YES", "action": "BUY", "quantity": 10, "limitPriceCents": 35}
    assert maker.call("POST", "/api/limit-orders", bids).status_code == 201
    crash = {"optionId": T1, "side": "NO", "action": "BUY", "quantity": 1, "priceCents": 65}
    assert mover.call("POST", "/api/trades", crash).status_code == 201
    wait_for(lambda: alice.call("GET", "/api/positions").json()["positions"] == [])
    notes = alice.call("GET", "/api/me/notifications").json()["notifications"]
    assert any(n["kind"] == "protection" for n in notes)

    # Limit order, then cancel it.
    rest = {"optionId": T2, "side": "YES", "action": "BUY", "quantity": 2, "limitPriceCents": 20}
    placed = alice.call("POST", "/api/limit-orders", rest)
    assert placed.status_code == 201
    order_id = placed.json()["order"]["id"]
    assert (
        alice.call("DELETE", f"/api/limit-orders/{order_id}").json()["order"]["status"]
        == "cancelled"
    )

    # CSV = the fills, as the Kalshi API reports them.
    rows = list(csv.DictReader(io.StringIO(alice.call("GET", "/api/me/trades/export").text)))
    trades = alice.call("GET", "/api/trades").json()["trades"]
    assert [r["fill_id"] for r in rows] == [t["id"] for t in trades]
    assert [(r["side"], r["action"], r["quantity"]) for r in rows] == [
        ("YES", "SELL", "5.00"),
        ("YES", "BUY", "5.00"),
    ]

    # Refusals change nothing.
    before = digest(server)
    poor = {"optionId": T2, "side": "YES", "action": "BUY", "quantity": 1000, "limitPriceCents": 90}
    assert alice.call("POST", "/api/limit-orders", poor).status_code == 402
    assert digest(server) == before
    server.admin("POST", f"/markets/{T3}/close")
    before = digest(server)
    closed = {"optionId": T3, "side": "YES", "action": "BUY", "quantity": 1, "priceCents": 50}
    refused = alice.call("POST", "/api/trades", closed)
    assert refused.status_code == 409
    assert "not open" in refused.json()["error"]
    assert digest(server) == before

    # The 61st request in a minute is 429 (a fresh token, so the count starts at zero).
    fresh = people()
    fresh.join("counter@example.com")
    fresh.token = fresh.mint_token()
    statuses = [fresh.call("GET", "/api/auth/me").status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60
    assert statuses[60] == 429
    last = fresh.call("GET", "/api/auth/me")
    assert last.status_code == 429
    assert 1 <= int(last.headers["retry-after"]) <= 60
    assert last.json() == {"error": "too many requests: at most 60 per minute"}


def test_the_kalshi_sdk_sees_what_the_platform_shows(
    server: Server, people: Callable[[], Person]
) -> None:
    bob, other = people(), people()
    bob.join("bob@example.com", "100")
    other.join("other@example.com", "100")
    key = bob.call("POST", "/api/me/api-keys", {"name": "sdk"}).json()
    sdk = server.sdk(key["apiKey"]["id"], key["privateKey"])
    # Platform -> SDK: a resting limit order and a position.
    rest = {"optionId": T2, "side": "YES", "action": "BUY", "quantity": 3, "limitPriceCents": 30}
    order_id = bob.call("POST", "/api/limit-orders", rest).json()["order"]["id"]
    sell = {"optionId": T2, "side": "NO", "action": "BUY", "quantity": 1, "priceCents": 70}
    assert other.call("POST", "/api/trades", sell).status_code == 201
    orders = sdk.get_orders(status="resting").orders
    assert [(o.order_id, o.ticker, o.remaining_count_fp) for o in orders] == [
        (order_id, T2, "2.00")
    ]
    (market_position,) = [p for p in sdk.get_positions().market_positions if p.ticker == T2]
    assert market_position.position_fp == "1.00"
    assert (
        int(sdk.get_balance().balance)
        == bob.call("GET", "/api/positions").json()["summary"]["cashCents"]
    )
    # SDK -> platform: an order placed through the Kalshi API is a platform limit order.
    placed = sdk.create_order_v2(
        ticker=T2,
        side="bid",
        count="4",
        price="0.25",
        time_in_force="good_till_canceled",
        self_trade_prevention_type="taker_at_cross",
    )
    listed = bob.call("GET", "/api/limit-orders").json()["orders"]
    assert {o["id"] for o in listed} == {order_id, placed.order_id}
    (platform_position,) = bob.call("GET", "/api/positions").json()["positions"]
    assert (platform_position["optionId"], platform_position["quantity"]) == (T2, 1)
