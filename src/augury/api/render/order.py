"""Orders: the ``Order`` object (REST v2 reads, legacy v1 writes), the V2 write responses
and the WebSocket ``user_order`` message.

- ``order`` renders an order's latest state, a live ``OrderUpdate`` or its stored history
  row: ``last_update_time`` is the event's time or the row's ``updated_ns``. The legacy
  ``side``/``action`` are the client's own words (``legacy_side``/``legacy_action``);
  ``queue_position`` is the retired courtesy field, always 0.
- Averages (V2 create and amend): the per-contract average YES fill price, and the
  per-contract average fee, both floored to the centi-cent; absent before any fill.
- ``reduced_by`` of a cancel is passed in: it is measured from the cancel's own book
  change, not from the order's state (a fill racing the cancel is not "reduced").
"""

from __future__ import annotations

from typing import Any, cast

import msgspec

from augury.api.modes import current
from augury.api.render.common import ms, outcome_side
from augury.api.schemas import orders as wo
from augury.api.schemas import orders_v2 as w
from augury.api.schemas.base import legacy_cents, legacy_contracts, rfc3339_from_ns
from augury.api.ws import messages as m
from augury.domain.units import ONE_DOLLAR_CC, count_c_to_str, dollars_cc_to_str
from augury.engine.events import OrderUpdate
from augury.queries.views import OrderRecord, QueuePosition

__all__ = [
    "amended",
    "averages",
    "batch_canceled",
    "batch_created",
    "canceled",
    "created",
    "decreased",
    "order",
    "queue_position",
    "queue_positions",
    "user_order_message",
]

_encode = msgspec.json.Encoder().encode


def order(update: OrderUpdate | OrderRecord) -> wo.Order:
    """Render an order from its latest state: a live engine event or its stored row."""
    yes = update.price_cc
    updated_ns = update.ts_ns if isinstance(update, OrderUpdate) else update.updated_ns
    return wo.Order(
        order_id=update.order_id,
        user_id=update.user_id,
        client_order_id=update.client_order_id,
        ticker=update.ticker,
        side=cast(Any, update.legacy_side),
        action=cast(Any, update.legacy_action),
        outcome_side=cast(Any, outcome_side(update.side)),
        book_side=cast(Any, update.side),
        type=cast(Any, update.order_type),
        status=cast(Any, update.status),
        yes_price_dollars=dollars_cc_to_str(yes),
        no_price_dollars=dollars_cc_to_str(ONE_DOLLAR_CC - yes),
        fill_count_fp=count_c_to_str(update.fill_c),
        remaining_count_fp=count_c_to_str(update.remaining_c),
        initial_count_fp=count_c_to_str(update.initial_c),
        taker_fill_cost_dollars=dollars_cc_to_str(update.taker_fill_cost_cc),
        maker_fill_cost_dollars=dollars_cc_to_str(update.maker_fill_cost_cc),
        taker_fees_dollars=dollars_cc_to_str(update.taker_fees_cc),
        maker_fees_dollars=dollars_cc_to_str(update.maker_fees_cc),
        expiration_time=(
            rfc3339_from_ns(update.expiration_ts_ns) if update.expiration_ts_ns else None
        ),
        created_time=rfc3339_from_ns(update.created_ns),
        last_update_time=rfc3339_from_ns(updated_ns),
        self_trade_prevention_type=cast(Any, update.self_trade_prevention),
        order_group_id=update.order_group_id,
        cancel_order_on_pause=update.cancel_order_on_pause,
        subaccount_number=update.subaccount,
        exchange_index=0,
        yes_price=legacy_cents(yes),
        no_price=legacy_cents(ONE_DOLLAR_CC - yes),
        fill_count=legacy_contracts(update.fill_c),
        remaining_count=legacy_contracts(update.remaining_c),
        initial_count=legacy_contracts(update.initial_c),
        taker_fees=legacy_cents(update.taker_fees_cc),
        maker_fees=legacy_cents(update.maker_fees_cc),
        taker_fill_cost=legacy_cents(update.taker_fill_cost_cc),
        maker_fill_cost=legacy_cents(update.maker_fill_cost_cc),
        queue_position=0,
        **(_order_courtesy(update) if current().tutorials else {}),
    )


def _order_courtesy(update: OrderUpdate | OrderRecord) -> dict[str, Any]:
    """``--compat tutorials``: whole ``count``, cents ``total_cost`` and ``avg_price``."""
    cost_cc = update.taker_fill_cost_cc + update.maker_fill_cost_cc
    fill_c = update.fill_c
    return {
        "count": legacy_contracts(update.initial_c),
        "total_cost": legacy_cents(cost_cc),
        # Cents per contract on the order's own side, rounded half up; None until filled.
        "avg_price": (2 * cost_cc + fill_c) // (2 * fill_c) if fill_c else None,
    }


def averages(update: OrderUpdate) -> tuple[str | None, str | None]:
    """Return the per-contract average YES fill price and fee, or None before any fill."""
    if update.fill_c == 0:
        return None, None
    cost_cc = update.taker_fill_cost_cc + update.maker_fill_cost_cc
    outcome_avg = cost_cc * 100 // update.fill_c
    yes_avg = outcome_avg if update.side == "bid" else ONE_DOLLAR_CC - outcome_avg
    fee_avg = (update.taker_fees_cc + update.maker_fees_cc) * 100 // update.fill_c
    return dollars_cc_to_str(yes_avg), dollars_cc_to_str(fee_avg)


