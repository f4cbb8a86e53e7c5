"""The retired v1 order writes (``POST/DELETE /portfolio/orders...``), for servers that keep them.

Kalshi retired these in June 2026 (it answers ``deprecated_v1_order_endpoint``); Augury
serves them behind ``--v1-orders on``. Prices are integer cents or dollar strings, sides
``yes|no`` with ``buy|sell`` (CONTRACT §5.4). Reads are the same for v1 and V2.
"""

from __future__ import annotations

import msgspec

from augury.client.call import Call, make_call
from augury.client.models import wire

__all__ = [
    "CancelOrderResponse",
    "DecreaseOrderRequest",
    "DecreaseOrderResponse",
    "amend_order",
    "batch_cancel_orders",
    "batch_create_orders",
    "cancel_order",
    "create_order",
    "decrease_order",
]


class CancelOrderResponse(msgspec.Struct, kw_only=True):
    order: wire.Order
    reduced_by_fp: str


class DecreaseOrderRequest(msgspec.Struct, kw_only=True, omit_defaults=True):
    reduce_by: int | None = None
    reduce_by_fp: str | None = None
    reduce_to: int | None = None
    reduce_to_fp: str | None = None


class DecreaseOrderResponse(msgspec.Struct, kw_only=True):
    order: wire.Order


def create_order(body: wire.CreateOrderRequest) -> Call[wire.CreateOrderResponse]:
    """Create an order (v1): ``POST /portfolio/orders``."""
    return make_call(
        "POST",
        "/portfolio/orders",
        wire.CreateOrderResponse,
        201,
        path={},
        query=(),
        body=body,
        signed=True,
    )


def cancel_order(order_id: str) -> Call[CancelOrderResponse]:
    """Cancel an order (v1): ``DELETE /portfolio/orders/{order_id}``."""
    return make_call(
        "DELETE",
        "/portfolio/orders/{order_id}",
        CancelOrderResponse,
        200,
        path={"order_id": order_id},
        query=(),
        body=None,
        signed=True,
    )


def amend_order(order_id: str, body: wire.AmendOrderRequest) -> Call[wire.AmendOrderResponse]:
    """Amend an order (v1): ``POST /portfolio/orders/{order_id}/amend``."""
    return make_call(
        "POST",
        "/portfolio/orders/{order_id}/amend",
        wire.AmendOrderResponse,
        200,
        path={"order_id": order_id},
        query=(),
        body=body,
        signed=True,
    )


def decrease_order(order_id: str, body: DecreaseOrderRequest) -> Call[DecreaseOrderResponse]:
    """Decrease an order (v1): ``POST /portfolio/orders/{order_id}/decrease``."""
    return make_call(
        "POST",
        "/portfolio/orders/{order_id}/decrease",
        DecreaseOrderResponse,
        200,
        path={"order_id": order_id},
        query=(),
        body=body,
        signed=True,
    )


def batch_create_orders(
    body: wire.BatchCreateOrdersRequest,
) -> Call[wire.BatchCreateOrdersResponse]:
    """Create up to a batch of orders (v1): ``POST /portfolio/orders/batched``."""
    return make_call(
        "POST",
        "/portfolio/orders/batched",
        wire.BatchCreateOrdersResponse,
        201,
        path={},
        query=(),
        body=body,
        signed=True,
    )


def batch_cancel_orders(
    body: wire.BatchCancelOrdersRequest,
) -> Call[wire.BatchCancelOrdersResponse]:
    """Cancel a batch of orders (v1): ``DELETE /portfolio/orders/batched``."""
    return make_call(
        "DELETE",
        "/portfolio/orders/batched",
        wire.BatchCancelOrdersResponse,
        200,
        path={},
        query=(),
        body=body,
        signed=True,
    )
