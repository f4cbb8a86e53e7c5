"""Sandbox faults on the REST API: an ASGI middleware in front of ``/trade-api/v2``.

Who is faulted: a request whose ``KALSHI-ACCESS-KEY`` names a key that has faults (or
whose user has), *and whose signature verifies*: nobody can make another key's faults
apply to themselves or learn that a key has any. Everyone else passes straight through at
the cost of one dictionary check (``FaultBook.empty``) or one lookup.

What happens, in order: a maintenance window (``/exchange/status`` answers 503 with
``exchange_active: false``; writes answer 503 ``service_unavailable``; reads are served);
then the latency (drawn, slept through the injectable ``FaultBook.sleep``); then one error
draw: 429 (Kalshi's body, plus ``Retry-After``), 500, 503, a dropped connection before the
request is handled (nothing applied), or **applied but unanswered**: the request is
handled in full (an order is journaled and accepted) and the connection is dropped
instead of the response. Every applied fault is counted in ``FaultState.applied``.

Dropping a connection: under uvicorn the transport of the request is aborted (the client
sees the connection reset, no status line). The raw ``send`` that leads to it is kept in
the scope by ``SandboxStarlette``, since Starlette's outermost middleware wraps it. Under
a server without a transport (the in-process test clients) ``ConnectionDropped`` is raised
instead, which those clients surface as an exception, as they would a reset.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from augury.api.context import Context
from augury.api.sandbox.faults import FaultBook, FaultState
from augury.api.schemas.base import rfc3339_from_ns
from augury.api.schemas.codec import encode
from augury.api.schemas.errors import error_envelope
from augury.api.schemas.exchange import ExchangeStatus

__all__ = ["RAW_SEND", "ConnectionDropped", "FaultMiddleware", "SandboxStarlette", "drop"]

RAW_SEND = "augury.raw_send"
API_PREFIX = "/trade-api/v2"
_STATUS_PATH = API_PREFIX + "/exchange/status"
_READS = frozenset({"GET", "HEAD", "OPTIONS"})
_TOO_MANY = b'{"error": "too many requests"}'


class ConnectionDropped(ConnectionResetError):
    """A sandbox fault dropped the connection (raised where no transport can be aborted)."""


class SandboxStarlette(Starlette):
    """Starlette that keeps the server's own ``send`` in the scope (see module docstring)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope[RAW_SEND] = send
        await super().__call__(scope, receive, send)


def drop(scope: Scope) -> None:
    """Abort the request's connection without an answer."""
    raw = scope.get(RAW_SEND)
    cycle: Any = getattr(raw, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if cycle is None or transport is None or not hasattr(transport, "abort"):
        raise ConnectionDropped("sandbox fault: the connection was dropped")
    transport.abort()
    # uvicorn's request cycle: nothing more is to be sent on this connection (no 500).
    if hasattr(cycle, "disconnected"):
        cycle.disconnected = True


async def _answer(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _faults_of(scope: Scope, book: FaultBook) -> FaultState | None:
    context: Context | None = getattr(scope["app"].state, "context", None)
    if context is None:
        return None
    headers: dict[bytes, str] = {}
    for name, value in scope["headers"]:
        if name.startswith(b"kalshi-access-") and name not in headers:
            headers[name] = value.decode("latin-1")
    key_id = headers.get(b"kalshi-access-key")
    entry = context.keys.get(key_id) if key_id else None
    if entry is None:
        return None
    state = book.lookup(entry[0].api_key_id, entry[0].user_id)
    if state is None:
        return None
    # The server's one verification (AuthGuard): its outcome stays in the scope, so the
    # route and the rate limiter reuse it, and a signed write is spent once, not twice.
    if context.auth.identify(scope) is None:
        return None  # the route answers 401; a forged key id meets no faults
    return state


class FaultMiddleware:
    """Applies the faults of the signing key (see the module docstring)."""

    def __init__(self, app: ASGIApp, book: FaultBook) -> None:
        self.app = app
        self.book = book

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.book.empty:
            await self.app(scope, receive, send)
            return
        raw: bytes = scope.get("raw_path") or scope["path"].encode()
        path = raw.decode("latin-1").split("?", 1)[0]
        state = _faults_of(scope, self.book) if path.startswith(API_PREFIX) else None
        if state is None:
            await self.app(scope, receive, send)
            return
        if await self._maintenance(scope, send, state, path):
            return
        latency_ms = state.draw_rest_latency_ms()
        if latency_ms:
            state.count("latency")
            await self.book.sleep(latency_ms / 1000)
        kind = state.draw_error()
        if kind is None:
            await self.app(scope, receive, send)
            return
        state.count(kind)
        await self._error(kind, scope, receive, send, state)

    async def _maintenance(self, scope: Scope, send: Send, state: FaultState, path: str) -> bool:
        window = state.config.maintenance
        context: Context = scope["app"].state.context
        if window is None or not window.active(context.clock.now_ns()):
            return False
        resume = rfc3339_from_ns(window.end_s * 1_000_000_000) if window.end_s else None
        if path == _STATUS_PATH:
            body = encode(
                ExchangeStatus(
                    exchange_active=False,
                    trading_active=False,
                    exchange_estimated_resume_time=resume,
                )
            )
        elif scope["method"] in _READS:
            return False
        else:
            until = f" until {resume}" if resume else ""
            body = encode(
                error_envelope(
                    "service_unavailable",
                    "service_unavailable",
                    f"sandbox maintenance window for this API key{until}",
                )
            )
        state.count("maintenance")
        await _answer(send, 503, body, [])
        return True

    async def _error(
        self, kind: str, scope: Scope, receive: Receive, send: Send, state: FaultState
    ) -> None:
        if kind == "429":
            retry = str(state.config.retry_after_s).encode()
            await _answer(send, 429, _TOO_MANY, [(b"retry-after", retry)])
        elif kind == "500":
            body = encode(
                error_envelope("internal_server_error", "internal server error", "sandbox fault")
            )
            await _answer(send, 500, body, [])
        elif kind == "503":
            body = encode(
                error_envelope("service_unavailable", "service_unavailable", "sandbox fault")
            )
            await _answer(send, 503, body, [])
        elif kind == "drop":
            drop(scope)
        else:  # applied_drop: handle the request in full, then lose the answer.
            lost: list[Any] = []

            async def swallow(message: Message) -> None:
                lost.append(message["type"])

            await self.app(scope, receive, swallow)
            drop(scope)
