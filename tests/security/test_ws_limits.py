"""A hostile WebSocket client is bounded and dropped (issue 10, "High — WebSocket memory").

Against the real server, with a 64 KiB per-connection buffer (``AUGURY_WS_BUFFER_BYTES``)
and at most five anonymous connections per address (``AUGURY_LIMITS``):

- a client that never reads and floods pings is dropped with ``error`` 25: the pongs it
  is owed count toward the same buffer limit as market data;
- a 10 MB message (a "ticker" of 10 MB) closes the connection with 1009 before it is
  parsed; a ticker over 200 characters is refused (11) without being echoed; more than
  1,000 tickers naming no market in one subscription, or more than 10,000 tickers in one
  command, are refused (26); a command nested past 32 levels is refused (1), not an
  internal error;
- the sixth anonymous connection from one address is refused with 429, while other
  addresses and authenticated clients still connect; past twelve anonymous connections
  in all, a fresh address is refused too.
"""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Iterator

import pytest

from tests.security.net_harness import (
    NetServer,
    client_frame,
    read_until_closed,
    running,
    server_frames,
    signed,
    wait_until,
    ws_open,
)

pytestmark = pytest.mark.process  # a real server in a subprocess

PING, TEXT, CLOSE = 0x9, 0x1, 0x8
BUFFER = 64 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetServer]:
    srv = NetServer(
        tmp_path_factory.mktemp("ws-limits") / "data",
        limits="ws_anonymous_per_address=5,ws_anonymous_max=12",
        env={"AUGURY_WS_BUFFER_BYTES": str(BUFFER)},
        extra=["--rate-limits", "off"],
    )
    with running(srv):
        yield srv


def command(sock: socket.socket, cmd_id: int, cmd: str, params: object) -> None:
    payload = json.dumps({"id": cmd_id, "cmd": cmd, "params": params}).encode()
    sock.sendall(client_frame(TEXT, payload))


def reply(sock: socket.socket, cmd_id: int) -> dict[str, object]:
    """The first text message answering ``cmd_id`` (skipping anything else)."""
    data = b""
    while True:
        chunk = sock.recv(65536)
        assert chunk, "closed before the reply"
        data += chunk
        frames, data = server_frames(data)
        for opcode, payload in frames:
            if opcode == TEXT:
                message = json.loads(payload)
                if message.get("id") == cmd_id:
                    return dict(message)


def texts_and_close(data: bytes) -> tuple[list[dict[str, object]], int | None]:
    frames, _ = server_frames(data)
    texts = [json.loads(p) for op, p in frames if op == TEXT]
    closes = [int.from_bytes(p[:2], "big") for op, p in frames if op == CLOSE and len(p) >= 2]
    return texts, closes[0] if closes else None


def test_a_never_reading_ping_flood_is_dropped_with_code_25(server: NetServer) -> None:
    sock, status, _ = ws_open(server, rcvbuf=4096)
    assert status == 101
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16384)
    ping = client_frame(PING, b"p" * 125)
    sent = 0
    with contextlib.suppress(OSError):  # TimeoutError included: the server stopped reading
        # Pings until the server stops reading them (it drops a slow consumer and reads no
        # more from it), at most 30 MB; the client reads nothing meanwhile.
        sock.settimeout(5)
        while sent < 200_000:
            sock.sendall(ping * 100)
            sent += 100
    sock.settimeout(30)
    with sock:
        texts, close = texts_and_close(read_until_closed(sock))
    assert sent < 200_000, "the server kept reading a dropped flood"
    assert texts, "no text frame: the flood was not dropped as a slow consumer"
    last = texts[-1]
    assert last["type"] == "error"
    assert last["msg"] == {"code": 25, "msg": "Subscription buffer overflow"}
    assert close == 1008


def test_a_10_mb_message_closes_the_connection_with_1009(server: NetServer) -> None:
    sock, status, _ = ws_open(server)
    assert status == 101
    fake = "T" * 10_000_000
    payload = json.dumps(
        {"id": 1, "cmd": "subscribe", "params": {"channels": ["ticker"], "market_tickers": [fake]}}
    ).encode()
    with sock:
        with contextlib.suppress(OSError):
            sock.sendall(client_frame(TEXT, payload))
        texts, close = texts_and_close(read_until_closed(sock))
    assert not any(t.get("type") == "subscribed" for t in texts)
    assert close == 1009


