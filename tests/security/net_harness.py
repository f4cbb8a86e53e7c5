"""The real ``augury serve`` with chosen limits, and raw-socket clients from chosen addresses.

The transport, WebSocket, authentication and billing tests attack the server as a
hostile client would: over real sockets, through uvicorn and Augury's own protocol, never
in-process (the limits under test live in the HTTP protocol the in-process transports
skip). ``NetServer`` starts ``augury serve`` with ``AUGURY_LIMITS`` (short deadlines, small
caps, so no test waits long) and optionally a lower open-file limit or TLS files.

Every address in 127.0.0.0/8 reaches the loopback interface on Linux, so a test can play
an attacker at 127.0.0.2 and an honest client at 127.0.0.1 (``source=``): the per-address
limits see two clients, as they would on a network.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import resource
import select
import signal
import socket
import ssl
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from augury.api.auth import signing_headers
from tests.e2e.server_harness import AUGURY, CATALOG, ROOT, Server

__all__ = [
    "WS_PATH",
    "NetServer",
    "client_frame",
    "closed_by_peer",
    "connect",
    "http_client",
    "read_response",
    "read_until_closed",
    "request_bytes",
    "running",
    "server_frames",
    "signed",
    "tls_context",
    "wait_until",
    "ws_open",
]

HOST = "127.0.0.1"


def wait_until(condition: Callable[[], bool], limit_s: float = 60.0, every_s: float = 0.05) -> None:
    """Wait until ``condition()`` holds; fail after ``limit_s`` (a hang guard, not a timing)."""
    deadline = time.monotonic() + limit_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(every_s)


class NetServer(Server):
    """``augury serve`` with ``AUGURY_LIMITS``, an fd limit, extra flags or TLS."""

    def __init__(
        self,
        data: Path,
        *,
        limits: str = "",
        extra: list[str] | None = None,
        env: dict[str, str] | None = None,
        fd_limit: int | None = None,
        tls: tuple[Path, Path] | None = None,
    ) -> None:
        super().__init__(data, extra=extra)
        self.limits = limits
        self.env = env or {}
        self.fd_limit = fd_limit
        self.tls = tls
        if tls is not None:
            self.url = f"https://{HOST}:{self.port}"
            self.http.close()
            self.http = httpx.Client(base_url=self.url, timeout=30, verify=tls_context(tls[0]))

    def start(self) -> None:
        args = [str(AUGURY), "serve", "--data", str(self.data), "--port", str(self.port)]
        args += ["--log-level", "warning", *self.extra]
        if self.tls is not None:
            args += ["--tls-cert", str(self.tls[0]), "--tls-key", str(self.tls[1])]
        env = {**os.environ, **self.env}
        if self.limits:
            env["AUGURY_LIMITS"] = self.limits
        fd_limit = self.fd_limit

        def lower_fd_limit() -> None:
            if fd_limit is not None:
                resource.setrlimit(resource.RLIMIT_NOFILE, (fd_limit, fd_limit))

        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                args,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
                env=env,
                preexec_fn=lower_fd_limit if fd_limit is not None else None,
            )

        def ready() -> bool:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                return (
                    self.http.get("/trade-api/v2/exchange/status").status_code == 200
                    and (self.data / "operator_key_id").exists()
                    and self.admin("GET", "/state").get("last_seq", 0) > 0
                )
            except (httpx.HTTPError, json.JSONDecodeError, KeyError, RuntimeError):
                return False

        wait_until(ready)

    def rss_bytes(self) -> int:
        """Resident memory of the server process."""
        assert self.proc is not None
        pages = int(Path(f"/proc/{self.proc.pid}/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")

    def interrupt(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)


@contextlib.contextmanager
def running(server: NetServer, *, catalog: bool = True) -> Iterator[NetServer]:
    """Start ``server`` (with the test catalog), yield it, close it."""
    server.start()
    try:
        if catalog:
            server.admin("POST", "/catalog", CATALOG)
        yield server
    finally:
        server.close()


def connect(server: Server, source: str = HOST, timeout_s: float = 30.0) -> socket.socket:
    """A raw TCP connection to the server from ``source`` (any 127.0.0.0/8 address)."""
    return socket.create_connection(
        (HOST, server.port), timeout=timeout_s, source_address=(source, 0)
    )


def request_bytes(
    method: str, path: str, *, headers: dict[str, str] | None = None, body: bytes = b""
) -> bytes:
    """One HTTP/1.1 request as bytes (``Content-Length`` added when there is a body)."""
    lines = [f"{method} {path} HTTP/1.1", f"host: {HOST}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body:
        lines.append(f"content-length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def read_response(sock: socket.socket, limit_s: float = 30.0) -> tuple[int, bytes, bytes]:
    """Read one response (status, head, body); the body per Content-Length, or to EOF."""
    data = b""
    deadline = time.monotonic() + limit_s
    while b"\r\n\r\n" not in data:
        chunk = _recv(sock, deadline)
        if not chunk:
            raise ConnectionError(f"closed before a response head: {data[:200]!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = None
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while length is None or len(body) < length:
        chunk = _recv(sock, deadline)
        if not chunk:
            break
        body += chunk
    return status, head, body


def _recv(sock: socket.socket, deadline: float) -> bytes:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("no response")
    ready, _, _ = select.select([sock], [], [], remaining)
    if not ready:
        raise TimeoutError("no response")
    try:
        return sock.recv(65536)
    except ConnectionResetError:
        return b""


def closed_by_peer(sock: socket.socket, limit_s: float = 60.0) -> bool:
    """Read (and discard) until the server closes; True when it did within ``limit_s``."""
    deadline = time.monotonic() + limit_s
    try:
        while _recv(sock, deadline):
            pass
    except TimeoutError:
        return False
    return True


def http_client(server: Server, source: str = HOST, **kwargs: Any) -> httpx.Client:
    """An httpx client whose connections come from ``source``."""
    transport = httpx.HTTPTransport(local_address=source, verify=kwargs.pop("verify", True))
    return httpx.Client(base_url=server.url, transport=transport, timeout=30, **kwargs)


def signed(
    key: tuple[str, str], method: str, path: str, ts_ms: int | None = None
) -> dict[str, str]:
    """The three ``KALSHI-ACCESS-*`` headers for ``key = (key_id, private_pem)``."""
    stamp = int(time.time() * 1000) if ts_ms is None else ts_ms
    return signing_headers(key[1], key[0], method, path, stamp)


def tls_context(cert: Path) -> ssl.SSLContext:
    """A client TLS context trusting only ``cert`` (a self-signed test certificate)."""
    context = ssl.create_default_context(cafile=str(cert))
    return context


# --- raw WebSocket frames (a client that does what a library would not let it do) ----------

WS_PATH = "/trade-api/ws/v2"


def ws_open(
    server: Server,
    headers: dict[str, str] | None = None,
    *,
    source: str = HOST,
    rcvbuf: int | None = None,
) -> tuple[socket.socket, int, bytes]:
    """Send a WebSocket upgrade on a raw socket; return (socket, status, leftover bytes)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(30)
    sock.bind((source, 0))
    sock.connect((HOST, server.port))
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        f"GET {WS_PATH} HTTP/1.1",
        f"host: {HOST}:{server.port}",
        "upgrade: websocket",
        "connection: Upgrade",
        f"sec-websocket-key: {key}",
        "sec-websocket-version: 13",
        *(f"{name}: {value}" for name, value in (headers or {}).items()),
    ]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed during the handshake")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    if status != 101:
        # Read the refusal's body too (it has a Content-Length), for the caller to check.
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
    return sock, status, rest


