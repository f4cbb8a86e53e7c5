"""V2 order writes under ``/portfolio/events/orders`` (CONTRACT §4.7, §5.1–5.3).

Requests describe the **YES leg**: ``side`` is ``bid`` (buy YES) or ``ask`` (sell YES),
``price`` a dollar string and ``count`` a count string. ``time_in_force`` and
``self_trade_prevention_type`` are required. Strings stay strings here; the API turns
them into integer units with ``codec.parse_dollars`` / ``codec.parse_count``.

Responses carry counts and prices as strings and ``ts_ms`` as integer milliseconds.
Success statuses matter to the SDK: create and batch create are **201**, everything else
here is 200 with a body. In batch responses a failed item carries an ``ErrorResponse``
in ``error`` and no ``ts_ms``.
"""

from augury.api.schemas.base import WireRequest, WireResponse
from augury.api.schemas.enums import BookSide, SelfTradePreventionType, TimeInForce
from augury.api.schemas.errors import ErrorResponse

__all__ = [
    "AmendOrderV2Request",
    "AmendOrderV2Response",
    "BatchCancelOrdersV2Request",
    "BatchCancelOrdersV2RequestOrdersInner",
    "BatchCancelOrdersV2Response",
    "BatchCancelOrdersV2ResponseOrdersInner",
    "BatchCreateOrdersV2Request",
    "BatchCreateOrdersV2Response",
    "BatchCreateOrdersV2ResponseOrdersInner",
    "CancelOrderV2Response",
    "CreateOrderV2Request",
    "CreateOrderV2Response",
    "DecreaseOrderV2Request",
    "DecreaseOrderV2Response",
]


# Requests ------------------------------------------------------------------------------


class CreateOrderV2Request(WireRequest, kw_only=True):
    ticker: str
    client_order_id: str | None = None
    side: BookSide
    count: str
    price: str
    # Unix seconds; only with good_till_canceled.
    expiration_time: int | None = None
    time_in_force: TimeInForce
    post_only: bool | None = None
    self_trade_prevention_type: SelfTradePreventionType
    cancel_order_on_pause: bool | None = None
    reduce_only: bool | None = None
    subaccount: int | None = None
    order_group_id: str | None = None
    exchange_index: int | None = None


class AmendOrderV2Request(WireRequest, kw_only=True):
    ticker: str
    side: BookSide
    price: str
    # The new total: already filled plus the desired resting remainder.
    count: str
    client_order_id: str | None = None
    updated_client_order_id: str | None = None
    # Absent keeps the current expiry; 0 clears it.
    expiration_time: int | None = None
    exchange_index: int | None = None


class DecreaseOrderV2Request(WireRequest, kw_only=True):
    # Exactly one of reduce_by / reduce_to; the API checks that rule.
    reduce_by: str | None = None
    reduce_to: str | None = None
    exchange_index: int | None = None
    market_ticker: str | None = None


class BatchCreateOrdersV2Request(WireRequest, kw_only=True):
    orders: list[CreateOrderV2Request]


class BatchCancelOrdersV2RequestOrdersInner(WireRequest, kw_only=True):
    order_id: str
    subaccount: int | None = None
    exchange_index: int | None = None
    market_ticker: str | None = None


class BatchCancelOrdersV2Request(WireRequest, kw_only=True):
    orders: list[BatchCancelOrdersV2RequestOrdersInner]


# Responses -----------------------------------------------------------------------------


class CreateOrderV2Response(WireResponse, kw_only=True):
    order_id: str
    client_order_id: str | None = None
    fill_count: str
    remaining_count: str
    # Per-contract averages, present only when something filled.
    average_fill_price: str | None = None
    average_fee_paid: str | None = None
    ts_ms: int


class CancelOrderV2Response(WireResponse, kw_only=True):
    order_id: str
    client_order_id: str | None = None
    reduced_by: str
    ts_ms: int


class AmendOrderV2Response(WireResponse, kw_only=True):
    order_id: str
    client_order_id: str | None = None
    remaining_count: str | None = None
    fill_count: str | None = None
    average_fill_price: str | None = None
    average_fee_paid: str | None = None
    ts_ms: int


class DecreaseOrderV2Response(WireResponse, kw_only=True):
    order_id: str
    client_order_id: str | None = None
    remaining_count: str
    ts_ms: int


class BatchCreateOrdersV2ResponseOrdersInner(WireResponse, kw_only=True):
    order_id: str | None = None
    client_order_id: str | None = None
    fill_count: str | None = None
    remaining_count: str | None = None
    average_fill_price: str | None = None
    average_fee_paid: str | None = None
    ts_ms: int | None = None
    error: ErrorResponse | None = None


class BatchCreateOrdersV2Response(WireResponse, kw_only=True):
    orders: list[BatchCreateOrdersV2ResponseOrdersInner]


class BatchCancelOrdersV2ResponseOrdersInner(WireResponse, kw_only=True):
    order_id: str
    client_order_id: str | None = None
    reduced_by: str
    ts_ms: int | None = None
    error: ErrorResponse | None = None


class BatchCancelOrdersV2Response(WireResponse, kw_only=True):
    orders: list[BatchCancelOrdersV2ResponseOrdersInner]
