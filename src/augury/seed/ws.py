"""The seed API's WebSocket (``/seed/v1/ws``): auth, subscriptions and the fan-out.

Protocol (docs/seed-api.md): the first message must be ``{"type": "auth", "api_key"}``
within ``ws_auth_timeout_s``; then ``subscribe``/``unsubscribe`` to ``account``, ``market``
(one ticker each) or ``orders``. The hub is a batch subscriber of the sequencer: after each
applied batch it sends every ``order_update`` of that batch in order, then one
``account_update`` per touched account and one ``market_update`` per touched market
rendered from the state after the batch (so several changes in one batch send the newest
state once). Every message is encoded once and shared by the connections that get it.

Limits (``SeedSettings``): connections per account (the sixth gets an error and is
closed), subscriptions per connection, client messages per second (excess messages are
dropped with an error), message size, unauthenticated connections per address and in
total, and a bounded queue per connection: a client that does not read is closed (1008)
once ``ws_queue_max_messages`` wait. A suspended account's connections close at the next
fan-out or message; a revoked token's within ``_RECHECK_S``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from typing import TYPE_CHECKING, Any

import msgspec
from starlette.websockets import WebSocket, WebSocketDisconnect

from augury.api.context import Context
from augury.engine import commands as c
from augury.engine.events import (
    BalanceUpdate,
    BookDelta,
    CashMovement,
    FillEvent,
    MarketUpdate,
    OrderUpdate,
    PositionUpdate,
    SettlementEvent,
    TradeEvent,
)
from augury.engine.exchange import Outcome
from augury.seed import wire
from augury.seed.limits import Windows
from augury.seed.rest import Caller, authenticate_token
from augury.seed.settings import SeedSettings
from augury.seed.wire import SeedError

if TYPE_CHECKING:
    from augury.platform.service import Platform

__all__ = ["SeedConnection", "SeedHub"]

log = logging.getLogger(__name__)

_SECOND_NS = 1_000_000_000
_RECHECK_S = 30.0
_CLOSE = object()  # queued after a connection's last message
_ACCOUNT_EVENTS = (BalanceUpdate, PositionUpdate, FillEvent, SettlementEvent, CashMovement)
_MARKET_EVENTS = (BookDelta, TradeEvent, MarketUpdate)


def _error(code: str, message: str, details: dict[str, Any] | None = None) -> bytes:
    body = wire.error_body(SeedError(400, code, message, details))
    return wire.encode({"type": "error", **body})


class SeedConnection:
    """One client: its account, subscriptions, inbound rate window and outbound queue."""

    def __init__(self, websocket: WebSocket, settings: SeedSettings, address: str) -> None:
        self.websocket = websocket
        self.settings = settings
        self.address = address
        self.caller: Caller | None = None
        self.token = ""
        self.subs: set[tuple[str, str]] = set()  # (channel, ticker or "")
        self.closed = False
        self._queue: deque[bytes | object] = deque()
        self._wakeup = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self._window = Windows(_SECOND_NS, max_keys=1)

    def start(self) -> None:
        """Start the writer task."""
        self._writer = asyncio.get_running_loop().create_task(self._write_loop())

    def send(self, payload: bytes) -> None:
        """Queue a message; close the connection when its client is too far behind."""
        if self.closed:
            return
        if len(self._queue) >= self.settings.ws_queue_max_messages:
            self.closed = True
            self._queue.clear()
            self._queue.append(_CLOSE)
        else:
            self._queue.append(payload)
        self._wakeup.set()

    def close_with(self, payload: bytes) -> None:
        """Send a last message, then close (1008)."""
        if self.closed:
            return
        self._queue.append(payload)
        self._queue.append(_CLOSE)
        self.closed = True
        self._wakeup.set()

    def admit_message(self, now_ns: int) -> bool:
        """Count one client message; False when over the per-second limit."""
        limit = self.settings.ws_messages_per_second
        return self._window.admit([("m", limit)], now_ns) == 0

    async def _write_loop(self) -> None:
        websocket = self.websocket
        try:
            while True:
                if not self._queue:
                    self._wakeup.clear()
                    await self._wakeup.wait()
                    continue
                item = self._queue.popleft()
                if item is _CLOSE:
                    await websocket.close(code=1008)
                    return
                assert isinstance(item, bytes)
                await websocket.send_text(item.decode())
        except (WebSocketDisconnect, RuntimeError, OSError):
            self.closed = True

    async def stop(self) -> None:
        """Stop the writer (after its queued close, if any, went out)."""
        self.closed = True
        writer = self._writer
        if writer is None:
            return
        if _CLOSE in self._queue:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(writer), timeout=5)
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await writer


class SeedHub:
    """Every seed WebSocket connection, indexed for the fan-out."""

    def __init__(self, settings: SeedSettings) -> None:
        self.settings = settings
        self.connections: set[SeedConnection] = set()
        self.by_account: dict[str, set[SeedConnection]] = {}
        self.by_market: dict[str, set[SeedConnection]] = {}
        self.pending: dict[str, int] = {}
        self._context: Context | None = None
        self._platform: Platform | None = None

    def attach(self, context: Context, platform: Platform) -> None:
        """Join the sequencer's batch stream (once, on the first connection)."""
        if self._context is None:
            self._context = context
            self._platform = platform
            context.runtime.sequencer.subscribe_batch(self.on_batch)

    # --- fan-out ------------------------------------------------------------------------

    def on_batch(self, applied: list[tuple[int, c.Command, Outcome[object]]]) -> None:
        """Send the batch's updates (see the module docstring)."""
        if not self.by_account and not self.by_market:
            return
        accounts: set[str] = set()
        markets: set[str] = set()
        for _seq, _command, outcome in applied:
            for event in outcome.events:
                if isinstance(event, OrderUpdate):
                    if event.subaccount == 0 and event.user_id in self.by_account:
                        self._order_update(event)
                elif (
                    isinstance(event, _ACCOUNT_EVENTS)
                    and event.subaccount == 0
                    and event.user_id in self.by_account
                ):
                    accounts.add(event.user_id)
                if isinstance(event, _MARKET_EVENTS) and event.ticker in self.by_market:
                    markets.add(event.ticker)
        for account_id in accounts:
            self._account_update(account_id)
        for ticker in markets:
            self._market_update(ticker)

    def _live(self, conns: set[SeedConnection]) -> list[SeedConnection]:
        blocked = self._context.blocked_users if self._context is not None else set()
        out = []
        for conn in list(conns):
            caller = conn.caller
            if caller is not None and caller.account_id in blocked:
                conn.close_with(_error("INVALID_API_KEY", "this account is suspended"))
                continue
            out.append(conn)
        return out

    def _order_update(self, update: OrderUpdate) -> None:
        conns = [c for c in self._live(self.by_account[update.user_id]) if ("orders", "") in c.subs]
        if conns:
            payload = wire.encode(
                {"type": "order_update", "data": wire.order_object_from_update(update)}
            )
            for conn in conns:
                conn.send(payload)

    def account_message(self, account_id: str) -> bytes | None:
        """Return the ``account_update`` for an account, or None if it has no account."""
        assert self._platform is not None
        balance = self._platform.reads.balance(account_id)
        if balance is None:
            return None
        data = wire.account_object(account_id, balance)
        return wire.encode({"type": "account_update", "data": data})

    def market_message(self, ticker: str) -> bytes | None:
        """Return the ``market_update`` for a market, or None if there is no such market."""
        assert self._platform is not None
        view = self._platform.reads.market(ticker)
        if view is None:
            return None
        return wire.encode({"type": "market_update", "data": wire.market_object(view)})

    def _account_update(self, account_id: str) -> None:
        conns = [
            c
            for c in self._live(self.by_account.get(account_id, set()))
            if ("account", "") in c.subs
        ]
        payload = self.account_message(account_id) if conns else None
        if payload is not None:
            for conn in conns:
                conn.send(payload)

    def _market_update(self, ticker: str) -> None:
        conns = self._live(self.by_market.get(ticker, set()))
        payload = self.market_message(ticker) if conns else None
        if payload is not None:
            for conn in conns:
                conn.send(payload)

    # --- one connection ---------------------------------------------------------------------

    async def serve(self, websocket: WebSocket) -> None:
        """Serve one connection until the client leaves or is closed."""
        context: Context | None = getattr(websocket.app.state, "context", None)
        platform: Platform | None = getattr(websocket.app.state, "platform", None)
        address = websocket.client.host if websocket.client is not None else "unknown"
        await websocket.accept()
        conn = SeedConnection(websocket, self.settings, address)
        conn.start()
        crowded = (
            len(self.connections) >= self.settings.ws_connections_max
            or self.pending.get(address, 0) >= self.settings.ws_pending_per_address
        )
        if context is None or platform is None or crowded:
            code = "SERVICE_UNAVAILABLE" if context is None else "RATE_LIMIT_EXCEEDED"
            conn.close_with(_error(code, "too many connections; try again later"))
            await conn.stop()
            return
        self.attach(context, platform)
        self.connections.add(conn)
        self.pending[address] = self.pending.get(address, 0) + 1
        recheck: asyncio.Task[None] | None = None
        try:
            if await self._authenticate(conn, context, platform):
                recheck = asyncio.get_running_loop().create_task(self._recheck(conn, platform))
                await self._read_loop(conn, context)
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            if recheck is not None:
                recheck.cancel()
            self._forget(conn)
            await conn.stop()

    def _forget(self, conn: SeedConnection) -> None:
        self.connections.discard(conn)
        if conn.caller is None:
            left = self.pending.get(conn.address, 1) - 1
            if left > 0:
                self.pending[conn.address] = left
            else:
                self.pending.pop(conn.address, None)
            return
        account = conn.caller.account_id
        conns = self.by_account.get(account)
        if conns is not None:
            conns.discard(conn)
            if not conns:
                del self.by_account[account]
        for channel, ticker in conn.subs:
            if channel == "market":
                self._unindex_market(conn, ticker)

    def _unindex_market(self, conn: SeedConnection, ticker: str) -> None:
        subs = self.by_market.get(ticker)
        if subs is not None:
            subs.discard(conn)
            if not subs:
                del self.by_market[ticker]

    async def _receive(self, conn: SeedConnection, wait_s: float | None) -> dict[str, Any] | None:
        """Return the next client message as an object, None after an error was sent."""
        async with asyncio.timeout(wait_s):
            message = await conn.websocket.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000))
        text = message.get("text")
        if text is None or len(text) > self.settings.ws_message_max_bytes:
            conn.send(_error("INVALID_REQUEST", "send JSON text messages of at most 4 KB"))
            return None
        try:
            data = msgspec.json.decode(text)
        except (msgspec.DecodeError, RecursionError):
            conn.send(_error("INVALID_REQUEST", "the message is not JSON"))
            return None
        if not isinstance(data, dict):
            conn.send(_error("INVALID_REQUEST", "a message is a JSON object with a type"))
            return None
        return data

    async def _authenticate(
        self, conn: SeedConnection, context: Context, platform: Platform
    ) -> bool:
        try:
            data = await self._receive(conn, self.settings.ws_auth_timeout_s)
        except TimeoutError:
            conn.close_with(_error("INVALID_API_KEY", "authenticate within the first seconds"))
            return False
        if data is None or data.get("type") != "auth":
            conn.close_with(_error("INVALID_API_KEY", 'the first message must be {"type": "auth"}'))
            return False
        try:
            caller = await authenticate_token(platform, data.get("api_key"))
        except SeedError as error:
            conn.close_with(_error(error.code, error.message))
            return False
        if caller.account_id in context.blocked_users:
            conn.close_with(_error("INVALID_API_KEY", "this account is suspended"))
            return False
        mine = self.by_account.setdefault(caller.account_id, set())
        if len(mine) >= self.settings.ws_connections_per_account:
            if not mine:
                del self.by_account[caller.account_id]
            limit = self.settings.ws_connections_per_account
            conn.close_with(
                _error("RATE_LIMIT_EXCEEDED", f"at most {limit} connections per account")
            )
            return False
        left = self.pending.get(conn.address, 1) - 1
        if left > 0:
            self.pending[conn.address] = left
        else:
            self.pending.pop(conn.address, None)
        conn.caller = caller
        conn.token = str(data.get("api_key"))
        mine.add(conn)
        conn.send(wire.encode({"type": "authenticated", "account_id": caller.account_id}))
        return True

    async def _recheck(self, conn: SeedConnection, platform: Platform) -> None:
        while not conn.closed:
            await asyncio.sleep(_RECHECK_S)
            try:
                await authenticate_token(platform, conn.token)
            except SeedError as error:
                conn.close_with(_error(error.code, error.message))
                with contextlib.suppress(Exception):
                    await conn.websocket.close(code=1008)
                return

    async def _read_loop(self, conn: SeedConnection, context: Context) -> None:
        while not conn.closed:
            data = await self._receive(conn, None)
            if conn.caller is not None and conn.caller.account_id in context.blocked_users:
                conn.close_with(_error("INVALID_API_KEY", "this account is suspended"))
                return
            if not conn.admit_message(context.clock.now_ns()):
                limit = self.settings.ws_messages_per_second
                conn.send(
                    _error("RATE_LIMIT_EXCEEDED", f"at most {limit} messages a second; dropped")
                )
                continue
            if data is not None:
                self._command(conn, data)

    def _command(self, conn: SeedConnection, data: dict[str, Any]) -> None:
        kind = data.get("type")
        if kind == "subscribe":
            self._subscribe(conn, data)
        elif kind == "unsubscribe":
            self._unsubscribe(conn, data)
        elif kind == "auth":
            conn.send(_error("INVALID_REQUEST", "already authenticated"))
        else:
            conn.send(_error("INVALID_REQUEST", "type must be subscribe or unsubscribe"))

    def _target(self, conn: SeedConnection, data: dict[str, Any]) -> tuple[str, str] | None:
        channel = data.get("channel")
        if channel in ("account", "orders"):
            return str(channel), ""
        if channel != "market":
            conn.send(_error("INVALID_REQUEST", "channel must be account, market or orders"))
            return None
        ticker = data.get("ticker")
        if not isinstance(ticker, str) or self.market_message(ticker) is None:
            conn.send(_error("MARKET_NOT_FOUND", "no such market", {"ticker": ticker}))
            return None
        return "market", ticker

    def _ack(self, kind: str, target: tuple[str, str]) -> bytes:
        channel, ticker = target
        body: dict[str, Any] = {"type": kind, "channel": channel}
        if ticker:
            body["ticker"] = ticker
        return wire.encode(body)

    def _subscribe(self, conn: SeedConnection, data: dict[str, Any]) -> None:
        target = self._target(conn, data)
        if target is None:
            return
        limit = self.settings.ws_subscriptions_per_connection
        if target not in conn.subs and len(conn.subs) >= limit:
            conn.send(_error("RATE_LIMIT_EXCEEDED", f"at most {limit} subscriptions a connection"))
            return
        conn.subs.add(target)
        channel, ticker = target
        conn.send(self._ack("subscribed", target))
        assert conn.caller is not None
        snapshot: bytes | None = None
        if channel == "market":
            self.by_market.setdefault(ticker, set()).add(conn)
            snapshot = self.market_message(ticker)
        elif channel == "account":
            snapshot = self.account_message(conn.caller.account_id)
        if snapshot is not None:
            conn.send(snapshot)

    def _unsubscribe(self, conn: SeedConnection, data: dict[str, Any]) -> None:
        channel, ticker = data.get("channel"), data.get("ticker")
        target = (str(channel), str(ticker) if channel == "market" else "")
        if target not in conn.subs:
            conn.send(_error("INVALID_REQUEST", "not subscribed to that channel"))
            return
        conn.subs.discard(target)
        if target[0] == "market":
            self._unindex_market(conn, target[1])
        conn.send(self._ack("unsubscribed", target))