def client_frame(opcode: int, payload: bytes) -> bytes:
    """One masked client frame (FIN set)."""
    mask = os.urandom(4)
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65536:
        head = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
    return head + mask + _mask(payload, mask)


def _mask(payload: bytes, mask: bytes) -> bytes:
    if not payload:
        return b""
    whole = (mask * (len(payload) // 4 + 1))[: len(payload)]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(whole, "big")).to_bytes(
        len(payload), "big"
    )


def server_frames(data: bytes) -> tuple[list[tuple[int, bytes]], bytes]:
    """Split unmasked server frames: ([(opcode, payload)], incomplete tail)."""
    frames: list[tuple[int, bytes]] = []
    i = 0
    while i + 2 <= len(data):
        opcode = data[i] & 0x0F
        n = data[i + 1] & 0x7F
        j = i + 2
        if n == 126:
            if j + 2 > len(data):
                break
            n = int.from_bytes(data[j : j + 2], "big")
            j += 2
        elif n == 127:
            if j + 8 > len(data):
                break
            n = int.from_bytes(data[j : j + 8], "big")
            j += 8
        if j + n > len(data):
            break
        frames.append((opcode, data[j : j + n]))
        i = j + n
    return frames, data[i:]


def read_until_closed(sock: socket.socket, limit_s: float = 60.0) -> bytes:
    """Everything the server sends until it closes the connection."""
    deadline = time.monotonic() + limit_s
    data = b""
    while True:
        chunk = _recv(sock, deadline)
        if not chunk:
            return data
        data += chunk
