"""Order groups and queue positions (CONTRACT §4.13).

Order groups are engine state (``augury.engine.groups``): create, delete, reset, trigger and
limit changes are the commands ``CreateOrderGroup``, ``OrderGroupAction`` and
``UpdateOrderGroupLimit``; orders join a group through ``order_group_id`` on V2 create.
Wire mapping:

- ``contracts_limit_fp`` is the group's limit (absent for a group created without one);
  the request may give it as whole contracts (``contracts_limit``) or a count string, and
  when both are present they must agree. Kalshi's range is 1 to 1,000,000 contracts.
- ``is_auto_cancel_enabled`` is true while the group will cancel its orders when the
  limit is reached: it has a limit and is not triggered. A triggered group has already
  cancelled its orders and refuses new ones until it is reset.
- ``orders`` lists the group's live member orders, oldest first.
- A group is visible only to its owner; with ``subaccount`` given (or a key restricted to
  one) it must also belong to that subaccount, otherwise it is 404. Without
  ``subaccount`` the lists cover every subaccount (as the SDK documents) and the single
  group operations find the group on whichever subaccount holds it.

Queue position (``queue_position_fp``) is the resting size ahead of an order at its own
price, from ``Book.queue_position``: 0 at the front of the level. Only resting orders
have one; any other order id answers 404.
"""

from __future__ import annotations

from typing import Final, Literal

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from augury.api import bounds
from augury.api.auth import ApiKeyRecord
from augury.api.context import Context, json_response
from augury.api.errors import ApiError
from augury.api.routes.markets import int_param, tickers_param
from augury.api.routes.orders import ctx, subaccount_for
from augury.api.schemas import groups as wg
from augury.api.schemas import orders as wo
from augury.api.schemas.base import WireRequest
from augury.api.schemas.codec import decode_request, parse_count
from augury.domain.units import C_PER_CONTRACT, count_c_to_str
from augury.engine import commands as c
from augury.engine.groups import OrderGroup
from augury.engine.orders import Order

__all__ = ["MAX_LIMIT_C", "routes"]

MAX_LIMIT_C: Final = 1_000_000 * C_PER_CONTRACT


class _AnyObject(WireRequest, kw_only=True):
    """An optional JSON object body whose keys are all ignored (reset, trigger)."""


def _subaccount(request: Request, record: ApiKeyRecord) -> int | None:
    """Return the subaccount a request names (or its key is bound to), else None."""
    requested = int_param(request, "subaccount", None, 0, 63)
    if requested is None and record.subaccount is None:
        return None
    return subaccount_for(record, requested)


def _check_exchange_index(value: int | None) -> None:
    if value not in (None, 0):
        raise ApiError(400, "invalid_parameters", "this exchange has one shard: exchange_index 0")


def _limit_c(contracts_limit: int | None, contracts_limit_fp: str | None) -> int | None:
    given: list[int] = []
    if contracts_limit is not None:
        given.append(contracts_limit * C_PER_CONTRACT)
    if contracts_limit_fp is not None:
        given.append(parse_count(contracts_limit_fp, "contracts_limit_fp"))
    if not given:
        return None
    if len(given) == 2 and given[0] != given[1]:
        raise ApiError(400, "invalid_parameters", "contracts_limit and contracts_limit_fp differ")
    if not 0 < given[0] <= MAX_LIMIT_C:
        raise ApiError(400, "invalid_parameters", "contracts limit must be 1 to 1,000,000")
    return given[0]


def _group(context: Context, request: Request, record: ApiKeyRecord) -> OrderGroup:
    group_id = bounds.identifier("order_group_id", request.path_params["order_group_id"])
    subaccount = _subaccount(request, record)
    group = context.exchange.groups.get(group_id)
    if (
        group is None
        or group.key[0] != record.user_id
        or (subaccount is not None and group.key[1] != subaccount)
    ):
        raise ApiError(404, "not_found", f"order group {group_id} not found")
    return group


def _is_armed(group: OrderGroup) -> bool:
    return group.limit_c is not None and not group.triggered


def _limit_fp(group: OrderGroup) -> str | None:
    return count_c_to_str(group.limit_c) if group.limit_c is not None else None


async def create_group(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "write")
    req = decode_request(await request.body(), wg.CreateOrderGroupRequest)
    _check_exchange_index(req.exchange_index)
    subaccount = subaccount_for(record, req.subaccount)
    limit = _limit_c(req.contracts_limit, req.contracts_limit_fp)
    outcome = await context.submit(
        c.CreateOrderGroup(user_id=record.user_id, subaccount=subaccount, contracts_limit_c=limit)
    )
    return json_response(
        wg.CreateOrderGroupResponse(
            order_group_id=outcome.value, subaccount=subaccount, exchange_index=0
        ),
        201,
    )


