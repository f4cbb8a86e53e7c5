"""The WebSocket client: signed handshake, subscriptions that survive reconnects, seq
tracking with resync on a gap, and a local order book per market.

How it stays correct
    - The client keeps the *desired* subscriptions (one per channel, with its markets and
      options). Every connection subscribes them all again, so a reconnect restores the
      whole feed without the caller doing anything.
    - Each ``sid`` has a ``seq`` that must grow by exactly one (CONTRACT §8.4). On a gap
      the sid is unsubscribed, its books are invalidated, and the channel is subscribed
      afresh: the new sid starts with a snapshot, so the books are rebuilt from a state
      the server vouches for. Messages of a dead sid are ignored.
    - A delta that would make a level negative also counts as a gap.
    - A lost connection (or error 25, the server dropping a slow reader) reconnects after
      ``Backoff.delay(n)``: ``min(30, 2**n)`` s plus jitter, ``n`` consecutive failures.

Changing what a subscription covers: ``update(channel or sid, add=[...], remove=[...])``
sends Kalshi's ``update_subscription`` (``add_markets``, then ``delete_markets``) on the
channel's live sid and waits for each reply; added order-book markets get their snapshot
on the same sid (next seq). The desired state changes first, so a connection lost
meanwhile resubscribes the new set. ``unsubscribe(channel)`` leaves the channel. A reply of
type ``error`` raises ``WsCommandError`` (the desired change is undone).

Two ways to consume: ``async for message in ws.messages()`` (a bounded queue; the oldest
message is dropped when a consumer falls behind, and counted) or ``ws.on(type, callback)``.
``on_connect`` callbacks run after every (re)subscription and before any data message of
that connection reaches a consumer (they are held meanwhile, bounded like the queue): bots
reconcile there, so a bot never acts on a new session's feed before it has reconciled.

Known limit: a gap is seen only when the next message on that sid arrives; a lost *last*
message stays unseen until the market moves again (the protocol has no heartbeat seq).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlsplit

import msgspec
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from augury.client.clock import AsyncSleep, Clock, SystemClock
from augury.client.hosts import Host, resolve
from augury.client.signing import Signer
from augury.client.ws.backoff import Backoff
from augury.client.ws.book import LocalBook

__all__ = ["WsClient", "WsCommandError", "WsStats"]

log = logging.getLogger(__name__)

Message = dict[str, Any]
Callback = Callable[[Message], None]
_QUEUE_MAX: Final = 10_000
_MAX_FRAME_BYTES: Final = 16 * 1024 * 1024
_BOOK_CHANNEL: Final = "orderbook_delta"
_TERMINAL_CODES: Final = frozenset({10, 25})


class WsCommandError(Exception):
    """The server answered a command with an ``error`` (``code``, ``message``)."""

    def __init__(self, cmd: str, msg: dict[str, Any]) -> None:
        self.code = msg.get("code")
        self.message = msg.get("msg") or msg.get("message")
        super().__init__(f"{cmd}: error {self.code}: {self.message}")


@dataclass
class _Desired:
    channel: str
    tickers: set[str] | None  # None: every market
    params: dict[str, Any]


@dataclass
class WsStats:
    """Counters for monitoring: connections, disconnects, gaps, resyncs, dropped messages."""

    connects: int = 0
    disconnects: int = 0
    gaps: int = 0
    resyncs: int = 0
    dropped: int = 0
    disconnect_times_ns: deque[int] = field(default_factory=lambda: deque(maxlen=10_000))


class WsClient:
    """One multiplexed WebSocket connection to a Kalshi-compatible feed, kept alive."""

    def __init__(
        self,
        host: str | Host = "local",
        *,
        signer: Signer | None = None,
        clock: Clock | None = None,
        backoff: Backoff | None = None,
        rand: Callable[[], float] | None = None,
        sleep: AsyncSleep | None = None,
        queue_max: int = _QUEUE_MAX,
    ) -> None:
        system = SystemClock()
        self.host = resolve(host)
        self.signer = signer
        self.clock: Clock = clock or system
        self.backoff = backoff or Backoff()
        self.rand = rand or random.random
        self.sleep: AsyncSleep = sleep or system.async_sleep
        self.books: dict[str, LocalBook] = {}
        self.stats = WsStats()
        self.on_connect: list[Callable[[], Awaitable[None] | None]] = []
        self._desired: dict[str, _Desired] = {}
        self._callbacks: defaultdict[str, list[Callback]] = defaultdict(list)
        self._queue: deque[Message] = deque()
        # Data messages of a new connection wait here until its on_connect hooks have run.
        self._held: deque[Message] | None = None
        self._queue_max = queue_max
        self._queue_event = asyncio.Event()
        self._ids = itertools.count(1)
        self._conn: ClientConnection | None = None
        self._pending: dict[int, str] = {}  # subscribe command id -> channel
        self._replies: dict[int, asyncio.Future[Message]] = {}
        self._sid_channel: dict[int, str] = {}
        self._seq: dict[int, int] = {}
        self._connected = asyncio.Event()
        self._acked = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closing = False
        self._failures = 0

    # Desired state.

    async def subscribe(
        self, channels: list[str], tickers: list[str] | None = None, **params: Any
    ) -> None:
        """Subscribe channels (for ``tickers``, or every market), now and on every reconnect."""
        for channel in channels:
            found = self._desired.get(channel)
            if found is None:
                found = _Desired(channel, set(tickers) if tickers is not None else None, params)
                self._desired[channel] = found
            elif found.tickers is not None:
                found.tickers = found.tickers | set(tickers) if tickers is not None else None
            if channel == _BOOK_CHANNEL:
                for ticker in tickers or []:
                    self.books.setdefault(ticker, LocalBook(ticker))
            await self._send_subscribe(found)

    async def unsubscribe(self, channel: str) -> None:
        """Stop a channel (and forget its books)."""
        self._desired.pop(channel, None)
        sids = [sid for sid, ch in self._sid_channel.items() if ch == channel]
        for sid in sids:
            self._forget(sid)
        if sids:
            await self._command("unsubscribe", {"sids": sids})
        if channel == _BOOK_CHANNEL:
            self.books.clear()

    async def update(
        self,
        target: str | int,
        *,
        add: list[str] | tuple[str, ...] = (),
        remove: list[str] | tuple[str, ...] = (),
    ) -> None:
        """Add and remove markets of one subscription (by channel name or live sid).

        Raises:
            KeyError: nothing is subscribed under ``target``.
            ValueError: the subscription covers every market (nothing to add or remove).
            WsCommandError: the server refused the change (the desired state is restored).
        """
        channel = self._sid_channel.get(target) if isinstance(target, int) else target
        desired = self._desired.get(channel) if channel is not None else None
        if desired is None or channel is None:
            raise KeyError(f"not subscribed: {target!r}")
        if desired.tickers is None:
            raise ValueError(f"{channel} covers every market; subscribe markets to update it")
        before = set(desired.tickers)
        desired.tickers = (desired.tickers | set(add)) - set(remove)
        if channel == _BOOK_CHANNEL:
            for ticker in add:
                self.books.setdefault(ticker, LocalBook(ticker))
        sid = next((s for s, ch in self._sid_channel.items() if ch == channel), None)
        try:
            # Without a live sid the next (re)subscription carries the new set.
            for action, tickers in (("add_markets", add), ("delete_markets", remove)):
                if sid is None or not tickers or self._conn is None:
                    continue
                params = {"sids": [sid], "market_tickers": list(tickers), "action": action}
                reply = await self._command("update_subscription", params, wait=True)
                if reply.get("type") == "error":
                    raise WsCommandError("update_subscription", reply.get("msg") or {})
        except WsCommandError:
            desired.tickers = before
            raise
        except ConnectionError:
            pass  # the connection dropped; the reconnect subscribes the desired set
        finally:
            if channel == _BOOK_CHANNEL:
                for ticker in set(self.books) - (desired.tickers or set()):
                    del self.books[ticker]

    def on(self, message_type: str, callback: Callback) -> None:
        """Call ``callback(message)`` for every message of ``message_type`` (``*``: all)."""
        self._callbacks[message_type].append(callback)

    async def messages(self) -> AsyncIterator[Message]:
        """Yield data messages as they arrive (the oldest is dropped if the queue is full)."""
        while not self._closing:
            while self._queue:
                yield self._queue.popleft()
            self._queue_event.clear()
            await self._queue_event.wait()

    # Connection.

    async def run(self) -> None:
        """Connect and keep connected until ``close()``; never raises on network errors."""
        while not self._closing:
            try:
                async with self._connect() as conn:
                    await self._session(conn)
            except (TimeoutError, OSError, ConnectionClosed, InvalidHandshake) as exc:
                log.info("websocket lost: %s", exc)
            self._lost()
            if not self._stopping():
                await self.sleep(self.backoff.delay(self._failures, self.rand))
                self._failures += 1

    def _stopping(self) -> bool:
        return self._closing

    async def wait_connected(self) -> None:
        """Wait until a connection is up and every desired channel is acknowledged."""
        await self._connected.wait()

    async def close(self) -> None:
        """Close the connection and stop ``run``."""
        self._closing = True
        self._queue_event.set()
        if self._conn is not None:
            await self._conn.close()

    async def barrier(self) -> Message:
        """Round-trip a ``list_subscriptions``: everything sent before it has been handled."""
        return await self._command("list_subscriptions", None, wait=True)

    @contextlib.asynccontextmanager
    async def _connect(self) -> AsyncIterator[ClientConnection]:
        headers: dict[str, str] = {}
        if self.signer is not None:
            path = urlsplit(self.host.ws_url).path
            headers = self.signer.headers(
                "GET", path, self.clock.now_ns() // 1_000_000, unique=True
            )
        async with connect(
            self.host.ws_url,
            additional_headers=headers,
            compression=None,
            max_size=_MAX_FRAME_BYTES,
            open_timeout=10,
        ) as conn:
            yield conn

    async def _session(self, conn: ClientConnection) -> None:
        self._conn = conn
        self._held = deque()  # a dead session's held messages are dropped with it
        self.stats.connects += 1
        for desired in self._desired.values():
            await self._send_subscribe(desired)
        reader = asyncio.ensure_future(self._read(conn))
        acked = asyncio.ensure_future(self._acknowledged())
        try:
            done, _ = await asyncio.wait({reader, acked}, return_when=asyncio.FIRST_COMPLETED)
            if acked in done:
                self._failures = 0
                self._connected.set()
                for hook in list(self.on_connect):
                    result = hook()
                    if result is not None:
                        await result
                held, self._held = self._held, None
                for message in held or ():
                    self._deliver(message)
            await reader
        finally:
            for task in (acked, reader):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                    await task

    async def _acknowledged(self) -> None:
        # Every subscribe is answered (subscribed or error) before anything else on it.
        while self._pending:
            self._acked.clear()
            await self._acked.wait()

    async def _read(self, conn: ClientConnection) -> None:
        async for raw in conn:
            self._handle(msgspec.json.decode(raw))

    def _lost(self) -> None:
        if self._conn is not None:
            self.stats.disconnects += 1
            self.stats.disconnect_times_ns.append(self.clock.now_ns())
        self._conn = None
        self._connected.clear()
        self._pending.clear()
        self._acked.set()
        for future in self._replies.values():
            if not future.done():
                future.set_exception(ConnectionError("websocket connection lost"))
        self._replies.clear()
        self._sid_channel.clear()
        self._seq.clear()
        for book in self.books.values():
            book.invalidate()

    # Commands.

    async def _command(
        self, cmd: str, params: dict[str, Any] | None, *, wait: bool = False
    ) -> Message:
        cid = next(self._ids)
        frame: dict[str, Any] = {"id": cid, "cmd": cmd}
        if params is not None:
            frame["params"] = params
        future: asyncio.Future[Message] | None = None
        if wait:
            future = asyncio.get_running_loop().create_future()
            self._replies[cid] = future
        if self._conn is not None:
            with contextlib.suppress(ConnectionClosed):
                await self._conn.send(msgspec.json.encode(frame).decode())
        if future is not None:
            return await future
        return frame

    async def _send_subscribe(self, desired: _Desired) -> None:
        if self._conn is None:
            return
        params: dict[str, Any] = {"channels": [desired.channel], **desired.params}
        if desired.tickers is not None:
            params["market_tickers"] = sorted(desired.tickers)
        cid = next(self._ids)
        self._pending[cid] = desired.channel
        with contextlib.suppress(ConnectionClosed):
            await self._conn.send(
                msgspec.json.encode({"id": cid, "cmd": "subscribe", "params": params}).decode()
            )

    # Incoming messages.

    def _handle(self, message: Message) -> None:
        kind = message.get("type")
        cid = message.get("id")
        if kind == "subscribed":
            channel = self._pending.pop(cid, None) if isinstance(cid, int) else None
            sid = message["msg"]["sid"]
            self._sid_channel[sid] = message["msg"].get("channel", channel)
            self._acked.set()
            return
        if isinstance(cid, int) and cid in self._replies:
            self._replies.pop(cid).set_result(message)
            return
        if kind == "error":
            self._error(message)
            return
        sid = message.get("sid")
        if isinstance(sid, int):
            if sid not in self._sid_channel:
                return  # a sid we left (after a gap) or never had
            if not self._in_sequence(sid, message.get("seq")):
                return
        if kind == "orderbook_snapshot":
            self._book(message).apply_snapshot(message["msg"])
        elif kind == "orderbook_delta":
            book = self._book(message)
            if book.ready:
                book.apply_delta(message["msg"])
                if book.broken and isinstance(sid, int):
                    self._gap(sid)
                    return
        self._deliver(message)

    def _book(self, message: Message) -> LocalBook:
        ticker = message["msg"]["market_ticker"]
        found = self.books.get(ticker)
        if found is None:
            found = self.books[ticker] = LocalBook(ticker)
        return found

    def _in_sequence(self, sid: int, seq: object) -> bool:
        if not isinstance(seq, int):
            return True
        last = self._seq.get(sid)
        if last is not None and seq != last + 1:
            self._gap(sid)
            return False
        self._seq[sid] = seq
        return True

    def _gap(self, sid: int) -> None:
        """Leave the sid, invalidate its books, and subscribe the channel again."""
        channel = self._sid_channel.get(sid)
        self.stats.gaps += 1
        self._forget(sid)
        if channel is None:
            return
        desired = self._desired.get(channel)
        if channel == _BOOK_CHANNEL:
            for ticker in desired.tickers or [] if desired else []:
                if ticker in self.books:
                    self.books[ticker].invalidate()
        self.stats.resyncs += 1
        self._spawn(self._resubscribe(sid, desired))

    def _spawn(self, work: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _resubscribe(self, sid: int, desired: _Desired | None) -> None:
        await self._command("unsubscribe", {"sids": [sid]})
        if desired is not None:
            await self._send_subscribe(desired)

    def _forget(self, sid: int) -> None:
        self._sid_channel.pop(sid, None)
        self._seq.pop(sid, None)

    def _error(self, message: Message) -> None:
        code = message.get("msg", {}).get("code")
        log.warning("websocket error %s", message.get("msg"))
        cid = message.get("id")
        if isinstance(cid, int):
            self._pending.pop(cid, None)
            self._acked.set()
        if code in _TERMINAL_CODES and self._conn is not None:
            self._spawn(self._conn.close())
        self._deliver(message)

    def _deliver(self, message: Message) -> None:
        if self._held is not None:  # the on_connect hooks have not run yet
            if len(self._held) >= self._queue_max:
                self._held.popleft()
                self.stats.dropped += 1
            self._held.append(message)
            return
        kind = str(message.get("type"))
        for callback in self._callbacks.get(kind, []) + self._callbacks.get("*", []):
            callback(message)
        if len(self._queue) >= self._queue_max:
            self._queue.popleft()
            self.stats.dropped += 1
        self._queue.append(message)
        self._queue_event.set()
