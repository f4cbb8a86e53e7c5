"""The seed API's REST endpoints and their pipeline (docs/seed-api.md).

Every request: match the route (unknown paths 404, other methods 405), resolve the bearer
token (a ``pred_`` platform token of an active account; anything else is 401
``INVALID_API_KEY``, counted against the client address's window), count it in the
account's windows (market data, requests, orders: all or none, so a refused request is
never counted), then run the handler. Handlers only read (engine memory on the event loop,
history after ``drain``) or submit one engine command through the sequencer; an engine
refusal changes nothing and maps to one contract code.

Cross-account: an ``account_id`` or ``order_id`` that is not the caller's answers exactly
like an unknown one.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import compile_path

from augury.api.context import Context
from augury.domain import limits as lim
from augury.domain.rejects import Reject, RejectReason
from augury.domain.units import C_PER_CONTRACT, CC_PER_DOLLAR
from augury.engine import commands as c
from augury.engine.events import OrderUpdate
from augury.platform import credentials
from augury.platform.http import client_address
from augury.seed import wire
from augury.seed.limits import Windows, retry_after_s
from augury.seed.settings import SeedSettings
from augury.seed.wire import SeedError
from augury.store.history_read import HistoryReader
from augury.store.records import FillRecord

if TYPE_CHECKING:
    from augury.platform.service import Platform

__all__ = ["Caller", "SeedRest", "authenticate_token", "order_command"]

log = logging.getLogger(__name__)

_MINUTE_NS = 60 * 1_000_000_000
_INTEGER = re.compile(r"[0-9]{1,9}", re.ASCII)
_STATUSES = ("active", "closed", "settled")

Handler = Callable[["Call"], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated seed client: its account and its token's scopes."""

    account_id: str
    scopes: tuple[str, ...]


@dataclass(slots=True)
class Call:
    """One request on its way through a handler."""

    request: Request
    context: Context
    platform: Platform
    caller: Caller
    params: dict[str, str]
    settings: SeedSettings


async def authenticate_token(platform: Platform, token: object) -> Caller:
    """Return the caller a ``pred_`` token belongs to, or refuse it (401)."""
    if not isinstance(token, str) or not credentials.TOKEN_PATTERN.match(token):
        raise SeedError(401, "INVALID_API_KEY", "send 'Authorization: Bearer pred_...'")
    found = await platform.db.read(lambda tx: credentials.token_account(tx, token))
    if found is None:
        raise SeedError(401, "INVALID_API_KEY", "unknown or revoked API key")
    account, record = found
    if not account.active:
        raise SeedError(401, "INVALID_API_KEY", "this account is suspended")
    return Caller(account.user_id, record.scopes)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


# --- parameters -------------------------------------------------------------------------


def _query_int(call: Call, name: str, default: int, low: int, high: int) -> int:
    raw = call.request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not _INTEGER.fullmatch(raw) or not low <= int(raw) <= high:
        raise SeedError(
            400,
            "INVALID_REQUEST",
            f"{name} must be a whole number from {low} to {high}",
            {"field": name},
        )
    return int(raw)


def _ticker(value: object, field: str = "ticker") -> str:
    if not isinstance(value, str) or not lim.ticker_ok(value):
        raise SeedError(400, "INVALID_ORDER", f"{field} must be a market ticker", {"field": field})
    return value


def _fixed(value: Decimal | None, field: str, scale: int, what: str, high: int) -> int:
    """An exact decimal times ``scale`` as an integer in ``1..high``, else 400.

    The range is checked on the ``Decimal`` before any ``int`` is made, so ``1e999999``
    never becomes a million-digit integer.
    """
    if value is None or not value.is_finite():
        raise SeedError(400, "INVALID_ORDER", f"{field} must be {what}", {"field": field})
    exact = value * scale
    if exact != exact.to_integral_value():
        raise SeedError(400, "INVALID_ORDER", f"{field} must be {what}", {"field": field})
    if not 0 < exact <= high:
        raise SeedError(400, "INVALID_ORDER", f"{field} must be {what}", {"field": field})
    return int(exact)


class OrderBody(msgspec.Struct, kw_only=True):
    """``POST /orders``; prices and sizes stay exact (numbers decode into ``Decimal``)."""

    ticker: object = None
    side: object = None
    type: object = None
    size: Decimal | None = None
    price: Decimal | None = None
    time_in_force: object = None
    client_order_id: object = None