def test_a_ticker_over_200_characters_is_refused_without_echo(server: NetServer) -> None:
    sock, _, _ = ws_open(server)
    fake = "KX" + "Z" * 299
    with sock:
        command(sock, 7, "subscribe", {"channels": ["ticker"], "market_tickers": [fake]})
        answer = reply(sock, 7)
    assert answer["type"] == "error"
    assert answer["msg"] == {"code": 11, "msg": "Invalid parameter"}
    assert fake not in json.dumps(answer)


def test_more_than_1000_unknown_tickers_in_a_subscription_is_code_26(server: NetServer) -> None:
    sock, _, _ = ws_open(server)
    with sock:
        first = [f"NOPE-{i}" for i in range(1000)]
        command(sock, 1, "subscribe", {"channels": ["trade"], "market_tickers": first})
        assert reply(sock, 1)["type"] == "subscribed"
        command(sock, 2, "subscribe", {"channels": ["trade"], "market_tickers": ["NOPE-X"]})
        answer = reply(sock, 2)
        assert answer["type"] == "error"
        assert answer["msg"] == {"code": 26, "msg": "Subscription market limit exceeded"}
        # Real markets still join the subscription.
        real = {"channels": ["trade"], "market_tickers": ["KXTEST-26DEC-T1"]}
        command(sock, 3, "subscribe", real)
        assert reply(sock, 3)["type"] == "subscribed"


def test_more_than_10000_tickers_in_one_command_is_code_26(server: NetServer) -> None:
    sock, _, _ = ws_open(server)
    with sock:
        many = [f"M{i}" for i in range(10_001)]
        command(sock, 4, "subscribe", {"channels": ["ticker"], "market_tickers": many})
        answer = reply(sock, 4)
    assert answer["msg"] == {"code": 26, "msg": "Subscription market limit exceeded"}


def test_too_many_channels_in_one_command_is_code_11(server: NetServer) -> None:
    sock, _, _ = ws_open(server)
    with sock:
        command(sock, 5, "subscribe", {"channels": ["ticker"] * 33})
        answer = reply(sock, 5)
    assert answer["msg"] == {"code": 11, "msg": "Invalid parameter"}


def test_a_command_nested_past_32_levels_is_code_1(server: NetServer) -> None:
    sock, _, _ = ws_open(server)
    with sock:
        deep = b"[" * 5000 + b"]" * 5000
        sock.sendall(client_frame(TEXT, b'{"id": 9, "cmd": "subscribe", "params": ' + deep + b"}"))
        sock.sendall(client_frame(TEXT, b'{"id": 10, "cmd": "list_subscriptions"}'))
        data = b""
        while b'"id":10' not in data:
            chunk = sock.recv(65536)
            assert chunk
            data += chunk
    texts, _ = texts_and_close(data)
    errors = [t for t in texts if t.get("type") == "error"]
    assert errors == [{"type": "error", "msg": {"code": 1, "msg": "Unable to process message"}}]


def test_anonymous_connections_are_capped_per_address(server: NetServer) -> None:
    held = []
    try:
        for _ in range(5):
            sock, status, _ = ws_open(server, source="127.0.0.2")
            assert status == 101
            held.append(sock)
        sock, status, body = ws_open(server, source="127.0.0.2")
        sock.close()
        assert status == 429
        assert json.loads(body)["error"]["code"] == "too_many_connections"
        # Another address, and a signed client from the same address, still connect.
        other, status, _ = ws_open(server, source="127.0.0.3")
        other.close()
        assert status == 101
        key = server.user("ws-cap", "10", key_type="ed25519")
        mine, status, _ = ws_open(
            server, signed(key, "GET", "/trade-api/ws/v2"), source="127.0.0.2"
        )
        mine.close()
        assert status == 101
        # A closed anonymous connection frees its place.
        held.pop().close()

        def reconnects() -> bool:
            again, status, _ = ws_open(server, source="127.0.0.2")
            if status == 101:
                held.append(again)
                return True
            again.close()
            return False

        wait_until(reconnects)
    finally:
        for sock in held:
            sock.close()


def test_anonymous_connections_are_capped_in_all(server: NetServer) -> None:
    held = []
    try:
        opened = 0
        # Four from each fresh address (under the per-address cap of five), until the
        # server refuses: only the cap in all can refuse.
        for i in range(40):
            sock, status, body = ws_open(server, source=f"127.0.3.{i // 4 + 1}")
            if status != 101:
                sock.close()
                assert status == 429
                assert json.loads(body)["error"]["code"] == "too_many_connections"
                break
            held.append(sock)
            opened += 1
        else:
            raise AssertionError("forty anonymous connections were all accepted")
        assert opened <= 12
    finally:
        for sock in held:
            sock.close()
