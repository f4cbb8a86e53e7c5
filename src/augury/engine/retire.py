"""Taking an order out of the exchange: cancelling what remains, or retiring it filled.

Every family that ends orders goes through here (cancel, amend and decrease, matching,
order groups, market lifecycle), so the bookkeeping is done once: the order leaves the
book (a ``BookDelta``), its collateral group and its reserve shrink, it leaves the resting
set, the expiry index and its order group, its position's resting count falls, and its
final state is emitted as an ``OrderUpdate`` with the reason. Its client order id stays
reserved for a while (``retire_client_id``, decision 0016).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from augury.domain.enums import OrderStatus
from augury.domain.limits import CLIENT_IDS_RETAINED
from augury.engine.emit import book_delta, order_update
from augury.engine.orders import Order
from augury.engine.reserves import group_side, rebalance

if TYPE_CHECKING:
    from augury.engine.exchange import Exchange

__all__ = ["cancel_order", "count_resting", "finish", "retire_client_id"]


def count_resting(exchange: Exchange, order: Order, change: int, ts_ns: int) -> None:
    """Add ``change`` to the resting-order count of the order's position (and report
    the position as changed), creating the position on the order's first use."""
    pkey = (order.key[0], order.key[1], order.ticker)
    ledger = exchange.ledger
    position = ledger.positions.get(pkey)
    if position is None:
        position = ledger.position(order.key, order.ticker, ts_ns)
    position.resting_orders += change
    ledger.dirty_positions[pkey] = position


def finish(exchange: Exchange, order: Order, status: OrderStatus, reason: str) -> None:
    """Retire an order that left the book (filled or cancelled)."""
    now = exchange.now_ns
    order.status = status
    order.updated_ns = now
    exchange.orders.pop(order.order_id, None)
    exchange.expiring.pop(order.order_id, None)
    exchange.users[order.key[0]].resting -= 1
    count_resting(exchange, order, -1, now)
    if order.order_group_id is not None:
        group = exchange.groups.get(order.order_group_id)
        if group is not None:
            group.orders.pop(order.order_id, None)
    if order.client_order_id:
        retire_client_id(exchange, order.key[0], order.client_order_id)
    exchange.out.append(order_update(exchange, order, reason))


def retire_client_id(exchange: Exchange, user_id: str, client_order_id: str) -> None:
    """Keep a client id no open order uses any more reserved for a while: while it is
    among the user's last ``CLIENT_IDS_RETAINED`` retired ones (decision 0016)."""
    retired = exchange.retired_client_ids.get(user_id)
    if retired is None:
        retired = exchange.retired_client_ids[user_id] = {}
    retired[client_order_id] = None
    if len(retired) > CLIENT_IDS_RETAINED:
        oldest = next(iter(retired))
        del retired[oldest]
        del exchange.client_ids[(user_id, oldest)]


def cancel_order(exchange: Exchange, order: Order, reason: str) -> int:
    """Cancel whatever remains of a live order; return the size cancelled."""
    market = exchange.markets[order.ticker]
    remaining = order.remaining_c
    group = group_side(exchange, order.key, order.ticker, order.is_bid)
    group.remove(order)
    if order.live:
        market.book.remove(order)
        book_delta(exchange, market, order, -remaining)
    order.remaining_c = 0
    rebalance(exchange, order.key, order.ticker)
    finish(exchange, order, OrderStatus.CANCELED, reason)
    return remaining