def order_command(account_id: str, body: OrderBody) -> c.PlaceOrder:
    """Validate an order body and return its engine command (400 ``INVALID_ORDER``)."""
    ticker = _ticker(body.ticker)
    if body.side not in ("buy", "sell"):
        raise SeedError(400, "INVALID_ORDER", "side must be buy or sell", {"field": "side"})
    if body.type != "limit":
        raise SeedError(400, "INVALID_ORDER", "type must be limit", {"field": "type"})
    if body.time_in_force != "gtc":
        raise SeedError(
            400, "INVALID_ORDER", "time_in_force must be gtc", {"field": "time_in_force"}
        )
    price_cc = _fixed(
        body.price, "price", CC_PER_DOLLAR, "a price between 0 and 1", CC_PER_DOLLAR - 1
    )
    most = lim.COUNT_MAX_C // C_PER_CONTRACT
    size_c = _fixed(
        body.size,
        "size",
        C_PER_CONTRACT,
        f"a number of contracts from 0.01 to {most}",
        lim.COUNT_MAX_C,
    )
    client_order_id = body.client_order_id
    if client_order_id is not None and (
        not isinstance(client_order_id, str) or not lim.client_order_id_ok(client_order_id)
    ):
        raise SeedError(
            400,
            "INVALID_ORDER",
            "client_order_id must be 1 to 64 of A-Z a-z 0-9 _ - : + = /",
            {"field": "client_order_id"},
        )
    side: Literal["buy", "sell"] = "buy" if body.side == "buy" else "sell"
    return c.PlaceOrder(
        user_id=account_id,
        ticker=ticker,
        side="bid" if side == "buy" else "ask",
        price_cc=price_cc,
        count_c=size_c,
        time_in_force="good_till_canceled",
        client_order_id=client_order_id,
        legacy_side="yes",
        legacy_action=side,
    )


_CLOSED = frozenset(
    {
        RejectReason.EXCHANGE_PAUSED,
        RejectReason.MARKET_NOT_OPEN,
        RejectReason.TRADING_PAUSED,
        RejectReason.MARKET_CLOSED,
    }
)


def refusal(reject: Reject) -> SeedError:
    """Map an engine refusal to the contract's code and status."""
    reason = reject.reason
    if reason is RejectReason.INSUFFICIENT_BALANCE:
        return SeedError(400, "INSUFFICIENT_BALANCE", "insufficient balance for this order")
    if reason is RejectReason.MARKET_NOT_FOUND:
        return SeedError(404, "MARKET_NOT_FOUND", reject.message)
    if reason in (RejectReason.ORDER_NOT_FOUND, RejectReason.ORDER_NOT_RESTING):
        return SeedError(404, "ORDER_NOT_FOUND", "no such open order")
    if reason in _CLOSED:
        return SeedError(409, "MARKET_CLOSED", reject.message, {"reason": reason.value})
    if reason is RejectReason.COMMAND_FAILED:
        return SeedError(500, "INTERNAL_ERROR", "the exchange could not process this order")
    return SeedError(400, "INVALID_ORDER", reject.message, {"reason": reason.value.lower()})


# --- handlers ---------------------------------------------------------------------------


def _own_account(call: Call) -> str:
    account_id = call.params["account_id"]
    if account_id != call.caller.account_id:
        raise SeedError(404, "ACCOUNT_NOT_FOUND", "no such account")
    return account_id


async def get_account(call: Call) -> Response:
    account_id = _own_account(call)
    balance = call.platform.reads.balance(account_id)
    if balance is None:
        raise SeedError(404, "ACCOUNT_NOT_FOUND", "no such account")
    return wire.reply({"account": wire.account_object(account_id, balance)})


async def get_positions(call: Call) -> Response:
    account_id = _own_account(call)
    markets = call.context.exchange.markets
    positions = [
        wire.position_object(view, markets[view.ticker].status.value)
        for view in call.platform.reads.positions(account_id)
        if view.position_c != 0 and not view.settled and view.ticker in markets
    ]
    return wire.reply({"positions": positions})


def _market(call: Call, ticker: str) -> dict[str, Any]:
    view = call.platform.reads.market(ticker)
    if view is None:
        raise SeedError(404, "MARKET_NOT_FOUND", "no such market", {"ticker": ticker})
    return wire.market_object(view)