async def list_groups(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "read")
    subaccount = _subaccount(request, record)
    groups = [
        wg.OrderGroup(
            id=group.group_id,
            contracts_limit_fp=_limit_fp(group),
            is_auto_cancel_enabled=_is_armed(group),
            exchange_index=0,
        )
        for group in context.exchange.groups.values()
        if group.key[0] == record.user_id and (subaccount is None or group.key[1] == subaccount)
    ]
    return json_response(wg.GetOrderGroupsResponse(order_groups=groups))


async def get_group(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "read")
    group = _group(context, request, record)
    return json_response(
        wg.GetOrderGroupResponse(
            is_auto_cancel_enabled=_is_armed(group),
            contracts_limit_fp=_limit_fp(group),
            orders=[o for o in group.orders if o in context.exchange.orders],
            exchange_index=0,
        )
    )


async def _action(request: Request, action: Literal["reset", "trigger", "delete"]) -> Response:
    context = ctx(request)
    record = context.principal(request, "write")
    _check_exchange_index(int_param(request, "exchange_index", None, 0, 63))
    if action != "delete":
        decode_request(await request.body(), _AnyObject)
    group = _group(context, request, record)
    await context.submit(
        c.OrderGroupAction(
            user_id=record.user_id,
            group_id=group.group_id,
            action=action,
        )
    )
    return json_response({})


async def delete_group(request: Request) -> Response:
    return await _action(request, "delete")


async def reset_group(request: Request) -> Response:
    return await _action(request, "reset")


async def trigger_group(request: Request) -> Response:
    return await _action(request, "trigger")


async def update_limit(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "write")
    _check_exchange_index(int_param(request, "exchange_index", None, 0, 63))
    req = decode_request(await request.body(), wg.UpdateOrderGroupLimitRequest)
    limit = _limit_c(req.contracts_limit, req.contracts_limit_fp)
    if limit is None:
        raise ApiError(400, "invalid_parameters", "give contracts_limit or contracts_limit_fp")
    group = _group(context, request, record)
    await context.submit(
        c.UpdateOrderGroupLimit(
            user_id=record.user_id, group_id=group.group_id, contracts_limit_c=limit
        )
    )
    return json_response({})


def _own_resting(context: Context, record: ApiKeyRecord, order_id: str) -> Order:
    order = context.exchange.orders.get(order_id)
    if (
        order is None
        or not order.live
        or order.user_id != record.user_id
        or (record.subaccount is not None and order.subaccount != record.subaccount)
    ):
        raise ApiError(404, "not_found", f"no resting order {order_id}")
    return order


async def queue_position(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "read")
    order = _own_resting(context, record, request.path_params["order_id"])
    ahead = context.exchange.markets[order.ticker].book.queue_position(order)
    return json_response(wo.GetOrderQueuePositionResponse(queue_position_fp=count_c_to_str(ahead)))


async def queue_positions(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "read")
    exchange = context.exchange
    subaccount = subaccount_for(record, int_param(request, "subaccount", None, 0, 63))
    tickers = tickers_param(request, "market_tickers")
    event = request.query_params.get("event_ticker") or None
    names = sorted(set(tickers)) if tickers else sorted(exchange.markets)
    out: list[wo.OrderQueuePosition] = []
    for ticker in names:
        market = exchange.markets.get(ticker)
        if market is None or (event is not None and market.event_ticker != event):
            continue
        book = market.book
        out.extend(
            wo.OrderQueuePosition(
                order_id=order.order_id,
                market_ticker=ticker,
                queue_position_fp=count_c_to_str(book.queue_position(order)),
            )
            for order in book.resting()
            if order.key == (record.user_id, subaccount)
        )
    return json_response(wo.GetOrderQueuePositionsResponse(queue_positions=out))


routes = [
    Route("/portfolio/order_groups", list_groups, methods=["GET"]),
    Route("/portfolio/order_groups/create", create_group, methods=["POST"]),
    Route("/portfolio/order_groups/{order_group_id}", get_group, methods=["GET"]),
    Route("/portfolio/order_groups/{order_group_id}", delete_group, methods=["DELETE"]),
    Route("/portfolio/order_groups/{order_group_id}/reset", reset_group, methods=["PUT"]),
    Route("/portfolio/order_groups/{order_group_id}/trigger", trigger_group, methods=["PUT"]),
    Route("/portfolio/order_groups/{order_group_id}/limit", update_limit, methods=["PUT"]),
    # Before any "/portfolio/orders/{order_id}" route, which would swallow this path.
    Route("/portfolio/orders/queue_positions", queue_positions, methods=["GET"]),
    Route("/portfolio/orders/{order_id}/queue_position", queue_position, methods=["GET"]),
]
