"""Helpers for the WebSocket tests: async REST calls, a recording WS client, book mirrors.

Everything here talks to the real server over sockets. ``WsClient`` keeps every message
it receives; ``barrier()`` sends ``list_subscriptions`` and returns what arrived before
its reply, which is a reliable "caught up" point: the server answers commands in order
with the data it has already queued for the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from augury.api.auth import signing_headers
from augury.domain.units import ONE_DOLLAR_CC, count_c_from_str, dollars_cc_from_str
from tests.e2e.server_harness import CATALOG, Server

WS_PATH = "/trade-api/ws/v2"
_names = itertools.count(1)


@contextlib.contextmanager
def catalog_server(data: Path) -> Iterator[Server]:
    """A running server on ``data`` (rate limits off, the test catalog loaded), closed after."""
    server = Server(data, extra=["--rate-limits", "off"])
    server.start()
    try:
        server.admin("POST", "/catalog", CATALOG)
        yield server
    finally:
        server.close()


@dataclass(frozen=True)
class User:
    name: str
    key_id: str
    pem: str


class Api:
    """Signed REST calls on the real server, without blocking the event loop."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.http = httpx.AsyncClient(base_url=server.url, timeout=30)

    async def close(self) -> None:
        await self.http.aclose()

    async def signed(
        self, method: str, path: str, key_id: str, pem: str, body: Any = None
    ) -> httpx.Response:
        headers = signing_headers(pem, key_id, method, path, int(time.time() * 1000))
        return await self.http.request(method, path, json=body, headers=headers)

    async def admin(self, method: str, path: str, body: Any = None) -> Any:
        data = self.server.data
        key_id = (data / "operator_key_id").read_text().strip()
        pem = (data / "operator_key.pem").read_text()
        response = await self.signed(method, f"/admin/v1{path}", key_id, pem, body)
        assert response.status_code < 400, response.text
        return response.json()

    async def user(self, prefix: str, dollars: str = "100000") -> User:
        name = f"{prefix}{next(_names)}"
        await self.admin("POST", "/users", {"name": name, "deposit": dollars})
        key = await self.admin("POST", "/keys/generate", {"user": name, "type": "ed25519"})
        return User(name, key["api_key_id"], key["private_key"])

    async def call(self, user: User, method: str, path: str, body: Any = None) -> httpx.Response:
        return await self.signed(method, f"/trade-api/v2{path}", user.key_id, user.pem, body)

    async def order(
        self, user: User, ticker: str, side: str, price: str, count: str, **extra: Any
    ) -> httpx.Response:
        body = {
            "ticker": ticker,
            "side": side,
            "price": price,
            "count": count,
            "time_in_force": "good_till_canceled",
            "self_trade_prevention_type": "taker_at_cross",
            **extra,
        }
        return await self.call(user, "POST", "/portfolio/events/orders", body)

    async def book(self, ticker: str) -> tuple[list[list[str]], list[list[str]]]:
        response = await self.http.get(f"/trade-api/v2/markets/{ticker}/orderbook")
        assert response.status_code == 200, response.text
        book = response.json()["orderbook_fp"]
        return book["yes_dollars"], book["no_dollars"]

    async def markets(self, prefix: str, count: int) -> list[str]:
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
        await self.admin("POST", "/catalog", catalog)
        return tickers


