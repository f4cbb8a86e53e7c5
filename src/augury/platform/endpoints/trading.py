"""Trades (immediate-or-cancel at a limit), limit orders, and their listings.

Every order is an ordinary ``PlaceOrder`` through the sequencer (see
``platform.trading``); a refusal changes nothing (the engine refuses before it mutates).
"""

from __future__ import annotations

from typing import Literal

from starlette.responses import Response

from augury.domain.units import C_PER_CONTRACT, ONE_DOLLAR_CC
from augury.engine import commands as c
from augury.engine.events import OrderUpdate
from augury.platform import render
from augury.platform import schemas as s
from augury.platform.fees import ceil_cents, fill_fee_cents
from augury.platform.http import PlatformError, json_reply
from augury.platform.reads import FillRecord, MarketView, OrderRecord
from augury.platform.routing import Call, Endpoint, Query
from augury.platform.trading import (
    OrderIntent,
    error_for,
    parse_quantity_c,
    place_command,
    summarise_fills,
)

__all__ = ["ENDPOINTS", "fill_direction", "limit_order_wire"]

_SCAN_MAX = 5_000  # rows looked at per listing page when a filter drops some


def fill_direction(legacy_side: str, legacy_action: str) -> tuple[s.Side, s.Action]:
    side: s.Side = "NO" if legacy_side == "no" else "YES"
    action: s.Action = "SELL" if legacy_action == "sell" else "BUY"
    return side, action


def _side_price(yes_price_cc: int, side: str) -> int:
    return yes_price_cc if side == "YES" else ONE_DOLLAR_CC - yes_price_cc


def _market(call: Call, option_id: str) -> MarketView:
    market = call.platform.reads.market(option_id)
    if market is None:
        raise PlatformError(404, "no such option")
    return market


async def _resolve_option(call: Call, body: s.TradeRequest) -> MarketView:
    if body.option_id is not None:
        return _market(call, body.option_id)
    if body.event_slug is None or body.option_label is None:
        raise PlatformError(400, "give optionId, or eventSlug and optionLabel")
    from augury.platform.endpoints.markets import event_for_slug

    event = await event_for_slug(call, body.event_slug)
    for market in event.markets:
        if market.label.lower() == body.option_label.lower():
            return market
    raise PlatformError(404, "no option with that label in this event")


async def place_trade(call: Call) -> Response:
    body: s.TradeRequest = call.body
    market = await _resolve_option(call, body)
    user_id = call.user.user_id
    intent = OrderIntent(
        user_id,
        market.ticker,
        body.side,
        body.action,
        parse_quantity_c(body.quantity),
        body.price_cents,
    )
    outcome = await call.platform.submit(
        place_command(intent, immediate=True, reduce_only=body.action == "SELL")
    )
    if outcome.reject is not None:
        raise error_for(outcome.reject)
    order = outcome.value
    assert isinstance(order, OrderUpdate)
    fills = summarise_fills(outcome, order.order_id, body.side)
    if fills.count_c == 0:
        raise PlatformError(
            409,
            f"nothing traded: no offers at {body.price_cents}¢ or better for {body.side}",
        )
    balance = call.platform.reads.balance(user_id)
    return json_reply(
        s.TradeResult(
            order_id=order.order_id,
            option_id=market.ticker,
            side=body.side,
            action=body.action,
            status=order.status,
            requested_quantity_centis=intent.count_c,
            filled_quantity=fills.count_c // C_PER_CONTRACT,
            filled_quantity_centis=fills.count_c,
            average_price_cents=fills.average_price_cc // 100,
            average_price_bps=fills.average_price_cc,
            notional_cents=fills.notional_cc // 100,
            fee_cents=ceil_cents(fills.fee_cc),  # a new order: its fees so far (decision 0041)
            balance_cents=(balance.available_cc if balance else 0) // 100,
        ),
        201,
    )


async def _fill_fees_cents(call: Call, fills: list[FillRecord]) -> dict[str, int]:
    """Each fill's fee as the balance saw it (decision 0041), by fill id."""
    orders = sorted({fill.order_id for fill in fills})
    rows = await call.platform.reads.order_fills_fees(call.user.user_id, orders)
    before: dict[str, int] = {}
    cents: dict[str, int] = {}
    for order_id, fill_id, fee_cc in rows:
        paid = before.get(order_id, 0)
        cents[fill_id] = fill_fee_cents(paid, fee_cc)
        before[order_id] = paid + fee_cc
    return cents


