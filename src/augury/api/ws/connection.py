"""One WebSocket connection: its subscriptions, its bounded send buffer and its drain.

Fan-out never waits on a socket. The sequencer's callback (``Hub.on_applied``) only calls
``Connection.push``, which appends the message, already framed, to this connection's
buffer (a ``bytearray`` of ready WebSocket text frames) and marks the connection dirty.
The buffer is drained by the connection itself, in one of two ways:

- ``flush()`` — when the transport can take data now, the whole buffer goes out in one
  non-blocking ``transport.write``. The hub calls it for every dirty connection once per
  event-loop pass (coalescing all the messages of a sequencer batch into one write);
- the connection's **writer task** — when the transport is paused (its buffer is above
  the high-water mark because the peer is not reading) or the server only offers awaited
  ASGI sends, the writer task waits for the transport and sends what has accumulated.

Slow-consumer policy (CONTRACT §8.6, code 25): bytes accumulate here only while the
transport cannot take them. When they exceed ``limit_bytes`` while the transport is
paused (the peer is not reading), the connection is *dropped*:
the buffer is discarded, an ``error`` 25 "Subscription buffer overflow" frame and a close
frame are queued behind what the transport already holds, and the hub forgets the
connection. Pongs the transport wrote while paused count too (``control_bytes``, kept by
``transport.AuguryWebSocketProtocol``), and on their own may not pass
``CONTROL_BYTES_MAX``: an honest client pings rarely, and each pong waiting in the
transport is a small separate object, so a flood of them fragments the heap long after
it is freed. Memory per connection is bounded by
``limit_bytes`` plus the transport's high-water mark plus one flush.

Invariants
    - Messages reach the client in ``push`` order: one buffer, drained in order.
    - ``seq`` counts the data messages of one subscription from 1, without gaps; acks
      (``ok``, ``unsubscribed``) report the last ``seq`` sent and do not consume one, so a
      client checking gaps on data messages never sees a false gap.
    - After ``closed`` is set nothing more is buffered for the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Protocol

from augury.api.ws.channels import ChannelSpec
from augury.api.ws.protocol import ERROR_TEXT, ErrorCode, error_frame

__all__ = [
    "CONTROL_BYTES_MAX",
    "Connection",
    "Sender",
    "Subscription",
    "TokenBucket",
    "frame_header",
]

log = logging.getLogger(__name__)

CONTROL_BYTES_MAX = 64 * 1024  # pongs owed to a peer that is not reading
_SEQ = b'{"type":"%b","sid":%d,"seq":%d,"msg":%b}'
_NO_SEQ = b'{"type":"%b","sid":%d,"msg":%b}'

# Headers of unmasked, unfragmented text frames (FIN + opcode 1), precomputed for the
# sizes messages have; longer payloads build theirs.
_HEADERS = [bytes((0x81, n)) for n in range(126)] + [
    b"\x81\x7e" + n.to_bytes(2, "big") for n in range(126, 8192)
]


def frame_header(n: int) -> bytes:
    """Return the header of a server text frame carrying ``n`` payload bytes."""
    if n < 8192:
        return _HEADERS[n]
    if n < 65_536:
        return b"\x81\x7e" + n.to_bytes(2, "big")
    return b"\x81\x7f" + n.to_bytes(8, "big")


class Sender(Protocol):
    """How a connection's frames reach its socket (see ``augury.api.ws.transport``)."""

    direct: bool  # True when ``write`` may be called without awaiting (a raw transport)

    def writable(self) -> bool:
        """Return True when the transport accepts data without growing past its mark."""

    async def wait_writable(self) -> None:
        """Wait until the transport drains below its low-water mark (or closes)."""

    def write(self, frames: bytearray) -> bool:
        """Write ready frames without waiting (direct senders); False once closed."""

    async def send(self, frames: bytearray) -> bool:
        """Send ready frames, waiting as the transport requires; False once closed."""

    def drop(self, last: bytes, code: int, reason: str, *, stop_reading: bool = False) -> None:
        """Queue a final text frame and a close frame without waiting, then let go."""

    def attach(self, conn: Connection) -> None:
        """Let the transport count its control frames toward ``conn``'s limit."""


class TokenBucket:
    """A command rate limit: ``rate`` per second, bursts of up to ``burst``."""

    __slots__ = ("_last", "_tokens", "burst", "rate")

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = burst
        self._last = now

    def take(self, now: float, n: float = 1.0) -> bool:
        """Spend ``n`` tokens; False (spending none) when fewer are left."""
        tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now
        if tokens < n:
            self._tokens = tokens
            return False
        self._tokens = tokens - n
        return True