@dataclass
class WsClient:
    """A WebSocket client that records every message it receives."""

    ws: ClientConnection
    log: list[dict[str, Any]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @classmethod
    async def open(cls, server: Server, user: User | None = None, **kw: Any) -> WsClient:
        headers = {}
        if user is not None:
            headers = signing_headers(
                user.pem, user.key_id, "GET", WS_PATH, int(time.time() * 1000)
            )
        ws = await connect(
            f"ws://127.0.0.1:{server.port}{WS_PATH}",
            additional_headers=headers,
            proxy=None,
            max_size=None,
            **kw,
        )
        return cls(ws)

    async def close(self) -> None:
        await self.ws.close()

    def next_id(self) -> int:
        return next(self._ids)

    async def send(self, cmd: str, params: dict[str, Any] | None = None, **kw: Any) -> int:
        cmd_id = kw.pop("cmd_id", None) or self.next_id()
        body: dict[str, Any] = {"id": cmd_id, "cmd": cmd}
        if params is not None:
            body["params"] = params
        await self.ws.send(json.dumps(body))
        return cmd_id

    async def recv(self, limit_s: float = 15) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), limit_s))
        self.log.append(message)
        return message

    async def until(self, cmd_id: int, reply_type: str | None = None) -> list[dict[str, Any]]:
        """Receive until a message with ``id == cmd_id`` (and the type); return all."""
        got = []
        while True:
            message = await self.recv()
            got.append(message)
            if message.get("id") == cmd_id and reply_type in (None, message.get("type")):
                return got

    async def barrier(self) -> list[dict[str, Any]]:
        """Return every message that arrived before a fresh list_subscriptions reply."""
        cmd_id = await self.send("list_subscriptions")
        got = await self.until(cmd_id, "ok")
        return got[:-1]

    async def command(self, cmd: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Send a command and return everything up to a barrier after it."""
        await self.send(cmd, params)
        return await self.barrier()

    async def error(self, cmd: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send a command expected to fail; return its error ``msg``."""
        cmd_id = await self.send(cmd, params)
        replies = await self.until(cmd_id)
        assert replies[-1]["type"] == "error", replies
        msg: dict[str, Any] = replies[-1]["msg"]
        return msg


def data_messages(log: list[dict[str, Any]], sid: int) -> list[dict[str, Any]]:
    return [m for m in log if m.get("sid") == sid and "msg" in m and m["type"] != "ok"]


class BookMirror:
    """An order book rebuilt from ``orderbook_snapshot`` + ``orderbook_delta`` messages."""

    def __init__(self) -> None:
        self.sides: dict[str, dict[int, int]] = {"yes": {}, "no": {}}

    def snapshot(self, msg: dict[str, Any]) -> None:
        self.sides = {"yes": {}, "no": {}}
        for side in ("yes", "no"):
            levels = msg.get(f"{side}_dollars_fp")
            assert levels != [], "an empty side must be omitted, not sent as []"
            prices = [dollars_cc_from_str(p) for p, _ in levels or []]
            assert prices == sorted(prices), "levels must be ascending"
            for price, count in levels or []:
                self.sides[side][dollars_cc_from_str(price)] = count_c_from_str(count)

    def delta(self, msg: dict[str, Any]) -> None:
        side = self.sides[msg["side"]]
        price = dollars_cc_from_str(msg["price_dollars"])
        size = side.get(price, 0) + count_c_from_str(msg["delta_fp"])
        assert size >= 0, f"level went negative: {msg}"
        if size:
            side[price] = size
        else:
            side.pop(price, None)

    def as_rest(self, use_yes_price: bool) -> tuple[list[list[str]], list[list[str]]]:
        """Render as the REST book (NO side on the NO leg), ascending."""
        from augury.domain.units import count_c_to_str, dollars_cc_to_str

        def render(levels: dict[int, int]) -> list[list[str]]:
            return [[dollars_cc_to_str(p), count_c_to_str(s)] for p, s in sorted(levels.items())]

        no = self.sides["no"]
        if use_yes_price:
            no = {ONE_DOLLAR_CC - p: s for p, s in no.items()}
        return render(self.sides["yes"]), render(no)


def rebuild(
    log: list[dict[str, Any]], sid: int, *, check_seq: bool = True
) -> dict[str, BookMirror]:
    """Replay one orderbook sid's messages into mirrors; assert seq has no gap."""
    books: dict[str, BookMirror] = {}
    last = 0
    for message in data_messages(log, sid):
        if check_seq:
            assert message["seq"] == last + 1, f"seq gap on sid {sid}: {last} -> {message}"
            last = message["seq"]
        msg = message["msg"]
        ticker = msg["market_ticker"]
        if message["type"] == "orderbook_snapshot":
            books.setdefault(ticker, BookMirror()).snapshot(msg)
        else:
            assert message["type"] == "orderbook_delta", message
            books[ticker].delta(msg)
    return books
