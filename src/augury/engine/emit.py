"""Building the events every command family emits: order states, book deltas, market
updates, and the balance and position changes a command leaves behind.

Every event here is stamped with ``exchange.now_ns`` (the latest command time seen). The
most frequent events are built with positional arguments in their field order: msgspec
takes them about 9x faster than keywords (``engine/events.py``; the order is pinned by
``tests/engine/test_events.py``), and each argument line names its field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from augury.domain.enums import OrderStatus
from augury.engine.events import BalanceUpdate, BookDelta, MarketUpdate, OrderUpdate, PositionUpdate
from augury.engine.market import Market
from augury.engine.orders import Order

if TYPE_CHECKING:
    from augury.engine.exchange import Exchange

__all__ = ["book_delta", "flush", "last_order_update", "market_update", "order_update"]

# ``status.value`` goes through the enum's descriptor, which costs more than a dict lookup.
_STATUS_TEXT: dict[OrderStatus, str] = {status: status.value for status in OrderStatus}


def order_update(exchange: Exchange, order: Order, reason: str) -> OrderUpdate:
    """Return the order's full public state now; ``reason`` says why it changed."""
    return OrderUpdate(
        exchange.now_ns,  # ts_ns
        order.order_id,  # order_id
        order.key[0],  # user_id
        order.key[1],  # subaccount
        order.ticker,  # ticker
        order.side,  # side
        order.price_cc,  # price_cc
        order.initial_c,  # initial_c
        order.fill_c,  # fill_c
        order.remaining_c,  # remaining_c
        _STATUS_TEXT[order.status],  # status
        reason,  # reason
        order.time_in_force,  # time_in_force
        order.order_type,  # order_type
        order.legacy_side,  # legacy_side
        order.legacy_action,  # legacy_action
        order.client_order_id,  # client_order_id
        order.order_group_id,  # order_group_id
        order.self_trade_prevention,  # self_trade_prevention
        order.post_only,  # post_only
        order.cancel_on_pause,  # cancel_order_on_pause
        order.expiration_ts_ns,  # expiration_ts_ns
        order.created_ns,  # created_ns
        order.taker_fill_cost_fine // 100,  # taker_fill_cost_cc
        order.maker_fill_cost_fine // 100,  # maker_fill_cost_cc
        order.taker_fees_cc,  # taker_fees_cc
        order.maker_fees_cc,  # maker_fees_cc
        order.queue_seq,  # queue_seq
    )


def last_order_update(exchange: Exchange, order: Order) -> OrderUpdate:
    """Return the order's latest state, reusing the event just emitted when there is one."""
    for event in reversed(exchange.out):
        if isinstance(event, OrderUpdate) and event.order_id == order.order_id:
            if event.remaining_c == order.remaining_c and event.status == order.status:
                return event
            break
    return order_update(exchange, order, "placed")


def book_delta(exchange: Exchange, market: Market, order: Order, delta_c: int) -> None:
    """Emit a change of ``delta_c`` in the resting size at the order's level."""
    market.book_seq += 1
    exchange.out.append(
        BookDelta(
            exchange.now_ns,  # ts_ns
            market.ticker,  # ticker
            market.book_seq,  # seq
            order.side,  # side
            order.price_cc,  # price_cc
            delta_c,  # delta_c
            order.key[0],  # user_id
            order.key[1],  # subaccount
            order.client_order_id,  # client_order_id
        )
    )


def market_update(exchange: Exchange, market: Market, kind: str) -> None:
    """Emit the market's lifecycle state after a change of ``kind``."""
    market.updated_ns = exchange.now_ns
    exchange.out.append(
        MarketUpdate(
            ts_ns=exchange.now_ns,
            ticker=market.ticker,
            kind=kind,
            status=market.status.value,
            result=market.result,
            settlement_value_cc=market.settlement_value_cc,
        )
    )


def flush(exchange: Exchange) -> None:
    """Emit the final state of every account and position the command changed."""
    ts = exchange.now_ns
    out = exchange.out
    ledger = exchange.ledger
    for (user, sub), account in ledger.dirty_accounts.items():
        # BalanceUpdate: ts_ns, user_id, subaccount, available_cc, reserved_cc
        out.append(BalanceUpdate(ts, user, sub, account.available_cc, account.reserved_cc))
    for (user, sub, ticker), pos in ledger.dirty_positions.items():
        out.append(
            PositionUpdate(
                ts,  # ts_ns
                user,  # user_id
                sub,  # subaccount
                ticker,  # ticker
                pos.position_c,  # position_c
                pos.exposure_fine // 100,  # exposure_cc
                pos.realized_fine // 100,  # realized_pnl_cc
                pos.fees_paid_cc,  # fees_paid_cc
                pos.total_traded_fine // 100,  # total_traded_cc
                pos.resting_orders,  # resting_orders
                pos.settled,  # settled
                pos.traded_c,  # traded_c
            )
        )
