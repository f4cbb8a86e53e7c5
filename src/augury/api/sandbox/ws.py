"""Sandbox faults on the Kalshi WebSocket: a connection that misbehaves on purpose.

``connection_for`` builds the ordinary ``Connection`` for everyone whose key (or user) has
no WebSocket faults, so the feed's hot path is untouched; a faulted key gets a
``FaultyConnection``, which overrides ``push`` (every frame the connection sends passes
through it) and ``start``:

- **skip a seq**: every Nth data message that carries a ``seq`` is not sent, so the client
  sees that number missing (what a lost message looks like) and must resynchronise;
- **duplicate**: every Nth data message is sent twice, ``seq`` and all;
- **latency** (drawn per frame) and **channel delays** (a fixed delay for one channel):
  frames are held on timers. Frames without a channel delay keep their order among
  themselves (one monotone due time), and each delayed channel keeps its own order, so
  only a delayed channel falls behind the rest, as a slow feed does;
- **disconnect every N seconds**: N seconds after it opens, the connection is cut (the
  transport aborted under ``augury serve``; a close 1001 under other servers).

Counts go to the target's ``applied`` (``GET /admin/v1/faults``).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from starlette.websockets import WebSocket

from augury.api.auth import ApiKeyRecord
from augury.api.sandbox.faults import CHANNEL_OF, FaultBook, FaultState
from augury.api.ws.connection import Connection, Sender
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
        self, sender: Sender, *, faults: FaultState, websocket: WebSocket, **kwargs: Any
    ) -> None:
        super().__init__(sender, **kwargs)
        self.faults = faults
        self.websocket = websocket
        self._with_seq = 0
        self._data = 0
        self._due: dict[str, float] = {}
        self._timers: dict[int, asyncio.TimerHandle] = {}
        self._next_timer = 0
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
        loop = asyncio.get_running_loop()
        now = loop.time()
        due = max(now + delay_ms / 1000, self._due.get(lane, 0.0))
        if due <= now:
            for _ in range(copies):
                super().push(payload)
            return
        self._due[lane] = due
        self.faults.count("ws_delayed")
        self._next_timer += 1
        token = self._next_timer
        self._timers[token] = loop.call_at(due, self._deliver, token, payload, copies)

    def _deliver(self, token: int, payload: bytes, copies: int) -> None:
        self._timers.pop(token, None)
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
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        if self._cut is not None:
            self._cut.cancel()
        await super().close()


def connection_for(
    websocket: WebSocket, record: ApiKeyRecord | None, sender: Sender, **kwargs: Any
) -> Connection:
    """Return the connection for a handshake: faulty only for a key that asked for it."""
    book: FaultBook | None = getattr(websocket.app.state, "fault_book", None)
    state = None
    if book is not None and record is not None:
        state = book.lookup(record.api_key_id, record.user_id)
    if state is None or not (state.config.ws.any or state.config.ws_latency is not None):
        return Connection(sender, **kwargs)
    return FaultyConnection(sender, faults=state, websocket=websocket, **kwargs)
