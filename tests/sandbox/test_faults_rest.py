"""REST faults in process: each one as its key sees it, and every other key untouched.

Alice's key gets the fault; Bob (another user) and, where it matters, Alice's second key
make the same requests at the same moment and get the ordinary answers. Expected answers
come from the contract (Kalshi's 429 body, the nested error shape, ``InProcessExchangeStatus`` on
503) and from the configuration itself (fraction 1: every request).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from augury.api.auth import signing_headers
from augury.api.sandbox.faults import FaultBook
from augury.api.sandbox.rest import ConnectionDropped
from augury.client.signing import UniqueStamps
from tests.e2e.server_harness import CATALOG
from tests.inprocess import InProcessExchange
from tests.seed.harness import serve

T1 = "KXTEST-26DEC-T1"
API = "/trade-api/v2"


class Key:
    def __init__(self, exchange: InProcessExchange, user: str, key_id: str, pem: str) -> None:
        self.exchange = exchange
        self.user = user
        self.key_id = key_id
        self.pem = pem
        self.stamps = UniqueStamps()

    def call(self, method: str, path: str, body: Any = None, *, sign_as: str | None = None) -> Any:
        full = API + path
        ts_ms = self.exchange.clock.now_ns() // 1_000_000
        if method != "GET":  # a retry is signed anew, as the replay check requires (0020)
            ts_ms = self.stamps.next(ts_ms)
        headers = signing_headers(self.pem, self.key_id, method, full.split("?")[0], ts_ms)
        if sign_as is not None:  # a forged request: another key id, this key's signature
            headers["KALSHI-ACCESS-KEY"] = sign_as
        content = None if body is None else json.dumps(body).encode()
        if content is not None:
            headers["Content-Type"] = "application/json"
        return self.exchange.request(method, full, content=content, headers=headers)

    def order(self, client_order_id: str | None = None) -> Any:
        body: dict[str, Any] = {
            "ticker": T1,
            "side": "bid",
            "price": "0.40",
            "count": "1",
            "time_in_force": "good_till_canceled",
            "self_trade_prevention_type": "taker_at_cross",
        }
        if client_order_id is not None:
            body["client_order_id"] = client_order_id
        return self.call("POST", "/portfolio/events/orders", body)


# The exchange, Alice's two keys and Bob's.
World = tuple[InProcessExchange, Key, Key, Key]


def new_key(exchange: InProcessExchange, user: str, *, create: bool = True) -> Key:
    if create:
        exchange.admin("POST", "/users", {"name": user, "deposit": "1000"})
    made = exchange.admin("POST", "/keys/generate", {"user": user, "type": "ed25519"})
    return Key(exchange, user, made["api_key_id"], made["private_key"])


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with serve(tmp_path, CATALOG) as exchange:
        alice = new_key(exchange, "alice")
        alice2 = new_key(exchange, "alice", create=False)
        bob = new_key(exchange, "bob")
        yield exchange, alice, alice2, bob


def set_faults(exchange: InProcessExchange, target: str, config: dict[str, Any]) -> None:
    exchange.admin("PUT", f"/faults/{target}", config)


def applied(exchange: InProcessExchange) -> dict[str, dict[str, int]]:
    listing = exchange.admin("GET", "/faults")["faults"]
    return {next(iter(f["target"].values())): f["applied"] for f in listing}


def test_nothing_is_faulted_by_default(world: World) -> None:
    exchange, alice, _, _ = world
    assert exchange.admin("GET", "/faults") == {"faults": [], "schedules": []}
    assert alice.call("GET", "/portfolio/balance").status_code == 200


@pytest.mark.parametrize(("kind", "status"), [("429", 429), ("500", 500), ("503", 503)])
def test_error_answers(world: World, kind: str, status: int) -> None:
    exchange, alice, alice2, bob = world
    set_faults(exchange, f"keys/{alice.key_id}", {"errors": {kind: 1, "retry_after_s": 3}})
    for _ in range(3):
        answer = alice.call("GET", "/portfolio/balance")
        assert answer.status_code == status
        if kind == "429":
            assert answer.json() == {"error": "too many requests"}  # Kalshi's body
            assert answer.headers["Retry-After"] == "3"
        else:
            code = "internal_server_error" if kind == "500" else "service_unavailable"
            assert answer.json()["error"]["code"] == code
        assert alice2.call("GET", "/portfolio/balance").status_code == 200
        assert bob.call("GET", "/portfolio/balance").status_code == 200
    assert applied(exchange) == {alice.key_id: {kind: 3}}


def test_a_refused_order_was_not_applied(world: World) -> None:
    exchange, alice, _, _ = world
    set_faults(exchange, f"keys/{alice.key_id}", {"errors": {"503": 1}})
    assert alice.order().status_code == 503
    exchange.admin("DELETE", f"/faults/keys/{alice.key_id}")
    assert alice.call("GET", "/portfolio/orders").json()["orders"] == []


def test_dropped_connection_applies_nothing(world: World) -> None:
    exchange, alice, _, bob = world
    set_faults(exchange, f"keys/{alice.key_id}", {"errors": {"drop": 1}})
    with pytest.raises(ConnectionDropped):
        alice.order("drop-1")
    assert bob.order().status_code == 201
    exchange.admin("DELETE", f"/faults/keys/{alice.key_id}")
    assert alice.call("GET", "/portfolio/orders").json()["orders"] == []
    assert alice.order("drop-1").status_code == 201  # the id was never used


def test_applied_but_unanswered(world: World) -> None:
    exchange, alice, _, _ = world
    set_faults(exchange, f"keys/{alice.key_id}", {"errors": {"applied_drop": 1}})
    with pytest.raises(ConnectionDropped):
        alice.order("retry-me")
    exchange.admin("DELETE", f"/faults/keys/{alice.key_id}")
    orders = alice.call("GET", "/portfolio/orders").json()["orders"]
    assert [o["client_order_id"] for o in orders] == ["retry-me"]  # accepted and journaled
    # A retry with the same client_order_id is refused instead of opening a second order.
    again = alice.order("retry-me")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "order_already_exists")
    # ... while a retry without it opens a second position: the bot's bug this exposes.
    assert alice.order().status_code == 201
    assert len(alice.call("GET", "/portfolio/orders").json()["orders"]) == 2


def test_latency_is_drawn_per_request_and_key(world: World) -> None:
    exchange, alice, alice2, bob = world
    book: FaultBook = exchange.app.state.fault_book
    slept: list[float] = []

    async def record(seconds: float) -> None:
        slept.append(seconds)

    book.sleep = record
    set_faults(exchange, "users/alice", {"latency": {"rest": {"kind": "fixed", "ms": 250}}})
    assert alice.call("GET", "/portfolio/balance").status_code == 200
    assert alice2.call("GET", "/portfolio/balance").status_code == 200  # the user's key too
    assert slept == [0.25, 0.25]
    assert bob.call("GET", "/portfolio/balance").status_code == 200
    assert slept == [0.25, 0.25]
    set_faults(
        exchange,
        "users/alice",
        {"latency": {"rest": {"kind": "uniform", "min_ms": 10, "max_ms": 20}}},
    )
    for _ in range(20):
        alice.call("GET", "/exchange/status")
    assert len(slept) == 22
    assert all(0.01 <= s <= 0.02 for s in slept[2:])
    assert applied(exchange) == {"alice": {"latency": 20}}


def test_a_forged_key_id_meets_no_faults(world: World) -> None:
    exchange, alice, _, bob = world
    set_faults(exchange, f"keys/{alice.key_id}", {"errors": {"500": 1}})
    # Bob signs with his key but names Alice's: the signature fails, so no fault applies.
    forged = bob.call("GET", "/portfolio/balance", sign_as=alice.key_id)
    assert forged.status_code == 401
    assert applied(exchange) == {alice.key_id: {}}


def test_maintenance_window(world: World) -> None:
    exchange, alice, _, bob = world
    now_s = exchange.clock.now_ns() // 1_000_000_000
    set_faults(exchange, "users/alice", {"maintenance": {"end_ts": now_s + 600}})
    status = alice.call("GET", "/exchange/status")
    assert status.status_code == 503
    assert status.json()["exchange_active"] is False
    assert status.json()["trading_active"] is False
    assert status.json()["exchange_estimated_resume_time"].endswith("Z")
    write = alice.order()
    assert (write.status_code, write.json()["error"]["code"]) == (503, "service_unavailable")
    assert alice.call("GET", f"/markets/{T1}").status_code == 200  # reads are served
    assert bob.call("GET", "/exchange/status").json()["exchange_active"] is True
    assert bob.order().status_code == 201
    exchange.fake_clock.advance(600 * 1_000_000_000)  # the window is over
    assert alice.call("GET", "/exchange/status").json()["exchange_active"] is True
    assert alice.order().status_code == 201


def test_only_the_operator_sets_faults(world: World) -> None:
    exchange, alice, _, bob = world
    for method, body in (("PUT", {"errors": {"500": 1}}), ("DELETE", None)):
        path = f"/admin/v1/faults/keys/{bob.key_id}"
        ts_ms = exchange.clock.now_ns() // 1_000_000
        headers = signing_headers(alice.pem, alice.key_id, method, path, ts_ms)
        answer = exchange.request(method, path, json=body, headers=headers)
        assert answer.status_code == 403
    assert exchange.admin("GET", "/faults")["faults"] == []
    bad = exchange.request(
        "PUT", f"/admin/v1/faults/keys/{bob.key_id}", json={"errors": {"500": 1}}
    )
    assert bad.status_code == 401


def test_faults_for_unknown_targets_are_refused(world: World) -> None:
    exchange, _, _, _ = world
    path = "/admin/v1/faults/keys/no-such-key"
    ts_ms = exchange.clock.now_ns() // 1_000_000
    op_id, op_pem = exchange.operator
    headers = signing_headers(op_pem, op_id, "PUT", path, ts_ms)
    answer = exchange.request("PUT", path, json={"errors": {"500": 1}}, headers=headers)
    assert answer.status_code == 404
    path = "/admin/v1/faults/users/alice"
    headers = signing_headers(op_pem, op_id, "PUT", path, ts_ms)
    answer = exchange.request("PUT", path, json={"errors": {"500": 2}}, headers=headers)
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "invalid_parameters")
