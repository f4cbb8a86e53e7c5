"""The ``/trade-api/ws/v2`` endpoint: handshake authentication and the read loop.

Handshake (CONTRACT §8.1): the client signs ``timestamp + "GET" + "/trade-api/ws/v2"``
and sends the three ``KALSHI-ACCESS-*`` headers on the upgrade request, verified exactly
like REST (``augury.api.auth.authenticate`` over the raw path, with the server's key
ring). A connection without any of the headers is accepted as anonymous and may use the
public channels only (code 9 for the others); headers that do not verify refuse the
upgrade with HTTP 401 and the nested JSON error body REST uses.

After the upgrade the endpoint only reads: each text frame is one command for the
connection's :class:`~augury.api.ws.session.Session`, which answers through the
connection's buffer. The connection's writer task sends; the hub fans events in.
"""

from __future__ import annotations

import asyncio

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from augury.api.auth import (
    HEADER_KEY,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    ApiKeyRecord,
    AuthError,
    authenticate,
    has_scope,
)
from augury.api.context import Context, json_response
from augury.api.errors import ApiError
from augury.api.schemas.errors import error_envelope
from augury.api.ws.connection import Connection
from augury.api.ws.hub import Hub
from augury.api.ws.session import Session
from augury.api.ws.transport import sender_for

__all__ = ["WS_PATH", "handshake_principal", "routes", "websocket_endpoint"]

WS_PATH = "/trade-api/ws/v2"


def handshake_principal(context: Context, websocket: WebSocket) -> ApiKeyRecord | None:
    """Authenticate the upgrade request; None when it carries no credentials at all."""
    headers = websocket.headers
    key_id = headers.get(HEADER_KEY)
    timestamp = headers.get(HEADER_TIMESTAMP)
    signature = headers.get(HEADER_SIGNATURE)
    if key_id is None and timestamp is None and signature is None:
        return None
    raw_path = websocket.scope.get("raw_path") or websocket.scope["path"].encode()
    path = raw_path.decode("latin-1").split("?", 1)[0]
    try:
        record = authenticate(
            context.keys,
            key_id=key_id,
            timestamp=timestamp,
            signature_b64=signature,
            method="GET",
            path=path,
            now_ms=context.clock.now_ns() // 1_000_000,
            window_ms=context.settings.auth_window_ms,
            allow_pkcs1v15=context.settings.legacy_pkcs1v15,
        )
    except AuthError as error:
        raise ApiError(error.status, error.code, error.message, error.details) from None
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
    try:
        record = handshake_principal(context, websocket)
    except ApiError as error:
        await _deny(websocket, error)
        return
    await websocket.accept()
    conn = Connection(
        sender_for(websocket),
        user_id=record.user_id if record is not None else None,
        subaccount=record.subaccount if record is not None else None,
        limit_bytes=hub.buffer_bytes,
        on_dirty=hub.mark_dirty,
        on_drop=hub.disconnect,
    )
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
