"""Sandbox faults on the Kalshi WebSocket: a connection that misbehaves on purpose.

``connection_for`` builds the ordinary ``Connection`` for everyone whose key (or user) has
no WebSocket faults, so the feed's hot path is untouched; a faulted key gets a
``FaultyConnection``, which overrides ``push`` (every frame the connection sends passes
through it) and ``start``:

- **skip a seq**: every Nth data message that carries a ``seq`` is not sent, so the client
  sees that number missing (what a lost message looks like) and must resynchronise;
- **duplicate**: every Nth data message is sent twice, ``seq`` and all;
- **latency** (drawn per frame) and **channel delays** (a fixed delay for one channel):
  a held frame waits out its own delay through ``FaultBook.sleep`` (tests record it
  instead of sleeping), then waits for the frame before it in its lane to go out. Frames
  without a channel delay share one lane, each delayed channel has its own, so a frame
  goes out at ``max(pushed + its delay, when the previous frame of its lane went out)``:
  every lane keeps its order and only a delayed channel falls behind the rest, as a slow
  feed does. Held frames count toward the connection's buffer limit: past it the
  connection is dropped (code 25) as a client that does not read would be;
- **disconnect every N seconds**: N seconds after it opens, the connection is cut (the
  transport aborted under ``augury serve``; a close 1001 under other servers).

Counts go to the target's ``applied`` (``GET /admin/v1/faults``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.websockets import WebSocket

from augury.api.auth import ApiKeyRecord
from augury.api.sandbox.faults import CHANNEL_OF, FaultBook, FaultState
from augury.api.ws.connection import Connection, Sender
from augury.api.ws.protocol import ErrorCode
from augury.api.ws.transport import FRAMES_EXTENSION

__all__ = ["FaultyConnection", "classify", "connection_for"]

_MAIN = ""  # the ordering lane of every frame without a channel delay
_PREFIX = b'{"type":"'


def classify(payload: bytes) -> tuple[str | None, bool]:
    """Return (data message type or None for control frames, whether it carries a seq)."""
    if not payload.startswith(_PREFIX):
        return None, False
    end = payload.find(b'"', len(_PREFIX))
    kind = payload[len(_PREFIX) : end].decode("ascii", "replace")
    if kind not in CHANNEL_OF:
        return None, False
    return kind, b'"seq":' in payload[: end + 40]


class FaultyConnection(Connection):
    """A ``Connection`` that applies its key's WebSocket faults (module docstring)."""

    def __init__(
        self,
        sender: Sender,
        *,
        faults: FaultState,
        websocket: WebSocket,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        **kwargs: Any,
    ) -> None:
        super().__init__(sender, **kwargs)
        self.faults = faults
        self.websocket = websocket
        self._with_seq = 0
        self._data = 0
        self._sleep = sleep
        # The last held frame of each lane: the next one of that lane goes out after it.
        self._tails: dict[str, asyncio.Task[None]] = {}
        self._held: set[asyncio.Task[None]] = set()
        self._held_bytes = 0  # the payloads held now (bounded by ``limit_bytes``)
        self._cut: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def push(self, payload: bytes) -> None:
        if self.closed:
            return
        ws = self.faults.config.ws
        kind, has_seq = classify(payload)
        copies = 1
        lane = _MAIN
        if kind is not None:
            if has_seq and ws.skip_seq_every:
                self._with_seq += 1
                if self._with_seq % ws.skip_seq_every == 0:
                    self.faults.count("ws_skipped_seq")
                    return
            if ws.duplicate_every:
                self._data += 1
                if self._data % ws.duplicate_every == 0:
                    self.faults.count("ws_duplicated")
                    copies = 2
            channel = CHANNEL_OF[kind]
            if channel in ws.delay_ms:
                lane = channel
        delay_ms = self.faults.draw_ws_latency_ms() + ws.delay_ms.get(lane, 0)
        before = self._tails.get(lane)
        if before is not None and before.done():
            before = None
        if delay_ms <= 0 and before is None:
            for _ in range(copies):
                super().push(payload)
            return
        size = len(payload) * copies
        if self._held_bytes + size > self.limit_bytes:
            # Held frames count toward the connection's buffer limit, as a backlog does:
            # a long latency on a busy feed ends like a client that does not read.
            self.drop(ErrorCode.BUFFER_OVERFLOW, 1008)
            return
        self._held_bytes += size
        self.faults.count("ws_delayed")
        held = asyncio.get_running_loop().create_task(
            self._deliver(delay_ms / 1000, before, payload, copies)
        )
        self._tails[lane] = held
        self._held.add(held)
        held.add_done_callback(self._held.discard)

    async def _deliver(
        self, delay_s: float, before: asyncio.Task[None] | None, payload: bytes, copies: int
    ) -> None:
        try:
            if delay_s > 0:
                await self._sleep(delay_s)
            if before is not None:
                await asyncio.wait([before])  # its outcome does not matter, only its end
        finally:
            self._held_bytes -= len(payload) * copies
        if self.closed:
            return
        for _ in range(copies):
            super().push(payload)

    def start(self) -> None:
        super().start()
        every = self.faults.config.ws.disconnect_every_s
        if every:
            self._cut = asyncio.get_running_loop().call_later(every, self._disconnect)

    def _disconnect(self) -> None:
        if self.closed:
            return
        self.faults.count("ws_disconnected")
        extension = self.websocket.scope.get("extensions", {}).get(FRAMES_EXTENSION)
        protocol = extension.get("protocol") if extension else None
        transport = getattr(protocol, "transport", None)
        if transport is not None:
            transport.abort()
            return
        task = asyncio.get_running_loop().create_task(self._close_asgi())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _close_asgi(self) -> None:
        with contextlib.suppress(Exception):
            await self.websocket.close(code=1001, reason="sandbox disconnect")

    async def close(self) -> None:
        for held in self._held:
            held.cancel()
        self._held.clear()
        self._tails.clear()
        if self._cut is not None:
            self._cut.cancel()
        await super().close()


def connection_for(
    websocket: WebSocket, record: ApiKeyRecord | None, sender: Sender, **kwargs: Any
) -> Connection:
    """Return the connection for a handshake: faulty only for a key that asked for it."""
    book: FaultBook | None = getattr(websocket.app.state, "fault_book", None)
    if book is None or record is None:
        return Connection(sender, **kwargs)
    state = book.lookup(record.api_key_id, record.user_id)
    if state is None or not (state.config.ws.any or state.config.ws_latency is not None):
        return Connection(sender, **kwargs)
    return FaultyConnection(
        sender, faults=state, websocket=websocket, sleep=_sleep_of(book), **kwargs
    )


def _sleep_of(book: FaultBook) -> Callable[[float], Awaitable[None]]:
    """The book's sleep, read when a frame is held (a test may replace it at any time)."""

    async def sleep(seconds: float) -> None:
        await book.sleep(seconds)

    return sleep
