"""Legacy v1 order mutations under ``/portfolio/orders`` (CONTRACT §4.8, §5.4).

Kalshi retired these endpoints in June 2026 (they now answer
``deprecated_v1_order_endpoint``), but pre-June clients still send them, so Augury can
serve them behind a flag. Shapes follow ``kalshi-openapi-legacy-v1-orders-assembled.yaml``
and the SDK 3.34 models that still ship.

Requests speak the legacy direction: ``side`` (``yes``/``no``) plus ``action``
(``buy``/``sell``), and prices in **integer cents** (``yes_price``/``no_price``, 1–99) or
dollar strings (``*_dollars``). Counts come as an integer ``count`` (≥ 1) and/or a count
string ``count_fp``; if both are given they must agree, which the API checks. The
numeric bounds the legacy spec declares are enforced while decoding, so an out-of-range
value is a 400 naming the field. ``buy_max_cost`` is integer cents and implies
fill-or-kill; ``sell_position_floor`` only accepts 0.

Responses wrap full ``Order`` objects. The cancel responses carry ``reduced_by_fp``
(count string) and, as a courtesy to older clients, the integer ``reduced_by``.
"""

from typing import Annotated

import msgspec

from augury.api.schemas.base import WireRequest, WireResponse
from augury.api.schemas.enums import Action, OutcomeSide, SelfTradePreventionType, TimeInForce
from augury.api.schemas.errors import ErrorResponse
from augury.api.schemas.orders import Order

__all__ = [
    "AmendOrderRequest",
    "AmendOrderResponse",
    "BatchCancelOrdersIndividualResponse",
    "BatchCancelOrdersRequest",
    "BatchCancelOrdersRequestOrder",
    "BatchCancelOrdersResponse",
    "BatchCreateOrdersIndividualResponse",
    "BatchCreateOrdersRequest",
    "BatchCreateOrdersResponse",
    "CancelOrderResponse",
    "CreateOrderRequest",
    "CreateOrderResponse",
    "DecreaseOrderRequest",
    "DecreaseOrderResponse",
]

PriceCents = Annotated[int, msgspec.Meta(ge=1, le=99)]
WholeCount = Annotated[int, msgspec.Meta(ge=1)]
Subaccount = Annotated[int, msgspec.Meta(ge=0)]
ReduceTo = Annotated[int, msgspec.Meta(ge=0)]


# Requests ------------------------------------------------------------------------------


class CreateOrderRequest(WireRequest, kw_only=True):
    ticker: str
    client_order_id: str | None = None
    side: OutcomeSide
    action: Action
    count: WholeCount | None = None
    count_fp: str | None = None
    yes_price: PriceCents | None = None
    no_price: PriceCents | None = None
    yes_price_dollars: str | None = None
    no_price_dollars: str | None = None
    expiration_ts: int | None = None
    time_in_force: TimeInForce | None = None
    buy_max_cost: int | None = None
    post_only: bool | None = None
    reduce_only: bool | None = None
    sell_position_floor: int | None = None
    self_trade_prevention_type: SelfTradePreventionType | None = None
    order_group_id: str | None = None
    cancel_order_on_pause: bool | None = None
    subaccount: Subaccount | None = None
    exchange_index: int | None = None


class AmendOrderRequest(WireRequest, kw_only=True):
    subaccount: Subaccount | None = None
    ticker: str
    side: OutcomeSide
    action: Action
    client_order_id: str | None = None
    updated_client_order_id: str | None = None
    yes_price: PriceCents | None = None
    no_price: PriceCents | None = None
    yes_price_dollars: str | None = None
    no_price_dollars: str | None = None
    count: WholeCount | None = None
    count_fp: str | None = None
    exchange_index: int | None = None


class DecreaseOrderRequest(WireRequest, kw_only=True):
    subaccount: Subaccount | None = None
    reduce_by: WholeCount | None = None
    reduce_by_fp: str | None = None
    reduce_to: ReduceTo | None = None
    reduce_to_fp: str | None = None
    exchange_index: int | None = None


class BatchCreateOrdersRequest(WireRequest, kw_only=True):
    orders: list[CreateOrderRequest]


class BatchCancelOrdersRequestOrder(WireRequest, kw_only=True):
    order_id: str
    subaccount: Subaccount | None = None
    exchange_index: int | None = None
    market_ticker: str | None = None


class BatchCancelOrdersRequest(WireRequest, kw_only=True):
    # Either the deprecated bare ``ids`` list or ``orders``; the API requires one.
    ids: list[str] | None = None
    orders: list[BatchCancelOrdersRequestOrder] | None = None


# Responses -----------------------------------------------------------------------------


class CreateOrderResponse(WireResponse, kw_only=True):
    order: Order


class CancelOrderResponse(WireResponse, kw_only=True):
    order: Order
    reduced_by_fp: str
    # Legacy courtesy field (whole contracts).
    reduced_by: int | None = None


class AmendOrderResponse(WireResponse, kw_only=True):
    old_order: Order
    order: Order


class DecreaseOrderResponse(WireResponse, kw_only=True):
    order: Order


class BatchCreateOrdersIndividualResponse(WireResponse, kw_only=True):
    client_order_id: str | None = None
    order: Order | None = None
    error: ErrorResponse | None = None


class BatchCreateOrdersResponse(WireResponse, kw_only=True):
    orders: list[BatchCreateOrdersIndividualResponse]


class BatchCancelOrdersIndividualResponse(WireResponse, kw_only=True):
    order_id: str
    order: Order | None = None
    reduced_by_fp: str
    # Legacy courtesy field (whole contracts).
    reduced_by: int | None = None
    error: ErrorResponse | None = None


class BatchCancelOrdersResponse(WireResponse, kw_only=True):
    orders: list[BatchCancelOrdersIndividualResponse]
