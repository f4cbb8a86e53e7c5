"""Augury's uvicorn WebSocket protocol: Kalshi heartbeats, dead peers, no compression.

A small app runs in-process on uvicorn with ``AuguryWebSocketProtocol`` and short
keep-alive intervals; a hand-written client reads the raw frames.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from augury.api.ws.transport import (
    FRAMES_EXTENSION,
    AuguryWebSocketProtocol,
    FrameSender,
    sender_for,
    split_frames,
    text_frames,
)

# A real server in a subprocess, over real sockets (tests.e2e.server_harness).
pytestmark = pytest.mark.process


async def _echo(websocket: WebSocket) -> None:
    await websocket.accept()
    sender = sender_for(websocket)
    try:
        while True:
            text = await websocket.receive_text()
            # Answer through the raw frame writer the feed uses.
            assert isinstance(sender, FrameSender)
            assert sender.write(bytearray(text_frames([text.encode(), b"second"])))
    except WebSocketDisconnect:
        pass


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    config = uvicorn.Config(
        Starlette(routes=[WebSocketRoute("/ws", _echo)]),
        host="127.0.0.1",
        port=free,
        ws=AuguryWebSocketProtocol,
        ws_per_message_deflate=True,  # the protocol must ignore this
        ws_ping_interval=0.3,
        ws_ping_timeout=0.6,
        lifespan="off",
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield free
    server.should_exit = True
    thread.join(timeout=10)


def _handshake(port: int) -> tuple[socket.socket, bytes]:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(
        b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    return sock, head


def _read_frame(sock: socket.socket) -> tuple[int, bytes]:
    def exact(n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    first, second = exact(2)
    n = second & 0x7F
    if n == 126:
        n = int.from_bytes(exact(2), "big")
    elif n == 127:
        n = int.from_bytes(exact(8), "big")
    return first & 0x0F, exact(n)


def _masked(opcode: int, payload: bytes) -> bytes:
    mask = b"\x01\x02\x03\x04"
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes((0x80 | opcode, 0x80 | len(payload))) + mask + body


def test_heartbeat_ping_and_dead_peer_dropped(port: int) -> None:
    sock, head = _handshake(port)
    assert head.startswith(b"HTTP/1.1 101")
    assert b"permessage-deflate" not in head.lower()  # never negotiated
    opcode, payload = _read_frame(sock)
    assert (opcode, payload) == (0x9, b"heartbeat")
    # This peer never answers: after the pong timeout the server fails the connection.
    opcode, payload = _read_frame(sock)
    assert opcode == 0x8
    assert int.from_bytes(payload[:2], "big") == 1011
    sock.close()


def test_live_peer_answering_pings_stays_connected(port: int) -> None:
    sock, _ = _handshake(port)
    pings = 0
    deadline = time.monotonic() + 1.5  # several ping intervals and pong timeouts
    while time.monotonic() < deadline:
        opcode, payload = _read_frame(sock)
        assert opcode == 0x9
        pings += 1
        sock.sendall(_masked(0xA, payload))  # pong with the same payload
    assert pings >= 2
    sock.sendall(_masked(0x1, b"hello"))
    texts: list[tuple[int, bytes]] = []
    while len(texts) < 2:
        opcode, payload = _read_frame(sock)
        if opcode == 0x9:
            sock.sendall(_masked(0xA, payload))
        else:
            texts.append((opcode, payload))
    assert texts == [(0x1, b"hello"), (0x1, b"second")]  # the raw frame writer's output
    sock.close()


def test_frames_round_trip() -> None:
    payloads = [b"", b"x" * 125, b"y" * 126, b"z" * 8191, b"w" * 65_535, b"v" * 65_536]
    data = text_frames(payloads)
    assert split_frames(data) == payloads
    assert data[:2] == b"\x81\x00"
    assert FRAMES_EXTENSION == "augury.ws.frames"
