"""The REST calls the in-process WebSocket tests make (``tests.inprocess``), synchronously.

The same vocabulary as ``tests.ws.ws_helpers.Api`` (which talks to a real server over a
socket): fresh users with an Ed25519 key, orders, signed calls, operator calls, and fresh
markets under the test catalog's ``KXTEST`` series.
"""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from tests.inprocess import V2, InProcessExchange
from tests.ws.ws_helpers import User

__all__ = ["Api"]

_names = itertools.count(1)


class Api:
    """Signed REST calls on an in-process exchange."""

    def __init__(self, server: InProcessExchange) -> None:
        self.server = server

    def user(self, prefix: str, dollars: str = "100000") -> User:
        name = f"{prefix}{next(_names)}"
        key = self.server.user(name, dollars, key_type="ed25519")
        return User(name, key.key_id, key.pem)

    def order(
        self, user: User, ticker: str, side: str, price: str, count: str, **extra: Any
    ) -> httpx.Response:
        """Place a V2 order (good till cancelled unless ``time_in_force`` says otherwise)."""
        tif = extra.pop("time_in_force", "good_till_canceled")
        return self.server.order(user, ticker, side, price, count, tif, **extra)

    def call(self, user: User, method: str, path: str, body: Any = None) -> httpx.Response:
        return self.server.call(method, f"{V2}{path}", user, body)

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        return self.server.admin(method, path, body)

    def book(self, ticker: str) -> tuple[list[list[str]], list[list[str]]]:
        response = self.server.call("GET", f"{V2}/markets/{ticker}/orderbook")
        assert response.status_code == 200, response.text
        book = response.json()["orderbook_fp"]
        return book["yes_dollars"], book["no_dollars"]

    def markets(self, prefix: str, count: int) -> list[str]:
        """Create an event with ``count`` fresh markets; return their tickers."""
        event = f"{prefix}-EV"
        tickers = [f"{prefix}-M{i}" for i in range(count)]
        catalog = {
            "events": [{"event_ticker": event, "series_ticker": "KXTEST", "title": prefix}],
            "markets": [
                {
                    "ticker": t,
                    "event_ticker": event,
                    "title": t,
                    "open_time": "2026-01-01T00:00:00Z",
                    "close_time": "2030-01-01T00:00:00Z",
                }
                for t in tickers
            ],
        }
        self.admin("POST", "/catalog", catalog)
        return tickers
