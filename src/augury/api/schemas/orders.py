"""Orders as read back (``GET /portfolio/orders…``) and queue positions (CONTRACT §4.3).

Direction: ``outcome_side`` (``yes``/``no``) and ``book_side`` (``bid``/``ask``) carry the
same bit (bid ≡ yes, ask ≡ no) and are required. The deprecated ``side``/``action`` are
optional in 3.34 but were required by SDKs 3.14–3.25, so the API should keep sending
them (a V2 ``bid`` is ``side=yes, action=buy``; ``ask`` is ``side=yes, action=sell``).
Prices are always on the YES scale and ``yes_price_dollars + no_price_dollars = 1``.

Legacy courtesy fields: before April 2026 an order also carried integer-cent
``yes_price``/``no_price``/fees/costs, whole-contract ``fill_count``/``remaining_count``/
``initial_count`` and ``queue_position`` (always 0). Old clients still read them and
new SDKs ignore them, so they are optional ints, omitted when ``None``. There is no
legacy ``count``: ``initial_count`` is the original size.
"""

from augury.api.schemas.base import WireResponse
from augury.api.schemas.enums import (
    Action,
    BookSide,
    OrderStatus,
    OrderType,
    OutcomeSide,
    SelfTradePreventionType,
)

__all__ = [
    "GetOrderQueuePositionResponse",
    "GetOrderQueuePositionsResponse",
    "GetOrderResponse",
    "GetOrdersResponse",
    "Order",
    "OrderQueuePosition",
]


class Order(WireResponse, kw_only=True):
    order_id: str
    user_id: str
    client_order_id: str
    ticker: str
    # Optional in SDK 3.34 but required by the legacy v1 OpenAPI (and always known): sent.
    side: OutcomeSide | None
    action: Action | None
    outcome_side: OutcomeSide
    book_side: BookSide
    type: OrderType
    status: OrderStatus
    yes_price_dollars: str
    no_price_dollars: str
    fill_count_fp: str
    remaining_count_fp: str
    initial_count_fp: str
    taker_fill_cost_dollars: str
    maker_fill_cost_dollars: str
    taker_fees_dollars: str
    maker_fees_dollars: str
    expiration_time: str | None = None
    created_time: str | None = None
    last_update_time: str | None = None
    self_trade_prevention_type: SelfTradePreventionType | None = None
    order_group_id: str | None = None
    cancel_order_on_pause: bool | None = None
    subaccount_number: int | None = None
    exchange_index: int | None = None
    # Legacy courtesy fields (integer cents / whole contracts), see the module docstring.
    yes_price: int | None = None
    no_price: int | None = None
    fill_count: int | None = None
    remaining_count: int | None = None
    initial_count: int | None = None
    taker_fees: int | None = None
    maker_fees: int | None = None
    taker_fill_cost: int | None = None
    maker_fill_cost: int | None = None
    queue_position: int | None = None
    # --compat tutorials only (docs/compat-tutorials.md): not Kalshi fields.
    count: int | None = None
    total_cost: int | None = None
    avg_price: int | None = None


class GetOrdersResponse(WireResponse, kw_only=True):
    orders: list[Order]
    # Required string: "" on the last page, never null.
    cursor: str


class GetOrderResponse(WireResponse, kw_only=True):
    order: Order


class OrderQueuePosition(WireResponse, kw_only=True):
    order_id: str
    market_ticker: str
    queue_position_fp: str


class GetOrderQueuePositionsResponse(WireResponse, kw_only=True):
    queue_positions: list[OrderQueuePosition]


class GetOrderQueuePositionResponse(WireResponse, kw_only=True):
    queue_position_fp: str
