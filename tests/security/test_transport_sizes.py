"""Oversize input is refused before it is parsed or journaled (issue 10, "High — Sizes").

Against the real server: request heads (whole block, one header, header count, target),
bodies (declared and chunked) and JSON nesting (order routes, the batch endpoint the rate
limiter reads before authentication, the admin API). Each refusal has its status (431,
414, 413, 400), a JSON error that does not echo the oversize value, and leaves the
journal exactly as it was. The expected limits are the documented defaults
(docs/SECURITY.md): 16 KiB heads, 8 KiB per header line and target, 100 headers, 64 KiB
bodies, 32 levels of nesting.
"""

from __future__ import annotations

import json
import select
import socket
from collections.abc import Iterator

import pytest

from tests.security.net_harness import (
    NetServer,
    closed_by_peer,
    connect,
    read_response,
    request_bytes,
    running,
    signed,
)

pytestmark = pytest.mark.process  # a real server in a subprocess

STATUS = "/trade-api/v2/exchange/status"
ORDERS = "/trade-api/v2/portfolio/events/orders"
BATCH = "/trade-api/v2/portfolio/events/orders/batched"
MARKER = "Q" * 7  # a value that must never come back in an error


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetServer]:
    with running(NetServer(tmp_path_factory.mktemp("sizes") / "data")) as srv:
        yield srv


@pytest.fixture(scope="module")
def trader(server: NetServer) -> tuple[str, str]:
    return server.user("sizes-trader", "1000")


def last_seq(server: NetServer) -> int:
    return int(server.admin("GET", "/state")["last_seq"])


def exchange(server: NetServer, data: bytes) -> tuple[int, bytes]:
    with connect(server) as sock:
        sock.sendall(data)
        status, _, body = read_response(sock)
        return status, body


def assert_refused(status: int, body: bytes, expected: int, code: str) -> None:
    assert status == expected, body
    error = json.loads(body)["error"]
    assert error["code"] == code
    assert MARKER.encode() not in body


def test_a_header_block_over_16_kib_is_431(server: NetServer) -> None:
    headers = {f"x-filler-{i}": MARKER * 40 for i in range(60)}  # 60 x ~300 B = 18 KB
    status, body = exchange(server, request_bytes("GET", STATUS, headers=headers))
    assert_refused(status, body, 431, "request_header_fields_too_large")


def test_one_header_over_8_kib_is_431(server: NetServer) -> None:
    headers = {"x-long": MARKER * 1200}  # 8,400 bytes
    status, body = exchange(server, request_bytes("GET", STATUS, headers=headers))
    assert_refused(status, body, 431, "request_header_fields_too_large")


def test_more_than_100_headers_is_431(server: NetServer) -> None:
    headers = {f"x-h{i}": "1" for i in range(101)}
    status, body = exchange(server, request_bytes("GET", STATUS, headers=headers))
    assert_refused(status, body, 431, "request_header_fields_too_large")


def test_a_target_over_8_kib_is_414(server: NetServer) -> None:
    status, body = exchange(server, request_bytes("GET", STATUS + "?x=" + MARKER * 1200))
    assert_refused(status, body, 414, "uri_too_long")


def test_a_trickled_60_mb_header_is_refused_after_the_first_16_kib(server: NetServer) -> None:
    # The attack: one header value sent in small pieces. httptools concatenates a value
    # piece by piece, so without a bound every piece costs more than the last. The server
    # must answer 431 once the head passes 16 KiB, long before 60 MB.
    sent = 0
    with connect(server) as sock:
        sock.sendall(b"GET " + STATUS.encode() + b" HTTP/1.1\r\nhost: x\r\nx-trickle: ")
        piece = MARKER.encode() * 146  # ~1 KB
        try:
            while sent < 60_000_000:
                sock.sendall(piece)
                sent += len(piece)
                if sent % (64 * 1024) < len(piece) and _readable(sock):
                    break
        except (BrokenPipeError, ConnectionResetError):
            pass
        status, _, body = read_response(sock)
    assert_refused(status, body, 431, "request_header_fields_too_large")
    assert sent < 4_000_000  # refused after the first reads, not after 60 MB


def _readable(sock: socket.socket) -> bool:
    return bool(select.select([sock], [], [], 0)[0])