def _trade_wire(
    call: Call, fill: FillRecord, status: Literal["open", "closed"], fee_cents: int
) -> s.Trade:
    side, action = fill_direction(fill.legacy_side, fill.legacy_action)
    market = call.platform.reads.market(fill.ticker)
    price = _side_price(fill.price_cc, side)
    return s.Trade(
        id=fill.fill_id,
        order_id=fill.order_id,
        option_id=fill.ticker,
        event_slug=call.platform.slugs.by_event.get(market.event_ticker) if market else None,
        label=market.label if market else "",
        side=side,
        action=action,
        quantity=fill.count_c // C_PER_CONTRACT,
        quantity_centis=fill.count_c,
        price_cents=price // 100,
        price_bps=price,
        fee_cents=fee_cents,
        is_taker=fill.is_taker,
        status=status,
        created_at=render.iso(fill.ts_ns) or "",
    )


def _position_open(call: Call, user_id: str, ticker: str) -> bool:
    position = call.platform.reads.position(user_id, ticker)
    return position is not None and position.position_c != 0 and not position.settled


async def list_trades(call: Call) -> Response:
    status = call.query("status")
    if status not in (None, "open", "closed"):
        raise PlatformError(400, "status is open or closed")
    limit = call.int_query("limit", 50, 1, 200)
    cursor = call.query("cursor", "") or ""
    user_id = call.user.user_id
    reads = call.platform.reads
    picked: list[s.Trade] = []
    scanned = 0
    while len(picked) < limit and scanned < _SCAN_MAX:
        fills, cursor = await reads.fills(user_id, 200 if status else limit, cursor)
        scanned += len(fills)
        fees = await _fill_fees_cents(call, fills)
        for fill in fills:
            state: Literal["open", "closed"] = (
                "open" if _position_open(call, user_id, fill.ticker) else "closed"
            )
            if status is None or state == status:
                picked.append(_trade_wire(call, fill, state, fees[fill.fill_id]))
        if not cursor:
            break
    # A filtered page may stop mid-page; its cursor then resumes after the last scanned
    # page, which can skip rows of that page: the filter is a view, not an index.
    return json_reply(s.TradeList(trades=picked[:limit], next_cursor=cursor or None))


def limit_order_wire(call: Call, order: OrderRecord) -> s.LimitOrder:
    side, action = fill_direction(order.legacy_side, order.legacy_action)
    market = call.platform.reads.market(order.ticker)
    status: Literal["open", "filled", "cancelled"] = (
        "open"
        if order.status == "resting"
        else "filled"
        if order.remaining_c == 0 and order.status == "executed"
        else "cancelled"
    )
    return s.LimitOrder(
        id=order.order_id,
        option_id=order.ticker,
        event_slug=call.platform.slugs.by_event.get(market.event_ticker) if market else None,
        label=market.label if market else "",
        side=side,
        action=action,
        quantity_centis=order.initial_c,
        filled_quantity_centis=order.fill_c,
        remaining_quantity_centis=order.remaining_c if order.status == "resting" else 0,
        limit_price_cents=_side_price(order.price_cc, side) // 100,
        status=status,
        created_at=render.iso(order.created_ns) or "",
        expires_at=render.iso(order.expiration_ts_ns),
    )


async def place_limit_order(call: Call) -> Response:
    body: s.LimitOrderRequest = call.body
    market = _market(call, body.option_id)
    user_id = call.user.user_id
    intent = OrderIntent(
        user_id,
        market.ticker,
        body.side,
        body.action,
        parse_quantity_c(body.quantity),
        body.limit_price_cents,
    )
    if body.action == "SELL":
        position = call.platform.reads.position(user_id, market.ticker)
        held = 0 if position is None else position.position_c
        held_side = held if body.side == "YES" else -held
        if held_side < intent.count_c:
            raise PlatformError(
                409, f"you hold {max(held_side, 0) / 100:g} {body.side}; sell at most that"
            )
    expires = (
        None
        if body.expires_in_hours is None
        else call.platform.clock.now_ns() + body.expires_in_hours * 3_600_000_000_000
    )
    outcome = await call.platform.submit(
        place_command(intent, immediate=False, expiration_ts_ns=expires)
    )
    if outcome.reject is not None:
        raise error_for(outcome.reject)
    order = outcome.value
    assert isinstance(order, OrderUpdate)
    record = await call.platform.reads.order(order.order_id)
    assert record is not None
    return json_reply(s.LimitOrderResponse(order=limit_order_wire(call, record)), 201)


