"""Order groups (CONTRACT §4.13).

An order group caps the contracts matched by its orders over a rolling 15-second window;
when the cap is hit the group's orders are cancelled (auto-cancel). The limit arrives as a
whole-contract integer ``contracts_limit`` or a count string ``contracts_limit_fp``; if
both are present they must agree, which the API checks. ``POST
/portfolio/order_groups/create`` answers **201**; delete, reset, trigger and limit updates
answer 200 with ``{}``.
"""

from augury.api.schemas.base import WireRequest, WireResponse

__all__ = [
    "CreateOrderGroupRequest",
    "CreateOrderGroupResponse",
    "GetOrderGroupResponse",
    "GetOrderGroupsResponse",
    "OrderGroup",
    "UpdateOrderGroupLimitRequest",
]


# Requests ------------------------------------------------------------------------------


class CreateOrderGroupRequest(WireRequest, kw_only=True):
    subaccount: int | None = None
    contracts_limit: int | None = None
    contracts_limit_fp: str | None = None
    exchange_index: int | None = None


class UpdateOrderGroupLimitRequest(WireRequest, kw_only=True):
    contracts_limit: int | None = None
    contracts_limit_fp: str | None = None


# Responses -----------------------------------------------------------------------------


class OrderGroup(WireResponse, kw_only=True):
    id: str
    contracts_limit_fp: str | None = None
    is_auto_cancel_enabled: bool
    exchange_index: int | None = None


class GetOrderGroupsResponse(WireResponse, kw_only=True):
    order_groups: list[OrderGroup] | None = None


class GetOrderGroupResponse(WireResponse, kw_only=True):
    is_auto_cancel_enabled: bool
    contracts_limit_fp: str | None = None
    orders: list[str]
    exchange_index: int | None = None


class CreateOrderGroupResponse(WireResponse, kw_only=True):
    order_group_id: str
    subaccount: int
    exchange_index: int | None = None