def test_a_declared_body_over_64_kib_is_413_before_it_is_sent(
    server: NetServer, trader: tuple[str, str]
) -> None:
    before = last_seq(server)
    head = request_bytes(
        "POST", ORDERS, headers={**signed(trader, "POST", ORDERS), "content-length": "70000000"}
    )
    with connect(server) as sock:
        sock.sendall(head)  # no body at all: the answer must not wait for it
        status, head_bytes, body = read_response(sock)
        assert_refused(status, body, 413, "payload_too_large")
        assert b"connection: close" in head_bytes.lower()
        assert closed_by_peer(sock)
    assert last_seq(server) == before


def test_a_chunked_body_over_64_kib_is_413(server: NetServer, trader: tuple[str, str]) -> None:
    before = last_seq(server)
    head = request_bytes(
        "POST", ORDERS, headers={**signed(trader, "POST", ORDERS), "transfer-encoding": "chunked"}
    )
    chunk = b'{"ticker":"' + MARKER.encode() * 1000
    with connect(server) as sock:
        sock.sendall(head)
        try:
            for _ in range(20):  # 140 KB, in chunked encoding
                sock.sendall(b"%x\r\n%b\r\n" % (len(chunk), chunk))
        except (BrokenPipeError, ConnectionResetError):
            pass
        status, _, body = read_response(sock)
    assert_refused(status, body, 413, "payload_too_large")
    assert last_seq(server) == before


def test_a_body_just_under_the_limit_is_parsed_normally(
    server: NetServer, trader: tuple[str, str]
) -> None:
    order = {
        "ticker": "KXTEST-26DEC-T1",
        "side": "bid",
        "price": "0.10",
        "count": "1",
        "time_in_force": "good_till_canceled",
        "self_trade_prevention_type": "taker_at_cross",
    }
    body = json.dumps(order).encode()
    body = body[:-1] + b" " * (64 * 1024 - len(body)) + b"}"  # whitespace is JSON too
    assert len(body) == 64 * 1024
    status, reply = exchange(
        server, request_bytes("POST", ORDERS, headers=signed(trader, "POST", ORDERS), body=body)
    )
    assert status == 201, reply


def nested(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


@pytest.mark.parametrize(
    "path",
    [ORDERS, BATCH],
    ids=["order", "batch-read-by-the-rate-limiter"],
)
def test_json_nested_past_32_levels_is_400_before_parsing(
    server: NetServer, trader: tuple[str, str], path: str
) -> None:
    before = last_seq(server)
    body = b'{"orders": ' + nested(5000) + b"}"
    status, reply = exchange(
        server, request_bytes("POST", path, headers=signed(trader, "POST", path), body=body)
    )
    assert_refused(status, reply, 400, "invalid_parameters")
    assert last_seq(server) == before


def test_json_nested_past_32_levels_is_400_without_a_signature(server: NetServer) -> None:
    # The rate limiter and BodyGuard run before authentication: an anonymous client
    # reaches them too.
    status, reply = exchange(
        server, request_bytes("POST", BATCH, headers={"kalshi-access-key": "x"}, body=nested(900))
    )
    assert_refused(status, reply, 400, "invalid_parameters")


def test_json_nested_past_32_levels_is_400_on_the_admin_api(server: NetServer) -> None:
    key_id = (server.data / "operator_key_id").read_text().strip()
    pem = (server.data / "operator_key.pem").read_text()
    path = "/admin/v1/catalog"
    body = b'{"markets": ' + nested(3000) + b"}"
    headers = signed((key_id, pem), "POST", path)
    status, reply = exchange(server, request_bytes("POST", path, headers=headers, body=body))
    assert_refused(status, reply, 400, "invalid_parameters")


def test_32_levels_are_parsed_normally(server: NetServer, trader: tuple[str, str]) -> None:
    # Nesting at the limit reaches the route, which refuses the shape (not the depth).
    body = b'{"orders": ' + nested(31) + b"}"
    status, reply = exchange(
        server, request_bytes("POST", BATCH, headers=signed(trader, "POST", BATCH), body=body)
    )
    assert status == 400
    assert b"nests deeper" not in reply


def test_the_server_still_answers_after_every_refusal(server: NetServer) -> None:
    assert server.http.get(STATUS).status_code == 200
