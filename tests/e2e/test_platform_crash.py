"""Acknowledged platform writes survive ``kill -9`` of the real server.

One pass through the platform's own writes (register, token create, limit order,
protection set, notification mark-read, cash request), each acknowledged by the server,
then SIGKILL and a restart on the same data: every one of them is there, exactly as
acknowledged (the same ids), and the exchange state digest is the one before the kill.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.server_harness import CATALOG, Server
from tests.e2e.test_platform_e2e import T1, Person, wait_for

pytestmark = pytest.mark.process


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    srv = Server(tmp_path / "data")
    srv.start()
    srv.admin("POST", "/catalog", CATALOG)
    yield srv
    srv.close()


def test_every_acknowledged_platform_write_survives_kill_9(server: Server) -> None:
    maker, alice = Person(server), Person(server)
    maker.join("crash-maker@example.com", "1000")
    alice.join("crash-alice@example.com", "100")  # register: acknowledged with 201
    token = alice.mint_token()  # token create: shown once, with 201
    # A position to protect (and a fill notification to mark read).
    ask = maker.call(
        "POST",
        "/api/limit-orders",
        {"optionId": T1, "side": "NO", "action": "BUY", "quantity": 3, "limitPriceCents": 50},
    )
    assert ask.status_code == 201, ask.text
    bought = alice.call(
        "POST",
        "/api/trades",
        {"optionId": T1, "side": "YES", "action": "BUY", "quantity": 3, "priceCents": 50},
    )
    assert bought.status_code == 201, bought.text
    order = alice.call(
        "POST",
        "/api/limit-orders",
        {"optionId": T1, "side": "YES", "action": "BUY", "quantity": 2, "limitPriceCents": 10},
    )
    assert order.status_code == 201, order.text
    order_id = order.json()["order"]["id"]
    protection = alice.call("POST", f"/api/positions/{T1}/protections", {"stopLossProbBps": 2000})
    assert protection.status_code == 201, protection.text
    protection_id = protection.json()["protection"]["id"]

    def fills() -> list[dict[str, object]]:
        notes = alice.call("GET", "/api/me/notifications").json()["notifications"]
        return [n for n in notes if n["kind"] == "fill"]

    wait_for(lambda: len(fills()) == 1)
    note_id = fills()[0]["id"]
    marked = alice.call("POST", "/api/me/notifications", {"id": note_id})
    assert marked.status_code == 200, marked.text
    server.admin("POST", "/platform/gateways/manual", {"deposits": True, "withdrawals": True})
    cash = alice.call("POST", "/api/deposits", {"amountCents": 2500})
    assert cash.status_code == 202, cash.text
    request_id = cash.json()["request"]["id"]
    before = server.admin("GET", "/state")["state_digest"]

    server.kill()
    server.start()

    assert server.admin("GET", "/state")["state_digest"] == before
    again = Person(server)
    login = again.call(
        "POST",
        "/api/auth/login",
        {"email": "crash-alice@example.com", "password": "correct horse battery"},
    )
    assert login.status_code == 200, login.text
    bearer = Person(server)
    bearer.token = token
    me = bearer.call("GET", "/api/auth/me")
    assert me.status_code == 200, me.text
    assert me.json()["user"]["id"] == alice.user["id"]
    open_orders = bearer.call("GET", "/api/limit-orders").json()["orders"]
    assert [o["id"] for o in open_orders] == [order_id]
    [position] = bearer.call("GET", "/api/positions").json()["positions"]
    assert position["protection"]["id"] == protection_id
    notes = bearer.call("GET", "/api/me/notifications").json()["notifications"]
    assert [n["read"] for n in notes if n["id"] == note_id] == [True]
    pending = server.admin("GET", "/platform/cash-requests?status=pending")["requests"]
    assert [r["id"] for r in pending] == [request_id]
    for person in (maker, alice, again, bearer):
        person.http.close()
