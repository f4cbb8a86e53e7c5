"""The seed API's objects and errors, rendered from the exchange's integer units.

Numbers: prices, sizes and money leave as exact JSON numbers built from integers through
``Decimal`` (``0.56``, ``10``, ``94.4``); no float is ever made. Prices come in as JSON
numbers or decimal strings, decoded straight into ``Decimal`` (exactly, never through a
float) and converted to centi-cents only if they are whole centi-cents.

Vocabularies (docs/seed-api.md): market ``status`` is ``active`` (the engine's ACTIVE),
``settled`` (FINALIZED) or ``closed`` (every other state: not tradable now); order
``status`` is ``open`` (resting), ``filled`` (executed) or ``canceled``; ``side`` is
``buy`` for a YES bid and ``sell`` for a YES ask.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec
from starlette.responses import Response

from augury.api.schemas.base import rfc3339_from_ns
from augury.domain.units import C_PER_CONTRACT, CC_PER_DOLLAR
from augury.engine.events import OrderUpdate
from augury.platform.reads import BalanceView, MarketView, PositionView
from augury.store.records import FillRecord, OrderRecord

__all__ = [
    "ORDER_STATUS",
    "SeedError",
    "account_object",
    "contracts",
    "dollars",
    "encode",
    "error_body",
    "error_response",
    "fill_object",
    "market_object",
    "market_status",
    "order_object",
    "order_object_from_update",
    "position_object",
    "reply",
]

_encoder = msgspec.json.Encoder(decimal_format="number")
ORDER_STATUS = {"resting": "open", "executed": "filled", "canceled": "canceled"}
_SETTLED = "finalized"


class SeedError(Exception):
    """A refusal in the seed contract's shape: ``{"error": {code, message, details}}``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        retry_after_s: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}
        self.retry_after_s = retry_after_s


def encode(body: object) -> bytes:
    """Encode a body with exact decimal numbers."""
    return _encoder.encode(body)


