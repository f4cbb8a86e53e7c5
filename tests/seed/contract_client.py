"""A client of the seed integration API written from its contract (docs/seed-api.md) alone.

It imports nothing from Augury: it knows a base URL, a ``pred_`` token, the paths, the
JSON shapes and the error codes the contract lists, as a third-party integrator would.
Numbers are parsed exactly (``Decimal``), never as floats.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

import httpx
from websockets.sync.client import ClientConnection, connect

__all__ = ["ContractError", "SeedClient", "SeedSocket"]

ERROR_CODES = frozenset(
    {
        "INVALID_ORDER",
        "INSUFFICIENT_BALANCE",
        "MARKET_NOT_FOUND",
        "ORDER_NOT_FOUND",
        "RATE_LIMIT_EXCEEDED",
        "MARKET_CLOSED",
        "INVALID_API_KEY",
        # The contract's additions where none of the seven applies.
        "INVALID_REQUEST",
        "ACCOUNT_NOT_FOUND",
        "FORBIDDEN",
        "SERVICE_UNAVAILABLE",
        "INTERNAL_ERROR",
    }
)


def loads(text: str | bytes) -> Any:
    return json.loads(text, parse_float=Decimal)


@dataclass
class ContractError(Exception):
    """A refusal: the HTTP status and the contract's error object."""

    status: int
    code: str
    message: str
    details: dict[str, Any]
    retry_after: int | None
    retry_after_header: str | None


class SeedClient:
    """REST: one method per endpoint of the contract."""

    def __init__(self, base_url: str, token: str | None, http: httpx.Client | None = None) -> None:
        self.base = base_url.rstrip("/") + "/seed/v1"
        self.headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        self.http = http if http is not None else httpx.Client(timeout=30)

    def close(self) -> None:
        self.http.close()

    def _call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        query = {k: v for k, v in params.items() if v is not None}
        content = None if body is None else json.dumps(body, default=str).encode()
        headers = dict(self.headers)
        if content is not None:
            headers["Content-Type"] = "application/json"
        response = self.http.request(
            method, self.base + path, content=content, params=query, headers=headers
        )
        data = loads(response.text)
        if response.status_code >= 400:
            error = data["error"]
            assert set(error) >= {"code", "message", "details"}, data
            assert error["code"] in ERROR_CODES, error["code"]
            raise ContractError(
                response.status_code,
                error["code"],
                error["message"],
                error["details"],
                error.get("retry_after"),
                response.headers.get("Retry-After"),
            )
        return data

    def account(self, account_id: str) -> dict[str, Any]:
        return cast(dict[str, Any], self._call("GET", f"/accounts/{account_id}")["account"])

    def positions(self, account_id: str) -> list[dict[str, Any]]:
        return cast(
            list[dict[str, Any]],
            self._call("GET", f"/accounts/{account_id}/positions")["positions"],
        )

    def markets(
        self, status: str | None = None, limit: int | None = None, offset: int | None = None
    ) -> dict[str, Any]:
        found = self._call("GET", "/markets", status=status, limit=limit, offset=offset)
        return cast(dict[str, Any], found)

    def market(self, ticker: str) -> dict[str, Any]:
        return cast(dict[str, Any], self._call("GET", f"/markets/{ticker}")["market"])

    def place(
        self,
        ticker: str,
        side: str,
        size: Any,
        price: Any,
        client_order_id: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        body = {
            "ticker": ticker,
            "side": side,
            "type": "limit",
            "size": size,
            "price": price,
            "time_in_force": "gtc",
            **extra,
        }
        if client_order_id is not None:
            body["client_order_id"] = client_order_id
        return cast(dict[str, Any], self._call("POST", "/orders", body)["order"])

    def raw_order(self, body: Any) -> dict[str, Any]:
        return cast(dict[str, Any], self._call("POST", "/orders", body)["order"])

    def cancel(self, order_id: str) -> dict[str, Any]:
        return cast(dict[str, Any], self._call("DELETE", f"/orders/{order_id}")["order"])

    def order(self, order_id: str) -> dict[str, Any]:
        return cast(dict[str, Any], self._call("GET", f"/orders/{order_id}"))

    def fills(
        self, ticker: str | None = None, limit: int | None = None, offset: int | None = None
    ) -> list[dict[str, Any]]:
        found = self._call("GET", "/fills", ticker=ticker, limit=limit, offset=offset)
        return cast(list[dict[str, Any]], found["fills"])


class SeedSocket:
    """The contract's WebSocket: auth, subscribe, and reading typed messages."""

    def __init__(self, base_url: str) -> None:
        self.url = base_url.replace("http://", "ws://").rstrip("/") + "/seed/v1/ws"
        self._connect = connect(self.url, open_timeout=30)
        self.ws: ClientConnection = self._connect.__enter__()

    def __enter__(self) -> SeedSocket:
        return self

    def __exit__(self, *exc: object) -> None:
        self._connect.__exit__(None, None, None)

    def send(self, message: dict[str, Any]) -> None:
        self.ws.send(json.dumps(message))

    def recv(self, timeout: float = 20) -> dict[str, Any]:
        data: dict[str, Any] = loads(self.ws.recv(timeout=timeout))
        return data

    def auth(self, token: str) -> dict[str, Any]:
        self.send({"type": "auth", "api_key": token})
        return self.recv()

    def subscribe(self, channel: str, ticker: str | None = None) -> dict[str, Any]:
        message: dict[str, Any] = {"type": "subscribe", "channel": channel}
        if ticker is not None:
            message["ticker"] = ticker
        self.send(message)
        return self.recv()

    def collect(self, wanted: dict[str, Any], timeout: float = 20) -> dict[str, dict[str, Any]]:
        """Read until, for every message type in ``wanted``, one its check accepts arrived."""
        found: dict[str, dict[str, Any]] = {}
        while len(found) < len(wanted):
            message = self.recv(timeout)
            kind = message["type"]
            if kind in wanted and kind not in found and wanted[kind](message):
                found[kind] = message
        return found

    def until(self, kind: str, check: Any = None, timeout: float = 20) -> dict[str, Any]:
        """Read until a message of ``kind`` (that ``check`` accepts) arrives."""
        while True:
            message = self.recv(timeout)
            if message["type"] == kind and (check is None or check(message)):
                return message