async def get_markets(call: Call) -> Response:
    status = call.request.query_params.get("status")
    if status is not None and status not in _STATUSES:
        raise SeedError(
            400, "INVALID_REQUEST", "status must be active, closed or settled", {"field": "status"}
        )
    limit = _query_int(call, "limit", call.settings.page_limit_max, 1, call.settings.page_limit_max)
    offset = _query_int(call, "offset", 0, 0, call.settings.markets_offset_max)
    exchange = call.context.exchange
    tickers = sorted(
        ticker
        for ticker, market in exchange.markets.items()
        if status is None or wire.market_status(market.status.value) == status
    )
    page = [_market(call, ticker) for ticker in tickers[offset : offset + limit]]
    return wire.reply({"markets": page, "limit": limit, "offset": offset, "total": len(tickers)})


async def get_market(call: Call) -> Response:
    return wire.reply({"market": _market(call, call.params["ticker"])})


def _needs_write(call: Call) -> None:
    if "write" not in call.caller.scopes:
        raise SeedError(403, "FORBIDDEN", "this API key is read-only; orders need read write")


async def create_order(call: Call) -> Response:
    _needs_write(call)
    raw = await _body(call)
    try:
        body = msgspec.json.decode(raw, type=OrderBody)
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError, RecursionError):
        raise SeedError(400, "INVALID_ORDER", "the body must be a JSON order object") from None
    command = order_command(call.caller.account_id, body)
    outcome = await call.context.runtime.sequencer.submit(command)
    if outcome.reject is not None:
        error = refusal(outcome.reject)
        if outcome.reject.reason is RejectReason.ORDER_ALREADY_EXISTS and command.client_order_id:
            existing = await call.platform.reads.order_for_client_id(
                call.caller.account_id, command.client_order_id
            )
            error = SeedError(
                400,
                "INVALID_ORDER",
                "client_order_id is already used by another order",
                {"reason": "duplicate_client_order_id", "order_id": existing},
            )
        raise error
    update = outcome.value
    assert isinstance(update, OrderUpdate)
    return wire.reply({"order": wire.order_object_from_update(update)}, 201)