class Subscription:
    """One ``sid`` of a connection: a channel, its market filter and its options."""

    __slots__ = (
        "bucket",
        "conn",
        "extra",
        "markets",
        "seq",
        "sid",
        "skip_ticker_ack",
        "spec",
        "use_yes_price",
    )

    def __init__(self, conn: Connection, sid: int, spec: ChannelSpec) -> None:
        self.conn = conn
        self.sid = sid
        self.spec = spec
        # None = every market; otherwise an insertion-ordered set of tickers.
        self.markets: dict[str, None] | None = None
        self.seq = 0
        self.use_yes_price = False
        self.skip_ticker_ack = False
        self.extra: dict[str, list[str] | int] = {}
        self.bucket: TokenBucket | None = None  # its update_subscription rate limit

    @property
    def channel(self) -> str:
        return self.spec.name

    def covers(self, ticker: str) -> bool:
        """Return True when this subscription's filter lets ``ticker`` through."""
        markets = self.markets
        return markets is None or ticker in markets

    def send(self, msg_type: bytes, body: bytes) -> None:
        """Buffer one data message, numbering it when the channel carries ``seq``."""
        if self.spec.has_seq:
            self.seq += 1
            self.conn.push(_SEQ % (msg_type, self.sid, self.seq, body))
        else:
            self.conn.push(_NO_SEQ % (msg_type, self.sid, body))

    @property
    def ack_seq(self) -> int:
        """The ``seq`` an ack reports: the last one sent (at least 1, the spec minimum)."""
        return self.seq if self.seq > 0 else 1


class Connection:
    """A connected client, as the hub and its session see it."""

    def __init__(
        self,
        sender: Sender,
        *,
        user_id: str | None,
        subaccount: int | None,
        limit_bytes: int,
        on_dirty: Callable[[Connection], None],
        on_drop: Callable[[Connection], None],
        api_key_id: str | None = None,
        address: str = "",
    ) -> None:
        self.sender = sender
        self.user_id = user_id  # None: unauthenticated, public channels only
        self.subaccount = subaccount  # a key restricted to one subaccount sees only it
        self.api_key_id = api_key_id  # the key that opened it; revoking it closes this
        self.address = address  # the source the anonymous-connection cap counts under
        self.limit_bytes = limit_bytes
        self.control_bytes = 0  # pongs the paused transport holds (see transport)
        self.subs: dict[int, Subscription] = {}
        self.next_sid = 1
        self.closed = False
        self.dropped = False
        self.dirty = False  # has buffered frames the hub has not flushed yet
        self._on_dirty = on_dirty
        self._on_drop = on_drop
        self._out = bytearray()
        self._wakeup = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None

    def sees(self, user_id: str, subaccount: int) -> bool:
        """Return True when an event of (user, subaccount) belongs to this connection."""
        return user_id == self.user_id and (
            self.subaccount is None or subaccount == self.subaccount
        )

    def push(self, payload: bytes) -> None:
        """Buffer one message as a text frame; drop the connection past the limit."""
        if self.closed:
            return
        out = self._out
        n = len(payload)
        out += _HEADERS[n] if n < 8192 else frame_header(n)
        out += payload
        # Only a backlog the peer is not reading counts: a burst the transport can take
        # now (say, ten thousand snapshots after one subscribe) goes out at the next flush.
        if len(out) + self.control_bytes > self.limit_bytes and not self.sender.writable():
            self.drop(ErrorCode.BUFFER_OVERFLOW, 1008)
        elif not self.dirty:
            self.dirty = True
            self._on_dirty(self)

    def check_overflow(self) -> None:
        """Drop the connection (code 25) if its backlog, pongs included, is past the limit."""
        control = self.control_bytes
        if control > CONTROL_BYTES_MAX or len(self._out) + control > self.limit_bytes:
            self.drop(ErrorCode.BUFFER_OVERFLOW, 1008)

    def flush(self) -> None:
        """Hand the buffer to the transport now if it can take it, else to the writer."""
        self.dirty = False
        if self.closed or not self._out:
            return
        sender = self.sender
        if sender.direct and sender.writable():
            # Swapped, never mutated again: the transport may keep it as its buffer.
            out, self._out = self._out, bytearray()
            if not sender.write(out):
                self.closed = True
        else:
            self._wakeup.set()

    def start(self) -> None:
        """Start the writer task."""
        self._writer = asyncio.get_running_loop().create_task(self._write_loop())

    async def close(self) -> None:
        """Stop the writer (the endpoint owns the socket itself)."""
        self.closed = True
        self._out = bytearray()
        self._wakeup.set()
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
            self._writer = None

    def drop(self, code: ErrorCode, close_code: int) -> None:
        """Discard the backlog, send a terminal ``error`` and close (codes 25 and 10)."""
        if self.closed:
            return
        self.closed = True
        self.dropped = True
        self._out = bytearray()
        self._wakeup.set()
        log.info("dropping a WebSocket connection (user %s): code %d", self.user_id, code)
        self.sender.drop(
            error_frame(0, code),
            close_code,
            ERROR_TEXT[code],
            stop_reading=code is ErrorCode.BUFFER_OVERFLOW,
        )
        # The hub may be iterating its subscriber sets right now: unregister afterwards.
        asyncio.get_running_loop().call_soon(self._on_drop, self)

    async def _write_loop(self) -> None:
        sender = self.sender
        wakeup = self._wakeup
        try:
            while not self.closed:
                if not self._out:
                    wakeup.clear()
                    await wakeup.wait()
                    continue
                if not sender.writable():
                    await sender.wait_writable()
                    continue
                out, self._out = self._out, bytearray()
                if not await sender.send(out):
                    self.closed = True
        except asyncio.CancelledError:
            raise
        except Exception:  # a broken socket must not take the server down
            log.exception("WebSocket writer failed")
            self.closed = True
