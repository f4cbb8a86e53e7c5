"""A captured signed write or WebSocket handshake cannot be used twice (issue 10, "Replays").

Against the real server. The body is not signed (as on Kalshi), so before this change a
captured order request could be sent again within the ±30 s window, with the same or
another body, and each copy placed an order; captured handshake headers opened more
private streams. Now the second use of the same (key, timestamp, signature) on a write or
a handshake is 401 ``header_signature_replayed`` and changes nothing. Reads may repeat.
A client that retries signs again with a new timestamp and keeps its ``client_order_id``,
so a retry of an order that did go through cannot place a second one.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest

from tests.security.net_harness import (
    WS_PATH,
    NetServer,
    connect,
    read_response,
    request_bytes,
    running,
    signed,
    ws_open,
)

pytestmark = pytest.mark.process  # a real server in a subprocess

ORDERS = "/trade-api/v2/portfolio/events/orders"
BALANCE = "/trade-api/v2/portfolio/balance"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetServer]:
    with running(NetServer(tmp_path_factory.mktemp("replay") / "data")) as srv:
        yield srv


def body(cents: int, **extra: str) -> dict[str, str]:
    return {
        "ticker": "KXTEST-26DEC-T1",
        "side": "bid",
        "price": f"0.{cents:02d}",
        "count": "1",
        "time_in_force": "good_till_canceled",
        "self_trade_prevention_type": "taker_at_cross",
        **extra,
    }


def resting(server: NetServer, user: str) -> int:
    users = {u["user_id"]: u for u in server.admin("GET", "/users")["users"]}
    return int(users[user]["resting_orders"])


def test_three_identical_posts_make_one_order(server: NetServer) -> None:
    key = server.user("rp-one", "100")
    headers = signed(key, "POST", ORDERS)
    first = server.http.post(ORDERS, json=body(10), headers=headers)
    assert first.status_code == 201
    for cents in (10, 11):  # the same request, then the same headers with another body
        again = server.http.post(ORDERS, json=body(cents), headers=headers)
        assert again.status_code == 401
        error = again.json()["error"]
        assert error["code"] == "header_signature_replayed"
        assert error["details"] == "REPLAYED_REQUEST"
    assert resting(server, "rp-one") == 1


def test_a_replay_with_another_spelling_of_the_signature_is_refused(server: NetServer) -> None:
    # Base64 has several spellings of one byte string (the unused bits of the last
    # character); the signature is remembered by its bytes, not its text.
    key = server.user("rp-spell", "100", key_type="ed25519")
    headers = signed(key, "POST", ORDERS)
    assert server.http.post(ORDERS, json=body(12), headers=headers).status_code == 201
    text = headers["KALSHI-ACCESS-SIGNATURE"]
    raw = base64.b64decode(text)
    variants = {
        text[:-3] + c + "=="
        for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    }
    variants = {v for v in variants if v != text and base64.b64decode(v) == raw}
    assert variants  # 64 bytes leave 4 unused bits in the last character
    replay = {**headers, "KALSHI-ACCESS-SIGNATURE": variants.pop()}
    again = server.http.post(ORDERS, json=body(13), headers=replay)
    assert again.status_code == 401
    assert again.json()["error"]["code"] == "header_signature_replayed"
    assert resting(server, "rp-spell") == 1


def test_a_retry_signs_anew_and_keeps_its_client_order_id(server: NetServer) -> None:
    key = server.user("rp-retry", "100")
    order = body(14, client_order_id="retry-0001")
    assert (
        server.http.post(ORDERS, json=order, headers=signed(key, "POST", ORDERS)).status_code == 201
    )
    retry = server.http.post(ORDERS, json=order, headers=signed(key, "POST", ORDERS))
    assert retry.status_code != 401  # a fresh signature is not a replay ...
    assert resting(server, "rp-retry") == 1  # ... and the client_order_id stops a second order


def test_reads_may_repeat(server: NetServer) -> None:
    key = server.user("rp-read", "100")
    headers = signed(key, "GET", BALANCE)
    for _ in range(3):
        assert server.http.get(BALANCE, headers=headers).status_code == 200


def test_replayed_websocket_handshake_headers_open_nothing(server: NetServer) -> None:
    key = server.user("rp-ws", "100", key_type="ed25519")
    headers = signed(key, "GET", WS_PATH)
    first, status, _ = ws_open(server, headers)
    first.close()
    assert status == 101
    for _ in range(3):
        again, status, refusal = ws_open(server, headers)
        again.close()
        assert status == 401
        assert json.loads(refusal)["error"]["code"] == "header_signature_replayed"


def test_a_replayed_write_changes_nothing_even_on_another_connection(server: NetServer) -> None:
    key = server.user("rp-raw", "100")
    payload = json.dumps(body(15)).encode()
    captured = request_bytes("POST", ORDERS, headers=signed(key, "POST", ORDERS), body=payload)
    before = int(server.admin("GET", "/state")["last_seq"])
    statuses = []
    for _ in range(3):
        with connect(server) as sock:
            sock.sendall(captured)
            statuses.append(read_response(sock)[0])
    assert statuses == [201, 401, 401]
    assert int(server.admin("GET", "/state")["last_seq"]) == before + 1
