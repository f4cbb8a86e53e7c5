"""Command family: amend and decrease (changing a resting order's price or size).

An order keeps its place in the queue when only its size goes down; a price change or a
size increase re-enters it at the back of its (new) level, and the re-priced order may
cross and trade at once, as a new order would (``placement.execute``).

``AmendOrder`` -> ``Amended``: the order just before and just after
    ``count_c`` is the new *total* size, what already filled included.
    Rejects, in precedence order: ``order_not_found`` (or ``market_closed`` for the owner
    of an order its market's close cancelled), ``order_ticker_mismatch``,
    ``order_side_mismatch``, ``order_id_and_client_order_id_mismatch``,
    ``market_not_found``, ``invalid_price``, ``invalid_count``, ``order_already_exists``
    (``updated_client_order_id`` taken), ``invalid_expiration`` (in the past), then the
    market state (``exchange_is_paused``, ``market_not_open``, ``trading_is_paused``,
    ``market_closed``), ``invalid_amend_qty_for_order`` (total not above what filled),
    ``insufficient_balance`` (the account cannot carry the amended order).
    Events: ``BookDelta``\\s and ``OrderUpdate(amended)`` (size down only: the decrease's
    ``OrderUpdate(decreased)`` first), or for a re-entry the removal's ``BookDelta``, then
    what matching emits (see placement), then balances and positions. ``expiration_ts_ns``
    None keeps the expiry, 0 clears it, any other value sets it.
``DecreaseOrder`` -> the order's state afterwards (``canceled`` when reduced to zero)
    Rejects: ``order_not_found`` (or ``market_closed`` as above), ``market_closed`` (the
    market is past its close), ``invalid_parameters`` (not exactly one of ``reduce_by``
    and ``reduce_to``), ``invalid_count`` (not a lot multiple; ``reduce_by`` not
    positive), ``invalid_amend_qty_for_order`` (``reduce_to`` above the remaining size).
    A ``reduce_by`` beyond the remaining size cancels the order.
    Events: ``BookDelta``, ``OrderUpdate(decreased)`` (or the cancel's), balances.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from augury.domain.rejects import Reject, RejectReason
from augury.engine import commands as c
from augury.engine.checks import (
    check_maintenance,
    check_size,
    check_trading,
    market_of,
    own_order,
    price_index,
)
from augury.engine.emit import book_delta, order_update
from augury.engine.events import OrderUpdate
from augury.engine.market import Market
from augury.engine.orders import Order
from augury.engine.placement import execute
from augury.engine.reserves import group_side, rebalance, required_reserve
from augury.engine.results import Amended
from augury.engine.retire import cancel_order, retire_client_id
from augury.ledger.fees import max_fee_cc_per_lot

if TYPE_CHECKING:
    from augury.engine.exchange import Exchange

__all__ = ["amend", "decrease"]


def decrease(ex: Exchange, cmd: c.DecreaseOrder, ts: int) -> OrderUpdate:
    order = own_order(ex, cmd.user_id, cmd.order_id, cmd.subaccount)
    market = check_maintenance(ex, order)
    if (cmd.reduce_by_c is None) == (cmd.reduce_to_c is None):
        raise Reject(RejectReason.INVALID_PARAMETERS, "give exactly one of reduce_by and reduce_to")
    if cmd.reduce_by_c is not None:
        if cmd.reduce_by_c <= 0 or cmd.reduce_by_c % market.lot_c:
            raise Reject(RejectReason.INVALID_COUNT, "reduce_by must be a positive lot multiple")
        new_remaining = max(0, order.remaining_c - cmd.reduce_by_c)
    else:
        assert cmd.reduce_to_c is not None
        if cmd.reduce_to_c < 0 or cmd.reduce_to_c % market.lot_c:
            raise Reject(RejectReason.INVALID_COUNT, "reduce_to must be a lot multiple")
        if cmd.reduce_to_c > order.remaining_c:
            raise Reject(RejectReason.INVALID_AMEND, "reduce_to exceeds the remaining size")
        new_remaining = cmd.reduce_to_c
    if new_remaining == 0:
        cancel_order(ex, order, "canceled")
        return order_update(ex, order, "canceled")
    _shrink_resting(ex, order, market, order.remaining_c - new_remaining)
    return order_update(ex, order, "decreased")


def _shrink_resting(ex: Exchange, order: Order, market: Market, by_c: int) -> None:
    if by_c == 0:
        return
    group = group_side(ex, order.key, order.ticker, order.is_bid)
    group.remove(order)
    market.book.shrink(order, by_c)
    group.add(order)
    order.updated_ns = ex.now_ns
    rebalance(ex, order.key, order.ticker)
    book_delta(ex, market, order, -by_c)
    ex.out.append(order_update(ex, order, "decreased"))


def amend(ex: Exchange, cmd: c.AmendOrder, ts: int) -> Amended:
    order = own_order(ex, cmd.user_id, cmd.order_id, cmd.subaccount)
    if cmd.ticker != order.ticker:
        raise Reject(RejectReason.ORDER_TICKER_MISMATCH, "ticker does not match the order")
    if cmd.side != order.side:
        raise Reject(RejectReason.ORDER_SIDE_MISMATCH, "side does not match the order")
    if cmd.client_order_id and cmd.client_order_id != order.client_order_id:
        raise Reject(
            RejectReason.ORDER_ID_CLIENT_ORDER_ID_MISMATCH, "client_order_id does not match"
        )
    market = market_of(ex, order.ticker)
    idx = price_index(market, cmd.price_cc)
    check_size(market, cmd.count_c)
    new_coid = cmd.updated_client_order_id
    if new_coid and new_coid != order.client_order_id and (cmd.user_id, new_coid) in ex.client_ids:
        raise Reject(RejectReason.ORDER_ALREADY_EXISTS, "updated_client_order_id already used")
    expiration = order.expiration_ts_ns
    if cmd.expiration_ts_ns is not None:
        expiration = cmd.expiration_ts_ns or None
        if expiration is not None and expiration <= ts:
            raise Reject(RejectReason.INVALID_EXPIRATION, "expiration_time is in the past")
    # Checks run validation, identity, market state, then risk (as for new orders), so a
    # paused market answers trading_is_paused whatever the requested size.
    check_trading(ex, market)
    new_remaining = cmd.count_c - order.fill_c
    if new_remaining <= 0:
        raise Reject(RejectReason.INVALID_AMEND, "count must exceed the filled size")
    _reserve_amend(ex, order, market, cmd.price_cc, idx, new_remaining)
    # Accepted.
    old = order_update(ex, order, "amended")
    if new_coid and new_coid != order.client_order_id:
        ex.client_ids[(cmd.user_id, new_coid)] = order.order_id
        if order.client_order_id:
            retire_client_id(ex, cmd.user_id, order.client_order_id)
        order.client_order_id = new_coid
    order.expiration_ts_ns = expiration
    ex.expiring.pop(order.order_id, None)
    keeps_place = cmd.price_cc == order.price_cc and new_remaining <= order.remaining_c
    order.initial_c = cmd.count_c
    if keeps_place:
        if expiration is not None:
            ex.expiring[order.order_id] = expiration
        _shrink_resting(ex, order, market, order.remaining_c - new_remaining)
        return Amended(old, order_update(ex, order, "amended"))
    group = group_side(ex, order.key, order.ticker, order.is_bid)
    group.remove(order)
    market.book.unqueue(order)
    book_delta(ex, market, order, -order.remaining_c)
    order.set_price(cmd.price_cc, idx)
    order.remaining_c = new_remaining
    order.fee_lot_cc = max_fee_cc_per_lot(market.fees, order.outcome_limit_cc, market.lot_c)
    order.updated_ns = ts
    group.add(order)
    execute(ex, order, market, None)
    rebalance(ex, order.key, order.ticker)
    return Amended(old, order_update(ex, order, "amended"))


def _reserve_amend(
    ex: Exchange, order: Order, market: Market, price_cc: int, idx: int, remaining_c: int
) -> None:
    """Check the account can carry the amended order; change nothing if not."""
    group = group_side(ex, order.key, order.ticker, order.is_bid)
    saved = (order.price_cc, order.price_idx, order.remaining_c, order.fee_lot_cc)
    group.remove(order)
    order.set_price(price_cc, idx)
    order.remaining_c = remaining_c
    order.fee_lot_cc = max_fee_cc_per_lot(market.fees, order.outcome_limit_cc, market.lot_c)
    group.add(order)
    needed = required_reserve(ex, order.key, order.ticker, order.is_bid, group)
    account = ex.ledger.accounts[order.key]
    ok = ex.ledger.can_reserve(account, group, needed)
    group.remove(order)
    order.set_price(saved[0], saved[1])
    order.remaining_c = saved[2]
    order.fee_lot_cc = saved[3]
    group.add(order)
    if not ok:
        raise Reject(RejectReason.INSUFFICIENT_BALANCE, "insufficient balance for the amendment")
    if needed > group.reserve_cc:
        ex.ledger.set_reserve(account, group, needed, ex.now_ns)