def created(update: OrderUpdate) -> w.CreateOrderV2Response:
    """Render the answer to a V2 create."""
    avg_price, avg_fee = averages(update)
    return w.CreateOrderV2Response(
        order_id=update.order_id,
        client_order_id=update.client_order_id or None,
        fill_count=count_c_to_str(update.fill_c),
        remaining_count=count_c_to_str(update.remaining_c),
        average_fill_price=avg_price,
        average_fee_paid=avg_fee,
        ts_ms=ms(update.ts_ns),
    )


def batch_created(update: OrderUpdate) -> w.BatchCreateOrdersV2ResponseOrdersInner:
    """Render one accepted item of a V2 batch create."""
    one = created(update)
    return w.BatchCreateOrdersV2ResponseOrdersInner(
        order_id=one.order_id,
        client_order_id=one.client_order_id,
        fill_count=one.fill_count,
        remaining_count=one.remaining_count,
        average_fill_price=one.average_fill_price,
        average_fee_paid=one.average_fee_paid,
        ts_ms=one.ts_ms,
    )


def canceled(update: OrderUpdate, reduced_c: int) -> w.CancelOrderV2Response:
    """Render the answer to a V2 cancel that took ``reduced_c`` off the book."""
    return w.CancelOrderV2Response(
        order_id=update.order_id,
        client_order_id=update.client_order_id or None,
        reduced_by=count_c_to_str(reduced_c),
        ts_ms=ms(update.ts_ns),
    )


def batch_canceled(update: OrderUpdate, reduced_c: int) -> w.BatchCancelOrdersV2ResponseOrdersInner:
    """Render one accepted item of a V2 batch cancel."""
    return w.BatchCancelOrdersV2ResponseOrdersInner(
        order_id=update.order_id,
        client_order_id=update.client_order_id or None,
        reduced_by=count_c_to_str(reduced_c),
        ts_ms=ms(update.ts_ns),
    )


def amended(update: OrderUpdate) -> w.AmendOrderV2Response:
    """Render the answer to a V2 amend (the order's new state)."""
    avg_price, avg_fee = averages(update)
    return w.AmendOrderV2Response(
        order_id=update.order_id,
        client_order_id=update.client_order_id or None,
        remaining_count=count_c_to_str(update.remaining_c),
        fill_count=count_c_to_str(update.fill_c),
        average_fill_price=avg_price,
        average_fee_paid=avg_fee,
        ts_ms=ms(update.ts_ns),
    )


def decreased(update: OrderUpdate) -> w.DecreaseOrderV2Response:
    """Render the answer to a V2 decrease."""
    return w.DecreaseOrderV2Response(
        order_id=update.order_id,
        client_order_id=update.client_order_id or None,
        remaining_count=count_c_to_str(update.remaining_c),
        ts_ms=ms(update.ts_ns),
    )


def queue_position(ahead_c: int) -> wo.GetOrderQueuePositionResponse:
    """Render one resting order's queue position: the size resting ahead of it."""
    return wo.GetOrderQueuePositionResponse(queue_position_fp=count_c_to_str(ahead_c))


def queue_positions(positions: list[QueuePosition]) -> wo.GetOrderQueuePositionsResponse:
    """Render the queue positions of several resting orders."""
    return wo.GetOrderQueuePositionsResponse(
        queue_positions=[
            wo.OrderQueuePosition(
                order_id=position.order_id,
                market_ticker=position.ticker,
                queue_position_fp=count_c_to_str(position.ahead_c),
            )
            for position in positions
        ]
    )


def user_order_message(update: OrderUpdate) -> bytes:
    """Build a private ``user_order`` WebSocket body."""
    expiration = update.expiration_ts_ns
    return _encode(
        m.UserOrderMsg(
            order_id=update.order_id,
            user_id=update.user_id,
            ticker=update.ticker,
            status=update.status,
            side=update.legacy_side,
            is_yes=update.legacy_side == "yes",
            outcome_side=outcome_side(update.side),
            book_side=update.side,
            yes_price_dollars=dollars_cc_to_str(update.price_cc),
            fill_count_fp=count_c_to_str(update.fill_c),
            remaining_count_fp=count_c_to_str(update.remaining_c),
            initial_count_fp=count_c_to_str(update.initial_c),
            taker_fill_cost_dollars=dollars_cc_to_str(update.taker_fill_cost_cc),
            maker_fill_cost_dollars=dollars_cc_to_str(update.maker_fill_cost_cc),
            taker_fees_dollars=dollars_cc_to_str(update.taker_fees_cc),
            maker_fees_dollars=dollars_cc_to_str(update.maker_fees_cc),
            client_order_id=update.client_order_id,
            exchange_index=0,
            created_time=rfc3339_from_ns(update.created_ns),
            created_ts_ms=ms(update.created_ns),
            last_update_time=rfc3339_from_ns(update.ts_ns),
            last_updated_ts_ms=ms(update.ts_ns),
            subaccount_number=update.subaccount,
            order_group_id=update.order_group_id,
            self_trade_prevention_type=update.self_trade_prevention,
            expiration_time=rfc3339_from_ns(expiration) if expiration else None,
            expiration_ts_ms=ms(expiration) if expiration else None,
        )
    )