async def list_limit_orders(call: Call) -> Response:
    status = call.query("status", "open")
    if status not in ("open", "history"):
        raise PlatformError(400, "status is open or history")
    limit = call.int_query("limit", 50, 1, 200)
    user_id = call.user.user_id
    if status == "open":
        rows = call.platform.reads.resting_orders(user_id)
        offset = call.int_query("cursor", 0, 0, 1_000_000)
        page = rows[offset : offset + limit]
        more = len(rows) > offset + limit
        return json_reply(
            s.LimitOrderList(
                orders=[limit_order_wire(call, o) for o in page],
                next_cursor=str(offset + limit) if more else None,
            )
        )
    cursor = call.query("cursor", "") or ""
    picked: list[s.LimitOrder] = []
    scanned = 0
    while len(picked) < limit and scanned < _SCAN_MAX:
        orders, cursor = await call.platform.reads.orders(user_id, None, 200, cursor)
        scanned += len(orders)
        for order in orders:
            if order.time_in_force == "good_till_canceled" and order.status != "resting":
                picked.append(limit_order_wire(call, order))
        if not cursor:
            break
    return json_reply(s.LimitOrderList(orders=picked[:limit], next_cursor=cursor or None))


async def cancel_limit_order(call: Call) -> Response:
    order_id = call.path_params["id"]
    user_id = call.user.user_id
    outcome = await call.platform.submit(
        c.CancelOrder(user_id=user_id, order_id=order_id, subaccount=0)
    )
    if outcome.reject is not None:
        # Not resting: say so only to the order's owner (anyone else learns nothing).
        record = await call.platform.reads.order(order_id)
        if record is not None and record.user_id == user_id:
            raise PlatformError(409, "the order is no longer open (filled or cancelled)")
        raise PlatformError(404, "no such order")
    record = await call.platform.reads.order(order_id)
    assert record is not None
    return json_reply(s.LimitOrderResponse(order=limit_order_wire(call, record)))


ENDPOINTS = [
    Endpoint(
        "POST",
        "/api/trades",
        place_trade,
        "write",
        "Market trade: immediate-or-cancel limited at priceCents (SELL only sells what you hold)",
        s.TradeRequest,
        s.TradeResult,
        statuses=(201, 400, 401, 402, 403, 404, 409, 429),
    ),
    Endpoint(
        "GET",
        "/api/trades",
        list_trades,
        "read",
        "Your trades (fills), newest first; open while you still hold that option",
        response=s.TradeList,
        statuses=(200, 400, 401, 429),
        query=(
            Query("status", "open or closed"),
            Query("limit", "1-200 (default 50)", {"type": "integer"}),
            Query("cursor", "nextCursor of the previous page"),
        ),
    ),
    Endpoint(
        "POST",
        "/api/limit-orders",
        place_limit_order,
        "write",
        "Place a limit order (rests until filled, cancelled or expired)",
        s.LimitOrderRequest,
        s.LimitOrderResponse,
        statuses=(201, 400, 401, 402, 403, 404, 409, 429),
    ),
    Endpoint(
        "GET",
        "/api/limit-orders",
        list_limit_orders,
        "read",
        "Your limit orders: open, or history (filled and cancelled)",
        response=s.LimitOrderList,
        statuses=(200, 400, 401, 429),
        query=(
            Query("status", "open (default) or history"),
            Query("limit", "1-200 (default 50)", {"type": "integer"}),
            Query("cursor", "nextCursor of the previous page"),
        ),
    ),
    Endpoint(
        "DELETE",
        "/api/limit-orders/{id}",
        cancel_limit_order,
        "write",
        "Cancel a limit order",
        response=s.LimitOrderResponse,
        statuses=(200, 401, 403, 404, 409, 429),
    ),
]
