"""Deleting an API key closes the WebSocket sessions it opened (issue 10, "Medium").

Against the real server: a user opens a private stream (``user_orders``, ``fill``) with
one key and trades with another. Once the first key is deleted (``DELETE /api_keys/{id}``,
signed by the second), the stream ends with ``error`` 9 "Authentication required" and
close code 1008, and nothing of the user's later trading reaches it; a new handshake with
the deleted key is refused. A stream opened with the user's other key is untouched.

The same holds when the operator revokes the key (``DELETE /admin/v1/keys/{id}``), and
when the operator suspends a platform account (``POST
/admin/v1/platform/users/{id}/suspend``): every stream of that account's keys ends the
same way, and its handshakes are refused until it is reinstated; another user's stream
is untouched.
"""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator

import pytest

from tests.security.net_harness import (
    WS_PATH,
    NetServer,
    client_frame,
    read_until_closed,
    running,
    server_frames,
    signed,
    ws_open,
)

pytestmark = pytest.mark.process  # a real server in a subprocess

TEXT, CLOSE = 0x1, 0x8
ORDERS = "/trade-api/v2/portfolio/events/orders"
TICKER = "KXTEST-26DEC-T2"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetServer]:
    srv = NetServer(tmp_path_factory.mktemp("ws-revoke") / "data", extra=["--rate-limits", "off"])
    with running(srv):
        yield srv


def subscribe(sock: socket.socket) -> None:
    params = {"channels": ["user_orders", "fill"]}
    frame = json.dumps({"id": 1, "cmd": "subscribe", "params": params}).encode()
    sock.sendall(client_frame(TEXT, frame))


def messages_until(sock: socket.socket, wanted: str) -> list[dict[str, object]]:
    data = b""
    seen: list[dict[str, object]] = []
    while True:
        chunk = sock.recv(65536)
        assert chunk, f"closed before a {wanted}"
        data += chunk
        frames, data = server_frames(data)
        seen += [json.loads(p) for op, p in frames if op == TEXT]
        if any(m.get("type") == wanted for m in seen):
            return seen


def order(server: NetServer, key: tuple[str, str], side: str, price: str) -> None:
    body = {
        "ticker": TICKER,
        "side": side,
        "price": price,
        "count": "1",
        "time_in_force": "good_till_canceled",
        "self_trade_prevention_type": "taker_at_cross",
    }
    response = server.http.post(ORDERS, json=body, headers=signed(key, "POST", ORDERS))
    assert response.status_code == 201, response.text


def test_deleting_a_key_closes_its_streams_and_only_its_streams(server: NetServer) -> None:
    streamer = server.user("rv-user", "1000", key_type="ed25519")
    trader_id = server.admin("POST", "/keys/generate", {"user": "rv-user", "type": "ed25519"})
    trader = (trader_id["api_key_id"], trader_id["private_key"])
    other = server.user("rv-other", "1000")

    revoked, status, _ = ws_open(server, signed(streamer, "GET", WS_PATH))
    assert status == 101
    kept, status, _ = ws_open(server, signed(trader, "GET", WS_PATH))
    assert status == 101
    with revoked, kept:
        subscribe(revoked)
        subscribe(kept)
        order(server, trader, "bid", "0.40")
        assert any(m["type"] == "user_order" for m in messages_until(revoked, "user_order"))
        messages_until(kept, "user_order")

        path = f"/trade-api/v2/api_keys/{streamer[0]}"
        deleted = server.http.delete(path, headers=signed(trader, "DELETE", path))
        assert deleted.status_code == 204
        # The user trades on after the revocation: a fill of the resting bid.
        order(server, other, "ask", "0.40")

        frames, _ = server_frames(read_until_closed(revoked))
        texts = [json.loads(p) for op, p in frames if op == TEXT]
        closes = [int.from_bytes(p[:2], "big") for op, p in frames if op == CLOSE]
        assert texts[-1] == {
            "type": "error",
            "msg": {"code": 9, "msg": "Authentication required"},
        }
        assert closes == [1008]
        assert not any(m["type"] == "fill" for m in texts)
        # The stream of the key that was not deleted gets the fill.
        assert any(m["type"] == "fill" for m in messages_until(kept, "fill"))

    again, status, body = ws_open(server, signed(streamer, "GET", WS_PATH))
    again.close()
    assert status == 401
    assert json.loads(body)["error"]["code"] == "NOT_FOUND"


