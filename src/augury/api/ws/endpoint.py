"""The ``/trade-api/ws/v2`` endpoint: handshake authentication and the read loop.

Handshake (CONTRACT §8.1): the client signs ``timestamp + "GET" + "/trade-api/ws/v2"``
and sends the three ``KALSHI-ACCESS-*`` headers on the upgrade request, verified exactly
like REST by the server's ``AuthGuard`` (over the raw path, with the server's key ring),
which also refuses a handshake whose signature was already used (401
``header_signature_replayed``) and throttles failures (429). A connection without any of
the headers is accepted as anonymous and may use the public channels only (code 9 for the
others); headers that do not verify refuse the upgrade with the HTTP status and the
nested JSON error body REST uses. One source address may hold at most
``ServerLimits.ws_anonymous_per_address`` anonymous connections, and all addresses
together ``ws_anonymous_max`` (429 past either), so anonymous streams can never fill the
server's connection cap.
Revoking the key a connection signed with closes it (``Hub``).

After the upgrade the endpoint only reads: each text frame is one command for the
connection's :class:`~augury.api.ws.session.Session`, which answers through the
connection's buffer. The connection's writer task sends; the hub fans events in.
"""

from __future__ import annotations

import asyncio

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from augury.api.auth import ApiKeyRecord, has_scope
from augury.api.auth_guard import address_of
from augury.api.context import Context, json_response
from augury.api.errors import ApiError
from augury.api.sandbox.ws import connection_for
from augury.api.schemas.errors import error_envelope
from augury.api.ws.hub import Hub
from augury.api.ws.session import Session
from augury.api.ws.transport import sender_for

__all__ = ["WS_PATH", "handshake_principal", "routes", "websocket_endpoint"]

WS_PATH = "/trade-api/ws/v2"


def handshake_principal(context: Context, websocket: WebSocket) -> ApiKeyRecord | None:
    """Authenticate the upgrade request; None when it carries no credentials at all."""
    guard = context.auth
    if not guard.is_signed(websocket.scope):
        return None
    record = guard.authenticate(websocket.scope)
    if record.user_id in context.blocked_users:
        raise ApiError(403, "account_suspended", "this account is suspended")
    if not has_scope(record, "read"):
        raise ApiError(403, "forbidden", "this API key lacks the read scope")
    return record


async def _deny(websocket: WebSocket, error: ApiError) -> None:
    body = error_envelope(error.code, error.message, error.details)
    try:
        await websocket.send_denial_response(json_response(body, error.status))
    except RuntimeError:  # the server lacks the denial-response extension
        await websocket.close(code=1008)


async def websocket_endpoint(websocket: WebSocket) -> None:
    """Serve one WebSocket connection until the peer leaves or is dropped."""
    context: Context = websocket.app.state.context
    hub: Hub = websocket.app.state.ws_hub
    address = address_of(websocket.scope)
    try:
        record = handshake_principal(context, websocket)
        limits = context.settings.limits
        if record is None:
            per_address = limits.ws_anonymous_per_address
            if hub.anonymous_count(address) >= per_address:
                raise ApiError(
                    429,
                    "too_many_connections",
                    f"at most {per_address} unauthenticated connections per address",
                )
            if hub.anonymous_count() >= limits.ws_anonymous_max:
                raise ApiError(429, "too_many_connections", "too many unauthenticated connections")
    except ApiError as error:
        await _deny(websocket, error)
        return
    await websocket.accept()
    # A key with sandbox WebSocket faults gets a connection that applies them.
    sender = sender_for(websocket)
    conn = connection_for(
        websocket,
        record,
        sender,
        user_id=record.user_id if record is not None else None,
        subaccount=record.subaccount if record is not None else None,
        limit_bytes=hub.buffer_bytes,
        on_dirty=hub.mark_dirty,
        on_drop=hub.disconnect,
        api_key_id=record.api_key_id if record is not None else None,
        address=address,
    )
    sender.attach(conn)
    hub.connect(conn)
    conn.start()
    session = Session(hub, conn, asyncio.get_running_loop().time)
    try:
        while not conn.closed:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            text = message.get("text")
            session.handle(text if text is not None else message.get("bytes") or b"")
    finally:
        hub.disconnect(conn)
        await conn.close()


routes = [WebSocketRoute(WS_PATH, websocket_endpoint)]
