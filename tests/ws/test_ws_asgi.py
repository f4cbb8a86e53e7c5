"""The WebSocket endpoint under a plain ASGI server (Starlette's TestClient).

Without ``AuguryWebSocketProtocol`` the endpoint falls back to awaited ASGI sends
(``AsgiSender``); the protocol and the feed must behave the same.

This file stays on Starlette's ``TestClient`` on purpose (decision 0030): every other
in-process WebSocket test drives the app through ``tests.inprocess.InProcessWebSocket``,
our own ASGI message loop, so this one runs the same feed, handshake and denial through a
second, independent ASGI client. A mistake in our harness's scope or message handling
that hid an endpoint bug would show here.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect

from tests.e2e.server_harness import CATALOG

with warnings.catch_warnings():
    # Starlette 1.x prefers the httpx2 package for its test client; httpx works the same.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from augury.api.app import OPERATOR_KEY_FILE, OPERATOR_KEY_ID_FILE, create_app
from augury.api.auth import signing_headers
from augury.api.settings import Settings

WS = "/trade-api/ws/v2"


def _headers(key_id: str, pem: str, method: str, path: str) -> dict[str, str]:
    return signing_headers(pem, key_id, method, path, int(time.time() * 1000))


def test_feed_over_plain_asgi(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with TestClient(create_app(Settings(data_dir=data, rate_limits=False))) as http:
        op = (
            (data / OPERATOR_KEY_ID_FILE).read_text().strip(),
            (data / OPERATOR_KEY_FILE).read_text(),
        )

        def admin(path: str, body: Any) -> Any:
            full = f"/admin/v1{path}"
            response = http.post(full, json=body, headers=_headers(*op, "POST", full))
            assert response.status_code < 300, response.text
            return response.json()

        admin("/catalog", CATALOG)
        admin("/users", {"name": "asgi", "deposit": "1000"})
        key = admin("/keys/generate", {"user": "asgi", "type": "ed25519"})
        user = (key["api_key_id"], key["private_key"])
        ticker = "KXTEST-26DEC-T1"
        with http.websocket_connect(WS, headers=_headers(*user, "GET", WS)) as ws:
            ws.send_json(
                {
                    "id": 1,
                    "cmd": "subscribe",
                    "params": {"channels": ["orderbook_delta"], "market_ticker": ticker},
                }
            )
            assert ws.receive_json() == {
                "id": 1,
                "type": "subscribed",
                "msg": {"channel": "orderbook_delta", "sid": 1},
            }
            assert ws.receive_json()["type"] == "orderbook_snapshot"
            path = "/trade-api/v2/portfolio/events/orders"
            body = {
                "ticker": ticker,
                "side": "bid",
                "price": "0.30",
                "count": "2",
                "time_in_force": "good_till_canceled",
                "self_trade_prevention_type": "taker_at_cross",
            }
            assert (
                http.post(path, json=body, headers=_headers(*user, "POST", path)).status_code == 201
            )
            delta = ws.receive_json()
            assert delta["type"] == "orderbook_delta"
            assert delta["seq"] == 2
            assert (delta["msg"]["price_dollars"], delta["msg"]["delta_fp"]) == ("0.3000", "2.00")
        # A bad signature is refused at the handshake with a 401 and the nested error body.
        bad = {**_headers(*user, "GET", WS), "KALSHI-ACCESS-SIGNATURE": "AAAA"}
        with pytest.raises(WebSocketDisconnect), http.websocket_connect(WS, headers=bad):
            pass