def _closed_with_auth_required(sock: socket.socket) -> list[dict[str, object]]:
    """Read to the close; the stream must end with error 9 and close code 1008."""
    frames, _ = server_frames(read_until_closed(sock))
    texts = [json.loads(p) for op, p in frames if op == TEXT]
    closes = [int.from_bytes(p[:2], "big") for op, p in frames if op == CLOSE]
    assert texts[-1] == {"type": "error", "msg": {"code": 9, "msg": "Authentication required"}}
    assert closes == [1008]
    return texts


def test_the_operator_revoking_a_key_closes_its_streams(server: NetServer) -> None:
    streamer = server.user("rv-admin", "1000", key_type="ed25519")
    other = server.user("rv-admin-other", "1000", key_type="ed25519")
    revoked, status, _ = ws_open(server, signed(streamer, "GET", WS_PATH))
    assert status == 101
    kept, status, _ = ws_open(server, signed(other, "GET", WS_PATH))
    assert status == 101
    with revoked, kept:
        subscribe(revoked)
        subscribe(kept)
        order(server, streamer, "bid", "0.30")
        messages_until(revoked, "user_order")
        server.admin("DELETE", f"/keys/{streamer[0]}")
        # The other user trades against the revoked key's resting bid: a fill for both.
        order(server, other, "ask", "0.30")
        texts = _closed_with_auth_required(revoked)
        assert not any(m["type"] == "fill" for m in texts)
        assert any(m["type"] == "fill" for m in messages_until(kept, "fill"))
    again, status, _ = ws_open(server, signed(streamer, "GET", WS_PATH))
    again.close()
    assert status == 401


def _platform_key(server: NetServer, email: str) -> tuple[str, tuple[str, str]]:
    """Register a platform account, log in, make an API key; return (user id, key)."""
    password = "correct horse battery"
    account = {"email": email, "password": password}
    registered = server.http.post("/api/auth/register", json=account)
    assert registered.status_code == 201, registered.text
    login = server.http.post("/api/auth/login", json=account)
    assert login.status_code == 200, login.text
    session = {
        "Cookie": f"augury_session={login.cookies['augury_session']}",
        "X-CSRF-Token": login.json()["csrfToken"],
    }
    server.http.cookies.clear()
    made = server.http.post("/api/me/api-keys", json={"name": "bot"}, headers=session)
    assert made.status_code == 201, made.text
    user_id: str = login.json()["user"]["id"]
    return user_id, (made.json()["apiKey"]["id"], made.json()["privateKey"])


def test_suspending_an_account_closes_its_streams(server: NetServer) -> None:
    user_id, key = _platform_key(server, f"suspend-{uuid.uuid4().hex[:8]}@example.com")
    bystander = server.user("rv-bystander", "1000", key_type="ed25519")
    suspended, status, _ = ws_open(server, signed(key, "GET", WS_PATH))
    assert status == 101
    kept, status, _ = ws_open(server, signed(bystander, "GET", WS_PATH))
    assert status == 101
    with suspended, kept:
        subscribe(suspended)
        subscribe(kept)
        server.admin("POST", f"/platform/users/{user_id}/suspend")
        _closed_with_auth_required(suspended)
        # The bystander's stream is untouched: its own order still reaches it.
        order(server, bystander, "bid", "0.20")
        messages_until(kept, "user_order")
    refused, status, body = ws_open(server, signed(key, "GET", WS_PATH))
    refused.close()
    assert status == 403
    assert json.loads(body)["error"]["code"] == "account_suspended"
    server.admin("POST", f"/platform/users/{user_id}/reinstate")
    back, status, _ = ws_open(server, signed(key, "GET", WS_PATH))
    back.close()
    assert status == 101
