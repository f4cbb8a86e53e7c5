"""The WebSocket handshake and transport against the real server (real sockets).

The upgrade's authentication answers with an HTTP 401 body through uvicorn's denial
response, and no compression is negotiated. The command protocol itself (replies,
idempotency, every error code) is tested in-process in ``test_ws_commands.py``.
"""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from augury.api.auth import signing_headers
from tests.e2e.server_harness import Server
from tests.ws.ws_helpers import WS_PATH, Api, WsClient

# A real server in a subprocess, over real sockets (tests.e2e.server_harness).
pytestmark = pytest.mark.process

M1 = "KXTEST-26DEC-T1"


async def _no_compression(server: Server) -> None:
    api = Api(server)
    user = await api.user("nc")
    await api.close()
    c = await WsClient.open(server, user)
    # No compression was negotiated even though the client offered permessage-deflate.
    assert c.ws.protocol.extensions == []
    got = await c.command("subscribe", {"channels": ["ticker"], "market_ticker": M1})
    assert got[0] == {"id": 1, "type": "subscribed", "msg": {"channel": "ticker", "sid": 1}}
    await c.close()


def test_no_compression_is_negotiated(ws_server: Server) -> None:
    asyncio.run(_no_compression(ws_server))


async def _handshake(server: Server) -> None:
    api = Api(server)
    user = await api.user("hs")
    await api.close()
    url = f"ws://127.0.0.1:{server.port}{WS_PATH}"
    now = int(time.time() * 1000)
    good = signing_headers(user.pem, user.key_id, "GET", WS_PATH, now)
    cases = {
        "INCORRECT_API_KEY_SIGNATURE": {**good, "KALSHI-ACCESS-SIGNATURE": "AAAA"},
        "wrong path": signing_headers(user.pem, user.key_id, "GET", "/trade-api/v2", now),
        "stale": signing_headers(user.pem, user.key_id, "GET", WS_PATH, now - 120_000),
    }
    for name, headers in cases.items():
        with pytest.raises(InvalidStatus) as caught:
            async with connect(url, additional_headers=headers, proxy=None):
                pass
        response = caught.value.response
        assert response.status_code == 401, name
        body = json.loads(bytes(response.body))
        assert set(body["error"]) >= {"code", "message"}, name
    assert json.loads(bytes(response.body))["error"]["code"] == "header_timestamp_expired"
    async with connect(url, additional_headers=good, proxy=None) as ws:
        await ws.send(json.dumps({"id": 1, "cmd": "list_subscriptions"}))
        assert json.loads(await ws.recv()) == {"id": 1, "type": "ok", "msg": []}


def test_handshake_auth(ws_server: Server) -> None:
    asyncio.run(_handshake(ws_server))
