"""How frames reach the socket: Augury's uvicorn WebSocket protocol and two senders.

``augury serve`` runs uvicorn with :class:`AuguryWebSocketProtocol`, a subclass of
uvicorn's ``websockets-sansio`` implementation (``uvicorn.run(ws=...)``) that changes
three things, all for the market-data feed:

- **No permessage-deflate, whatever the config says.** Compressing each frame for each
  connection cut fan-out throughput to a third (ECOSYSTEM §3), and the raw frame writer
  below relies on frames being sent as they are.
- **Kalshi's keep-alive.** A Ping with payload ``b"heartbeat"`` every ``ws_ping_interval``
  seconds (10 s in ``augury serve``); a peer that does not answer within
  ``ws_ping_timeout`` is failed with close code 1011 and dropped. Uvicorn's own pings
  carry a random payload, hence the override.
- **A bounded kernel send buffer.** ``SO_SNDBUF`` is fixed at ``WS_SNDBUF_BYTES``
  instead of letting Linux grow it to megabytes per socket: the slow-consumer limit
  (``connection``) then trips after a bounded backlog, and a thousand stalled peers do
  not pin gigabytes of kernel memory.
- **Pongs count toward the slow-consumer limit.** A client may ping, and each ping is
  answered with a pong written straight to the transport. While the transport is paused
  (the peer is not reading), the bytes of those pongs are added to the connection's
  buffered bytes (``Connection.control_bytes``), so a never-reading client flooding pings
  trips the same code-25 drop as one that lets market data pile up. After the server has
  sent its close frame, pings are no longer answered.
- **A bounded message size.** A client message larger than ``ws_max_size`` (1 MiB by
  default, ``ServerLimits.ws_message_bytes_max``) fails the connection with close code
  1009 before anything parses it.
- **Raw text frames.** The protocol puts itself into the ASGI scope under
  ``scope["extensions"]["augury.ws.frames"]`` so the endpoint can write a whole batch of
  unmasked text frames with one ``transport.write`` (:class:`FrameSender`) instead of one
  ASGI ``send`` per message. Server frames are unmasked and, without extensions, have no
  per-frame state in the websockets protocol machine, so writing them directly is exactly
  what ``conn.send_text`` would produce.

Under any other ASGI server the endpoint falls back to :class:`AsgiSender` (one awaited
``send_text`` per message, the server's own keep-alive).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from asyncio import BaseTransport
from typing import Any

from starlette.websockets import WebSocket
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.exceptions import InvalidState
from websockets.http11 import Request
from websockets.server import ServerProtocol

from augury.api.ws.connection import Connection, frame_header

__all__ = [
    "FRAMES_EXTENSION",
    "HEARTBEAT",
    "WS_PING_INTERVAL_S",
    "WS_PING_TIMEOUT_S",
    "WS_SNDBUF_BYTES",
    "AsgiSender",
    "AuguryWebSocketProtocol",
    "FrameSender",
    "sender_for",
    "split_frames",
    "text_frames",
]

log = logging.getLogger(__name__)

FRAMES_EXTENSION = "augury.ws.frames"
HEARTBEAT = b"heartbeat"
WS_PING_INTERVAL_S = 10.0  # Kalshi pings every 10 s (CONTRACT §8.2)
WS_PING_TIMEOUT_S = 20.0  # a peer silent for two intervals is dead
WS_SNDBUF_BYTES = 256 * 1024  # Linux doubles it for bookkeeping
DROP_GRACE_S = 10.0  # how long a dropped peer may take to read its last frames


def text_frames(payloads: list[bytes]) -> bytes:
    """Serialise payloads as consecutive unmasked, unfragmented text frames."""
    parts: list[bytes] = []
    for payload in payloads:
        parts.append(frame_header(len(payload)))
        parts.append(payload)
    return b"".join(parts)


def split_frames(frames: bytes | bytearray) -> list[bytes]:
    """Return the payloads of consecutive server text frames (the inverse of the above)."""
    payloads: list[bytes] = []
    view = memoryview(frames)
    i = 0
    while i < len(view):
        n = view[i + 1] & 0x7F
        i += 2
        if n == 126:
            n = int.from_bytes(view[i : i + 2], "big")
            i += 2
        elif n == 127:
            n = int.from_bytes(view[i : i + 8], "big")
            i += 8
        payloads.append(bytes(view[i : i + n]))
        i += n
    return payloads


class AuguryWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O WebSocket protocol with Kalshi keep-alive and raw frame writes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conn = ServerProtocol(
            extensions=[],
            max_size=self.config.ws_max_size,
            logger=logging.getLogger("uvicorn.error"),
        )

        # The connection whose buffer limit this transport's pongs count toward (set by
        # the endpoint once the connection exists).
        self.owner: Connection | None = None
        self.reading_stopped = False  # a dropped slow consumer: never read from it again

    def connection_made(self, transport: BaseTransport) -> None:
        super().connection_made(transport)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError, AttributeError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, WS_SNDBUF_BYTES)

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        # Break the reference cycles through this protocol (its scope names it; its owner
        # names its sender, which names it): freed at once, not at the next full
        # collection, which the server runs rarely (runtime.boot tunes the collector).
        self.owner = None
        failure = self.conn.parser_exc  # e.g. a message over the size limit
        if failure is not None:
            failure.__traceback__ = None  # its frames hold the protocol: a cycle
        scope = getattr(self, "scope", None)
        if scope is not None:
            scope["extensions"].pop(FRAMES_EXTENSION, None)

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        # The app task was created but has not run yet, so it will see this extension.
        if self.handshake_initiated and self.response.status_code == 101:
            self.scope["extensions"][FRAMES_EXTENSION] = {"protocol": self}

    def handle_ping(self) -> None:
        output = b"".join(self.conn.data_to_send())
        if self.close_sent or self.transport.is_closing():
            return  # closing: the peer gets no more pongs
        self.transport.write(output)
        owner = self.owner
        if owner is not None and not self.writable.is_set():
            owner.control_bytes += len(output)
            owner.check_overflow()

    def resume_writing(self) -> None:
        super().resume_writing()
        if self.owner is not None:
            self.owner.control_bytes = 0  # the transport drained: the pongs went out

    async def receive(self) -> Any:
        message = await super().receive()
        # uvicorn resumes reading once the app has taken every message; a dropped slow
        # consumer stays unread.
        if self.reading_stopped and not self.read_paused:
            self.read_paused = True
            self.transport.pause_reading()
        return message

    def send_keepalive_ping(self) -> None:
        self.ping_timer = None
        if self.close_sent or self.transport.is_closing():
            return
        # A fixed payload: uvicorn's pong check compares it with the ping in flight.
        self.pending_ping_payload = HEARTBEAT
        self.ping_sent_at = self.loop.time()
        self.conn.send_ping(HEARTBEAT)
        self.transport.write(b"".join(self.conn.data_to_send()))
        if self.ping_timeout is not None:
            self.pong_timer = self.loop.call_later(self.ping_timeout, self.keepalive_timeout)
        else:
            self.schedule_ping()

    def write_frames(self, frames: bytes | bytearray) -> bool:
        """Write ready-made frames at once; False when the connection is closing."""
        if self.close_sent or self.disconnected or self.transport.is_closing():
            return False
        self.transport.write(frames)
        return True

    def drop(self, last: bytes, code: int, reason: str, *, stop_reading: bool = False) -> None:
        """Queue a last text frame and a close frame, and abort if the peer never reads.

        ``stop_reading`` (a slow consumer, code 25): the peer is not reading what it is
        sent, so nothing more it sends is read either (a ping flood costs nothing more).
        Otherwise reading goes on, for the peer's close frame.
        """
        if self.close_sent or self.disconnected or self.transport.is_closing():
            return
        self.transport.write(text_frames([last]))
        with contextlib.suppress(InvalidState):
            self.conn.send_close(code, reason)
            self.transport.write(b"".join(self.conn.data_to_send()))
        self.close_sent = True
        self.queue.put_nowait({"type": "websocket.disconnect", "code": code, "reason": reason})
        if stop_reading:
            self.reading_stopped = True
            if not self.read_paused:
                self.read_paused = True
                self.transport.pause_reading()
        elif self.read_paused:
            self.read_paused = False
            self.transport.resume_reading()
        # close() would wait for a buffer the peer is not reading; abort after a grace.
        self.close_timer = self.loop.call_later(DROP_GRACE_S, self.transport.abort)


class FrameSender:
    """Sends through :class:`AuguryWebSocketProtocol`: one write per batch, no awaiting."""

    direct = True

    def __init__(self, protocol: AuguryWebSocketProtocol) -> None:
        self._protocol = protocol

    def attach(self, conn: Connection) -> None:
        """Count this transport's pongs toward ``conn``'s buffer limit."""
        self._protocol.owner = conn

    def writable(self) -> bool:
        return self._protocol.writable.is_set()

    async def wait_writable(self) -> None:
        await self._protocol.writable.wait()

    def write(self, frames: bytearray) -> bool:
        return self._protocol.write_frames(frames)

    async def send(self, frames: bytearray) -> bool:
        return self._protocol.write_frames(frames)

    def drop(self, last: bytes, code: int, reason: str, *, stop_reading: bool = False) -> None:
        self._protocol.drop(last, code, reason, stop_reading=stop_reading)


class AsgiSender:
    """Sends through plain ASGI messages (any server; slower, one await per frame)."""

    direct = False

    def __init__(self, websocket: WebSocket) -> None:
        self._websocket = websocket
        self._tasks: set[asyncio.Task[None]] = set()
        self._sending = False

    def attach(self, conn: Connection) -> None:
        """The server answers pings itself; nothing to count here."""

    def writable(self) -> bool:
        # While a send is awaited the socket is not keeping up with what is buffered.
        return not self._sending

    async def wait_writable(self) -> None:
        return None

    def write(self, frames: bytearray) -> bool:
        raise NotImplementedError("ASGI sends must be awaited")

    async def send(self, frames: bytearray) -> bool:
        self._sending = True
        try:
            for payload in split_frames(frames):
                await self._websocket.send_text(payload.decode())
        except Exception:  # the peer went away: the endpoint cleans up
            return False
        finally:
            self._sending = False
        return True

    def drop(self, last: bytes, code: int, reason: str, *, stop_reading: bool = False) -> None:
        task = asyncio.get_running_loop().create_task(self._drop(last, code, reason))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drop(self, last: bytes, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(DROP_GRACE_S):
                await self._websocket.send_text(last.decode())
                await self._websocket.close(code, reason)


def sender_for(websocket: WebSocket) -> FrameSender | AsgiSender:
    """Pick the fastest sender the server offers for this connection."""
    extension = websocket.scope.get("extensions", {}).get(FRAMES_EXTENSION)
    if extension is not None and isinstance(extension.get("protocol"), AuguryWebSocketProtocol):
        return FrameSender(extension["protocol"])
    return AsgiSender(websocket)