async def _body(call: Call) -> bytes:
    limit = call.settings.body_max_bytes
    chunks: list[bytes] = []
    size = 0
    async for chunk in call.request.stream():
        size += len(chunk)
        if size > limit:
            raise SeedError(400, "INVALID_ORDER", f"the body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _own_order(call: Call) -> Any:
    order_id = call.params["order_id"]
    if not lim.id_ok(order_id):
        raise SeedError(404, "ORDER_NOT_FOUND", "no such order")
    order = await call.platform.reads.order(order_id)
    if order is None or order.user_id != call.caller.account_id or order.subaccount != 0:
        raise SeedError(404, "ORDER_NOT_FOUND", "no such order")
    return order


async def get_order(call: Call) -> Response:
    order = await _own_order(call)
    history = call.context.runtime.history
    fills, _ = await history.read(
        lambda r: r.fills(
            order.user_id,
            subaccount=0,
            order_id=order.order_id,
            limit=call.settings.order_fills_max,
        )
    )
    return wire.reply(
        {
            "order": wire.order_object(order, call.caller.account_id),
            "fills": [wire.fill_object(fill) for fill in reversed(fills)],
        }
    )


async def cancel_order(call: Call) -> Response:
    _needs_write(call)
    order_id = call.params["order_id"]
    if not lim.id_ok(order_id):
        raise SeedError(404, "ORDER_NOT_FOUND", "no such order")
    outcome = await call.context.runtime.sequencer.submit(
        c.CancelOrder(user_id=call.caller.account_id, order_id=order_id, subaccount=0)
    )
    if outcome.reject is not None:
        raise refusal(outcome.reject)
    update = outcome.value
    assert isinstance(update, OrderUpdate)
    return wire.reply({"order": wire.order_object_from_update(update)})


async def get_fills(call: Call) -> Response:
    ticker = call.request.query_params.get("ticker")
    if ticker is not None and not lim.ticker_ok(ticker):
        raise SeedError(400, "INVALID_REQUEST", "ticker must be a market ticker")
    limit = _query_int(call, "limit", call.settings.page_limit_max, 1, call.settings.page_limit_max)
    offset = _query_int(call, "offset", 0, 0, call.settings.fills_offset_max)
    history = call.context.runtime.history
    await history.drain()
    account_id = call.caller.account_id
    tickers = (ticker,) if ticker else ()
    wanted = offset + limit
    rows: list[FillRecord] = []
    cursor = ""

    def page_after(after: str) -> Callable[[HistoryReader], tuple[list[FillRecord], str]]:
        return lambda r: r.fills(
            account_id, subaccount=0, tickers=tickers, limit=1000, cursor=after
        )

    # Offsets walk the history's keyset pages (1,000 rows each), at most 11 of them.
    while len(rows) < wanted:
        page, cursor = await history.read(page_after(cursor))
        rows += page
        if not cursor:
            break
    page_rows = rows[offset:wanted]
    return wire.reply(
        {"fills": [wire.fill_object(f) for f in page_rows], "limit": limit, "offset": offset}
    )


# --- the dispatcher -------------------------------------------------------------------------


_ROUTES: tuple[tuple[str, str, Handler, str], ...] = (
    ("GET", "/accounts/{account_id}", get_account, "request"),
    ("GET", "/accounts/{account_id}/positions", get_positions, "request"),
    ("GET", "/markets", get_markets, "market_data"),
    ("GET", "/markets/{ticker}", get_market, "market_data"),
    ("POST", "/orders", create_order, "order"),
    ("GET", "/orders/{order_id}", get_order, "request"),
    ("DELETE", "/orders/{order_id}", cancel_order, "request"),
    ("GET", "/fills", get_fills, "request"),
)


class SeedRest:
    """Answers the seed API's HTTP requests (mounted under ``/seed/v1``)."""

    def __init__(self, settings: SeedSettings) -> None:
        self.settings = settings
        self.windows = Windows(_MINUTE_NS)
        self._routes = [
            (compile_path(path)[0], method, handler, kind)
            for method, path, handler, kind in _ROUTES
        ]

    def _match(self, path: str, method: str) -> tuple[Handler, str, dict[str, str]]:
        allowed = False
        for regex, route_method, handler, kind in self._routes:
            found = regex.match(path)
            if found is None:
                continue
            if route_method == method or (method == "HEAD" and route_method == "GET"):
                return handler, kind, found.groupdict()
            allowed = True
        if allowed:
            raise SeedError(405, "INVALID_REQUEST", "method not allowed on this path")
        raise SeedError(404, "INVALID_REQUEST", "no such endpoint", {"path": "/seed/v1" + path})

    def _admit(self, checks: list[tuple[str, int]], now_ns: int, what: str) -> None:
        wait = self.windows.admit(checks, now_ns)
        if wait:
            seconds = retry_after_s(wait)
            raise SeedError(
                429,
                "RATE_LIMIT_EXCEEDED",
                f"too many requests: {what}",
                {"retry_after": seconds},
                retry_after_s=seconds,
            )

    def _limits(self, caller: Caller, kind: str, now_ns: int) -> None:
        s = self.settings
        account = caller.account_id
        if kind == "market_data":
            what = f"at most {s.market_data_per_minute} market-data requests a minute"
            self._admit([("md:" + account, s.market_data_per_minute)], now_ns, what)
            return
        checks = [("rq:" + account, s.requests_per_minute)]
        what = f"at most {s.requests_per_minute} requests a minute"
        if kind == "order":
            checks.append(("or:" + account, s.orders_per_minute))
            what += f" and {s.orders_per_minute} orders a minute"
        self._admit(checks, now_ns, what)

    async def respond(self, request: Request, path: str) -> Response:
        """Run one request through the pipeline (see the module docstring)."""
        try:
            context: Context | None = getattr(request.app.state, "context", None)
            platform: Platform | None = getattr(request.app.state, "platform", None)
            if context is None or platform is None:
                raise SeedError(503, "SERVICE_UNAVAILABLE", "the exchange is starting")
            handler, kind, params = self._match(path, request.method)
            now_ns = context.clock.now_ns()
            try:
                caller = await authenticate_token(platform, _bearer(request))
            except SeedError:
                what = f"at most {self.settings.anonymous_per_minute} unauthenticated a minute"
                address = "ad:" + client_address(request)
                self._admit([(address, self.settings.anonymous_per_minute)], now_ns, what)
                raise
            self._limits(caller, kind, now_ns)
            call = Call(request, context, platform, caller, params, self.settings)
            return await handler(call)
        except SeedError as error:
            return wire.error_response(error)
        except Exception:
            log.exception("seed API request failed: %s %s", request.method, path)
            return wire.error_response(SeedError(500, "INTERNAL_ERROR", "internal error"))
