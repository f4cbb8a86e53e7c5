"""Connections that send nothing, or too slowly, are closed; they cannot lock others out.

Issue 10, "High — Connections": against the real server, an idle connection, a request
head that never ends (even one trickling a byte at a time), and a body that never ends are
each closed at their deadline (with 408 when a request had started). And with the
server's open-file limit at 1,024, a thousand idle, partial-head and slow-body sockets
from one address do not stop another client from being served: the server keeps its
connection count under the limit by closing the connection that has kept it waiting
longest. The deadlines are shortened through ``AUGURY_LIMITS`` so the tests wait seconds,
not minutes; what is asserted is that the server closes, never how fast.
"""

from __future__ import annotations

import contextlib
import resource
import socket
import time
from collections.abc import Iterator

import pytest

from tests.security.net_harness import (
    NetServer,
    closed_by_peer,
    connect,
    http_client,
    read_response,
    request_bytes,
    running,
    signed,
)

pytestmark = pytest.mark.process  # a real server in a subprocess

STATUS = "/trade-api/v2/exchange/status"
ORDERS = "/trade-api/v2/portfolio/events/orders"
SHORT = "idle_timeout_s=1,head_timeout_s=2,body_timeout_s=2"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetServer]:
    srv = NetServer(tmp_path_factory.mktemp("conns") / "data", limits=SHORT)
    with running(srv, catalog=False):
        yield srv


def test_a_connection_that_sends_nothing_is_closed(server: NetServer) -> None:
    with connect(server) as sock:
        assert closed_by_peer(sock)


def test_an_idle_keep_alive_connection_is_closed(server: NetServer) -> None:
    with connect(server) as sock:
        sock.sendall(request_bytes("GET", STATUS))
        status, _, _ = read_response(sock)
        assert status == 200
        assert closed_by_peer(sock)


def test_a_head_that_never_ends_is_408_and_closed(server: NetServer) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET " + STATUS.encode() + b" HTTP/1.1\r\nhost: x\r\nx-partial: ab")
        status, _, body = read_response(sock)
        assert status == 408
        assert b"request_timeout" in body
        assert closed_by_peer(sock)


def test_a_head_trickled_a_byte_at_a_time_is_closed(server: NetServer) -> None:
    # Every byte arrives well inside the idle deadline; only the head's own deadline
    # (from its first byte) can end this.
    with connect(server) as sock:
        sock.sendall(b"GET " + STATUS.encode() + b" HTTP/1.1\r\n")
        closed = False
        for _ in range(200):  # at most 200 x 0.25 s
            try:
                sock.sendall(b"x")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            time.sleep(0.25)
            sock.setblocking(False)
            try:
                if sock.recv(65536) is not None:
                    closed = True
                    break
            except BlockingIOError:
                pass
            finally:
                sock.setblocking(True)
        assert closed


def test_a_body_that_never_ends_is_408_and_closed(server: NetServer) -> None:
    head = request_bytes("POST", ORDERS, headers={"content-length": "1000"})
    with connect(server) as sock:
        sock.sendall(head + b'{"ticker":')
        status, _, body = read_response(sock)
        assert status == 408
        assert b"request_timeout" in body
        assert closed_by_peer(sock)


def test_requests_that_arrive_promptly_are_served_on_one_connection(server: NetServer) -> None:
    with connect(server) as sock:
        for _ in range(20):
            sock.sendall(request_bytes("GET", STATUS))
            status, _, _ = read_response(sock)
            assert status == 200


# --- a thousand sockets at a 1,024 open-file limit ---------------------------------------------


def _raise_own_fd_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= needed:
        return
    if hard != resource.RLIM_INFINITY and hard < needed:
        pytest.skip(f"this test needs {needed} open files; the hard limit is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def _attack(server: NetServer, count: int) -> list[socket.socket]:
    """Open ``count`` sockets from 127.0.0.2: idle, partial heads, slow bodies, in turn."""
    socks: list[socket.socket] = []
    partial = b"GET " + STATUS.encode() + b" HTTP/1.1\r\nhost: x\r\nx-slow: "
    slow_body = request_bytes("POST", ORDERS, headers={"content-length": "100000"}) + b"{"
    for i in range(count):
        try:
            sock = connect(server, source="127.0.0.2", timeout_s=5)
        except OSError:
            continue  # refused or timed out: the server is full of our own sockets
        with contextlib.suppress(OSError):
            if i % 3 == 1:
                sock.sendall(partial)
            elif i % 3 == 2:
                sock.sendall(slow_body)
        socks.append(sock)
    return socks


def test_a_thousand_waiting_sockets_do_not_lock_out_a_prompt_client(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    _raise_own_fd_limit(4096)
    srv = NetServer(tmp_path_factory.mktemp("fd1024") / "data", fd_limit=1024)
    with running(srv, catalog=True):
        trader = srv.user("fd-trader", "1000")
        attack = _attack(srv, 1000)
        try:
            with http_client(srv) as honest:
                for i in range(30):
                    assert honest.get(STATUS).status_code == 200
                    order = {
                        "ticker": "KXTEST-26DEC-T1",
                        "side": "bid",
                        "price": f"0.{10 + i:02d}",
                        "count": "1",
                        "time_in_force": "good_till_canceled",
                        "self_trade_prevention_type": "taker_at_cross",
                    }
                    response = honest.post(
                        ORDERS, json=order, headers=signed(trader, "POST", ORDERS)
                    )
                    assert response.status_code == 201, response.text
            # The server made room by closing attack sockets that kept it waiting.
            assert sum(_gone(sock) for sock in attack) > 0
        finally:
            for sock in attack:
                sock.close()


def _gone(sock: socket.socket) -> bool:
    """True when the server has closed ``sock`` (whatever it sent first)."""
    sock.setblocking(False)
    try:
        while True:
            if sock.recv(65536) == b"":
                return True
    except BlockingIOError:
        return False
    except OSError:
        return True