def reply(body: object, status: int = 200) -> Response:
    """Return a JSON response."""
    response = Response(encode(body), status_code=status, media_type="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def error_body(error: SeedError) -> dict[str, Any]:
    """Return the error object of a refusal (REST body and WebSocket ``error`` message)."""
    inner: dict[str, Any] = {
        "code": error.code,
        "message": error.message,
        "details": error.details,
    }
    if error.retry_after_s is not None:
        inner["retry_after"] = error.retry_after_s
    return {"error": inner}


def error_response(error: SeedError) -> Response:
    """Return the REST answer to a refusal (429s carry ``Retry-After``)."""
    response = reply(error_body(error), error.status)
    if error.retry_after_s is not None:
        response.headers["Retry-After"] = str(error.retry_after_s)
    return response


def dollars(value_cc: int) -> Decimal:
    """Return centi-cents as an exact dollar number (``5600 -> 0.56``)."""
    value = Decimal(value_cc).scaleb(-4)
    # Two decimals at least, four at most, no exponent: 0.56, 94.4 -> 94.40, 0.0125.
    return value.quantize(Decimal("0.01")) if value_cc % 100 == 0 else value


def contracts(value_c: int) -> Decimal | int:
    """Return centi-contracts as a number of contracts (whole contracts as integers)."""
    if value_c % C_PER_CONTRACT == 0:
        return value_c // C_PER_CONTRACT
    return Decimal(value_c).scaleb(-2)


def _price_or_none(value_cc: int) -> Decimal | None:
    return dollars(value_cc) if value_cc > 0 else None


def market_status(engine_status: str) -> str:
    """Return the seed status of an engine market status."""
    if engine_status == "active":
        return "active"
    return "settled" if engine_status == _SETTLED else "closed"


def market_object(view: MarketView) -> dict[str, Any]:
    """Render a market."""
    return {
        "ticker": view.ticker,
        "event_ticker": view.event_ticker,
        "title": view.title,
        "status": market_status(view.status),
        "yes_bid": _price_or_none(view.yes_bid_cc),
        "yes_ask": _price_or_none(view.yes_ask_cc),
        "last_price": _price_or_none(view.last_price_cc),
        "volume": contracts(view.volume_c),
        "open_interest": contracts(view.open_interest_c),
        "open_time": rfc3339_from_ns(view.open_ts_ns),
        "close_time": rfc3339_from_ns(view.close_ts_ns),
        "result": view.result if view.status == _SETTLED and view.result else None,
    }


def account_object(account_id: str, balance: BalanceView) -> dict[str, Any]:
    """Render an account's cash."""
    return {
        "account_id": account_id,
        "currency": "USD",
        "balance": dollars(balance.available_cc + balance.reserved_cc),
        "available_balance": dollars(balance.available_cc),
        "reserved_balance": dollars(balance.reserved_cc),
    }


def position_object(view: PositionView, engine_status: str) -> dict[str, Any]:
    """Render a position (``size`` signed: + long YES, - short)."""
    return {
        "ticker": view.ticker,
        "size": contracts(view.position_c),
        "cost_basis": dollars(view.exposure_cc),
        "realized_pnl": dollars(view.realized_pnl_cc),
        "fees_paid": dollars(view.fees_paid_cc),
        "market_status": market_status(engine_status),
    }


def _average_yes_price(side: str, fill_c: int, cost_cc: int) -> Decimal | None:
    """The average YES price of an order's fills, to the centi-cent (half up).

    The engine keeps an order's fill cost on the order's own outcome: YES for a bid, NO
    (``1 - p`` per contract) for an ask.
    """
    if fill_c <= 0:
        return None
    per_contract = (2 * cost_cc * C_PER_CONTRACT + fill_c) // (2 * fill_c)
    yes_cc = per_contract if side == "bid" else CC_PER_DOLLAR - per_contract
    return dollars(yes_cc)


def order_object(order: OrderRecord, account_id: str) -> dict[str, Any]:
    """Render an order from its history row."""
    return _order(
        order_id=order.order_id,
        account_id=account_id,
        ticker=order.ticker,
        side=order.side,
        price_cc=order.price_cc,
        initial_c=order.initial_c,
        fill_c=order.fill_c,
        remaining_c=order.remaining_c,
        cost_cc=order.taker_fill_cost_cc + order.maker_fill_cost_cc,
        fees_cc=order.taker_fees_cc + order.maker_fees_cc,
        status=order.status,
        client_order_id=order.client_order_id,
        created_ns=order.created_ns,
        updated_ns=order.updated_ns,
    )


def order_object_from_update(update: OrderUpdate) -> dict[str, Any]:
    """Render an order from the engine's ``OrderUpdate`` event (its full state)."""
    return _order(
        order_id=update.order_id,
        account_id=update.user_id,
        ticker=update.ticker,
        side=update.side,
        price_cc=update.price_cc,
        initial_c=update.initial_c,
        fill_c=update.fill_c,
        remaining_c=update.remaining_c,
        cost_cc=update.taker_fill_cost_cc + update.maker_fill_cost_cc,
        fees_cc=update.taker_fees_cc + update.maker_fees_cc,
        status=update.status,
        client_order_id=update.client_order_id,
        created_ns=update.created_ns,
        updated_ns=update.ts_ns,
    )


def _order(
    *,
    order_id: str,
    account_id: str,
    ticker: str,
    side: str,
    price_cc: int,
    initial_c: int,
    fill_c: int,
    remaining_c: int,
    cost_cc: int,
    fees_cc: int,
    status: str,
    client_order_id: str,
    created_ns: int,
    updated_ns: int,
) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "account_id": account_id,
        "ticker": ticker,
        "side": "buy" if side == "bid" else "sell",
        "type": "limit",
        "time_in_force": "gtc",
        "price": dollars(price_cc),
        "size": contracts(initial_c),
        "filled_size": contracts(fill_c),
        "remaining_size": contracts(remaining_c),
        "average_fill_price": _average_yes_price(side, fill_c, cost_cc),
        "fees": dollars(fees_cc),
        "status": ORDER_STATUS.get(status, status),
        "client_order_id": client_order_id or None,
        "created_at": rfc3339_from_ns(created_ns),
        "updated_at": rfc3339_from_ns(updated_ns),
    }


def fill_object(fill: FillRecord) -> dict[str, Any]:
    """Render a fill from its history row."""
    return {
        "fill_id": fill.fill_id,
        "order_id": fill.order_id,
        "ticker": fill.ticker,
        "side": "buy" if fill.side == "bid" else "sell",
        "price": dollars(fill.price_cc),
        "size": contracts(fill.count_c),
        "fee": dollars(fill.fee_cc),
        "is_taker": fill.is_taker,
        "created_at": rfc3339_from_ns(fill.ts_ns),
    }
