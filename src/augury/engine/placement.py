"""Command family: placement and matching (``PlaceOrder``; the matching core amend reuses).

``PlaceOrder`` -> the order's state afterwards (``OrderUpdate``)
    Rejects, in precedence order (after ``out_of_domain``, which leads for every command:
    validation, identity, market state, then risk; ``domain/rejects.py`` groups the
    reasons the same way):

    1. ``invalid_parameters``: post-only without good-till-cancelled; a ``buy_max_cost``
       not positive.
    2. ``market_not_found``.
    3. ``invalid_price`` (off the grid), ``invalid_count`` (not a positive lot multiple),
       ``reduce_only_requires_ioc``, ``invalid_expiration`` (an expiration without
       good-till-cancelled, or not in the future).
    4. ``unknown_user``, ``invalid_parameters`` (no such subaccount).
    5. ``order_already_exists`` (the user's ``client_order_id`` is taken: by an open
       order, or by one of the user's last ``CLIENT_IDS_RETAINED`` finished ones).
    6. ``order_group_not_found``, ``order_group_triggered``.
    7. ``exchange_is_paused``, ``market_not_open``, ``trading_is_paused``,
       ``market_closed``.
    8. ``reduce_only_no_position`` (nothing to reduce, after capping the size at it).
    9. ``too_many_resting_orders`` (``MAX_RESTING_ORDERS`` per user).
    10. ``insufficient_balance`` (the account cannot carry the raised reserve).

    Once accepted nothing can refuse it: the order gets its id (``IdAllocator``), its
    collateral reserve, its place in ``orders`` (and ``client_ids``, its order group),
    then matches as taker; what remains rests (good-till-cancelled) or is cancelled.
    Events, in order: for each fill ``FillEvent`` (taker, maker), ``TradeEvent``, the
    maker's ``BookDelta`` and ``OrderUpdate`` (``filled``/``executed``), any order-group
    trigger's cancels and ``OrderGroupUpdate``; then the taker's ``BookDelta`` and
    ``OrderUpdate`` (``resting``), or its cancel, or ``executed``; finally the
    ``BalanceUpdate`` and ``PositionUpdate`` of every account and position touched.

Matching: price-time priority on one YES-priced book; the maker's price is the trade
price, so a taker crossing several levels gets price improvement. Each fill is booked on
both accounts by the ledger as a mint (both sides open), a transfer (one opens, one
closes) or a merge (both close), and collateral is re-balanced on both sides.

Order options follow Kalshi (CONTRACT.md §5): fill-or-kill checks the whole size can
fill before touching anything (and, as on Kalshi, a fill-or-kill that would meet the
user's own order behaves as immediate-or-cancel); post-only cancels instead of crossing
(``post_only_cross``); reduce-only (immediate-or-cancel only) caps the size at what the
position can close; self-trade prevention ``taker_at_cross`` cancels the incoming
remainder (``self_trade_taker``), ``maker`` cancels the resting order
(``self_trade_maker``) and keeps matching; order groups enforce a rolling contracts limit
(``engine/groups.py``).

Known limits: a market order's ``buy_max_cost`` bounds the cost before fees; queue
position is computed by walking the level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from augury.domain.enums import OrderStatus
from augury.domain.rejects import Reject, RejectReason
from augury.domain.units import CC_PER_CENT, ONE_DOLLAR_CC
from augury.engine import commands as c
from augury.engine.checks import account_of, check_size, check_trading, market_of, price_index
from augury.engine.emit import book_delta, last_order_update, order_update
from augury.engine.events import FillEvent, OrderUpdate, TradeEvent
from augury.engine.groups import OrderGroup, group_fill, open_group
from augury.engine.market import Market
from augury.engine.orders import Order
from augury.engine.reserves import closable, group_side, rebalance_held
from augury.engine.retire import cancel_order, count_resting, finish
from augury.ledger.accounts import FillSide
from augury.ledger.collateral import reserve_cc
from augury.ledger.fees import fill_fee_cc, max_fee_cc_per_lot

if TYPE_CHECKING:
    from augury.engine.exchange import Exchange

__all__ = ["MAX_RESTING_ORDERS", "execute", "place"]

MAX_RESTING_ORDERS = 200_000  # per user, as on Kalshi


def place(ex: Exchange, cmd: c.PlaceOrder, ts: int) -> OrderUpdate:
    # Option combinations are wrong whatever the market, so they are answered first
    # (INVALID_PARAMETERS leads the validation stage in rejects.py).
    if cmd.post_only and cmd.time_in_force != "good_till_canceled":
        raise Reject(RejectReason.INVALID_PARAMETERS, "post_only needs good_till_canceled")
    if cmd.buy_max_cost_cc is not None and cmd.buy_max_cost_cc <= 0:
        raise Reject(RejectReason.INVALID_PARAMETERS, "buy_max_cost must be positive")
    market = market_of(ex, cmd.ticker)
    idx = _validate(cmd, market, ts)
    account = account_of(ex, cmd.user_id, cmd.subaccount)
    # The order shares its account's key tuple and its market's ticker string instead of
    # holding copies built from the command: equal values, less memory per resting order.
    key = account.key
    ticker = market.ticker
    if cmd.client_order_id and (cmd.user_id, cmd.client_order_id) in ex.client_ids:
        raise Reject(RejectReason.ORDER_ALREADY_EXISTS, "order already exists")
    group = open_group(ex, cmd.order_group_id, cmd.user_id) if cmd.order_group_id else None
    check_trading(ex, market)
    is_bid = cmd.side == "bid"
    count_c = cmd.count_c
    # What this order could close: reduce-only caps at it, and the reserve needs it.
    closable_c = closable(ex, key, ticker, is_bid)
    if cmd.reduce_only:
        count_c = min(count_c, closable_c)
        count_c -= count_c % market.lot_c
        if count_c <= 0:
            raise Reject(
                RejectReason.REDUCE_ONLY_NO_POSITION,
                "reduce-only order has no position to reduce",
            )
    if ex.users[cmd.user_id].resting >= MAX_RESTING_ORDERS:
        raise Reject(RejectReason.TOO_MANY_ORDERS, "too many resting orders")

    # The order carries the id it gets if accepted, so it is counted in its collateral
    # group once, under its final key; the counter only moves once it is accepted.
    order = Order(
        ex.ids.next_order_id(),
        key,
        ticker,
        is_bid,
        cmd.price_cc,
        idx,
        count_c,
        market.lot_c,
        ts,
    )
    order.fee_lot_cc = max_fee_cc_per_lot(market.fees, order.outcome_limit_cc, market.lot_c)
    side_group = group_side(ex, key, ticker, is_bid)
    side_group.add(order)
    needed = reserve_cc(side_group.target_fine(closable_c))  # required_reserve, inlined
    if not ex.ledger.can_reserve(account, side_group, needed):
        side_group.remove(order)
        raise Reject(RejectReason.INSUFFICIENT_BALANCE, "insufficient balance")
    # Accepted: from here on nothing may reject.
    ex.ids.order_accepted()
    ex.ledger.set_reserve(account, side_group, needed, ts)
    _fill_in(ex, order, cmd, group, ts)
    execute(ex, order, market, cmd.buy_max_cost_cc)
    return last_order_update(ex, order)


def _validate(cmd: c.PlaceOrder, market: Market, ts: int) -> int:
    idx = price_index(market, cmd.price_cc)
    check_size(market, cmd.count_c)
    tif = cmd.time_in_force
    if cmd.reduce_only and tif != "immediate_or_cancel":
        raise Reject(
            RejectReason.REDUCE_ONLY_REQUIRES_IOC, "reduce_only requires immediate_or_cancel"
        )
    if cmd.expiration_ts_ns is not None:
        if tif != "good_till_canceled":
            raise Reject(
                RejectReason.INVALID_EXPIRATION, "expiration_time needs good_till_canceled"
            )
        if cmd.expiration_ts_ns <= ts:
            raise Reject(RejectReason.INVALID_EXPIRATION, "expiration_time is in the past")
    return idx


def _fill_in(
    ex: Exchange, order: Order, cmd: c.PlaceOrder, group: OrderGroup | None, ts: int
) -> None:
    order.time_in_force = cmd.time_in_force
    order.order_type = cmd.order_type
    order.self_trade_prevention = cmd.self_trade_prevention
    order.post_only = cmd.post_only
    order.reduce_only = cmd.reduce_only
    order.cancel_on_pause = cmd.cancel_order_on_pause
    order.expiration_ts_ns = cmd.expiration_ts_ns
    order.client_order_id = cmd.client_order_id or ""
    if cmd.legacy_side is not None and cmd.legacy_action is not None:
        order.legacy_side = cmd.legacy_side
        order.legacy_action = cmd.legacy_action
    if cmd.client_order_id:
        ex.client_ids[(cmd.user_id, cmd.client_order_id)] = order.order_id
    if group is not None:
        order.order_group_id = group.group_id
        group.orders[order.order_id] = None
    ex.orders[order.order_id] = order
    ex.users[cmd.user_id].resting += 1
    count_resting(ex, order, 1, ts)


def execute(ex: Exchange, order: Order, market: Market, max_cost_cc: int | None) -> None:
    """Match a new (or re-priced) order as taker, then rest or cancel what is left."""
    # Only post-only and fill-or-kill orders have a pre-match check, and only an order
    # that reaches the opposite touch can match; most orders just rest, so both calls
    # are skipped when they would return None at once.
    reason = None
    if order.post_only or order.time_in_force == "fill_or_kill":
        reason = _pre_match_check(order, market, max_cost_cc)
    book = market.book
    if reason is None and (
        book.best_ask <= order.price_idx if order.is_bid else book.best_bid >= order.price_idx
    ):
        reason = _match(ex, order, market)
    if order.remaining_c == 0:
        if order.status is OrderStatus.RESTING:
            finish(ex, order, OrderStatus.EXECUTED, "executed")
        return
    if reason is None and order.time_in_force != "good_till_canceled":
        reason = "fill_or_kill" if order.time_in_force == "fill_or_kill" else "immediate_or_cancel"
    if reason is not None:
        cancel_order(ex, order, reason)
        return
    ex.queue_counter += 1
    order.queue_seq = ex.queue_counter
    market.book.rest(order)
    if order.expiration_ts_ns is not None:
        ex.expiring[order.order_id] = order.expiration_ts_ns
    book_delta(ex, market, order, order.remaining_c)
    ex.out.append(order_update(ex, order, "resting"))


def _pre_match_check(order: Order, market: Market, max_cost_cc: int | None) -> str | None:
    """Return why a post-only or fill-or-kill order must be cancelled before matching, or
    None to match."""
    book = market.book
    crosses = book.best_ask <= order.price_idx if order.is_bid else book.best_bid >= order.price_idx
    if order.post_only:
        return "post_only_cross" if crosses else None
    # Fill-or-kill (the only other caller): the whole size must be able to fill.
    need = order.remaining_c
    cost_fine = 0
    for idx, _ in book.levels(not order.is_bid):
        if (idx > order.price_idx) if order.is_bid else (idx < order.price_idx):
            break
        price_cc = market.grid.prices_cc[idx]
        outcome_cc = price_cc if order.is_bid else ONE_DOLLAR_CC - price_cc
        for maker in book.orders_at(not order.is_bid, idx):
            if maker.key[0] == order.key[0]:
                return None  # Kalshi: a fill-or-kill that meets its own order acts as IOC
            take = min(need, maker.remaining_c)
            need -= take
            cost_fine += take * outcome_cc
            if need == 0:
                break
        if need == 0:
            break
    if need > 0:
        return "fill_or_kill"
    if max_cost_cc is not None and cost_fine > max_cost_cc * 100:
        return "fill_or_kill"
    return None


def _match(ex: Exchange, taker: Order, market: Market) -> str | None:
    """Cross the taker against the book; return a cancel reason if matching must stop."""
    book = market.book
    is_bid = taker.is_bid
    levels = book.asks if is_bid else book.bids
    limit = taker.price_idx
    while taker.remaining_c:
        idx = book.best_ask if is_bid else book.best_bid
        if (idx > limit or idx >= book.size) if is_bid else (idx < limit or idx < 0):
            return None
        maker = levels[idx].head()
        assert maker is not None, "best level has no live order"
        if maker.key[0] == taker.key[0]:
            if taker.self_trade_prevention == "taker_at_cross":
                return "self_trade_taker"
            cancel_order(ex, maker, "self_trade_maker")
            continue
        _trade(ex, market, taker, maker, min(taker.remaining_c, maker.remaining_c))
        if taker.status is not OrderStatus.RESTING:
            return None  # cancelled by its order group's trigger
    return None


def _trade(ex: Exchange, market: Market, taker: Order, maker: Order, count_c: int) -> None:
    ts = ex.now_ns
    price_cc = maker.price_cc
    ticker = market.ticker
    ledger = ex.ledger
    ids = ex.ids
    trade_id = ids.new_trade_id()
    taker_fee = fill_fee_cc(market.fees, price_cc, count_c, True)
    maker_fee = fill_fee_cc(market.fees, price_cc, count_c, False)
    taker_side = _fill_order(ex, market, taker, False, price_cc, count_c, taker_fee)
    maker_side = _fill_order(ex, market, maker, True, price_cc, count_c, maker_fee)
    ledger.post_fill(ticker, count_c, taker_side, maker_side, ts)
    rebalance_held(ex, taker_side.account, ticker, taker_side.position.position_c)
    rebalance_held(ex, maker_side.account, ticker, maker_side.position.position_c)
    market.volume_c += count_c
    market.open_interest_c = ledger.escrow_cc.get(ticker, 0) // CC_PER_CENT
    market.last_price_cc = price_cc
    market.last_trade_ns = ts
    out = ex.out
    for order, fee, side in ((taker, taker_fee, taker_side), (maker, maker_fee, maker_side)):
        out.append(
            FillEvent(  # positional, in field order (see engine/emit.py)
                ts,
                ids.new_fill_id(),  # fill_id
                trade_id,
                order.order_id,
                order.key[0],  # user_id
                order.key[1],  # subaccount
                ticker,
                order.side,
                order.legacy_side,
                order.legacy_action,
                price_cc,
                count_c,
                order is taker,  # is_taker
                fee,  # fee_cc
                side.position.position_c,  # post_position_c
                order.client_order_id,
            )
        )
    # TradeEvent: ts_ns, trade_id, ticker, price_cc, count_c, taker_side
    out.append(TradeEvent(ts, trade_id, ticker, price_cc, count_c, taker.side))
    book_delta(ex, market, maker, -count_c)
    if maker.remaining_c == 0:
        finish(ex, maker, OrderStatus.EXECUTED, "executed")
    else:
        out.append(order_update(ex, maker, "filled"))
    if taker.order_group_id is not None:
        group_fill(ex, taker.order_group_id, count_c)
    if maker.order_group_id is not None:
        group_fill(ex, maker.order_group_id, count_c)


def _fill_order(
    ex: Exchange,
    market: Market,
    order: Order,
    is_maker: bool,
    price_cc: int,
    count_c: int,
    fee: int,
) -> FillSide:
    """Book one order's side of a fill: its position, its counters and its collateral
    group (re-counted with the new remaining size). Cash moves in ``post_fill``."""
    ts = ex.now_ns
    ticker = market.ticker
    ledger = ex.ledger
    group = group_side(ex, order.key, ticker, order.is_bid)
    group.remove(order)
    position = ledger.position(order.key, ticker, ts)
    outcome_cc = price_cc if order.is_bid else ONE_DOLLAR_CC - price_cc
    side = ledger.fill_side(
        ledger.accounts[order.key],
        position,
        group,
        order,
        order.is_bid,
        outcome_cc,
        count_c,
        fee,
        ts,
    )
    if is_maker:
        market.book.shrink(order, count_c)
        order.maker_fill_cost_fine += outcome_cc * count_c
        order.maker_fees_cc += fee
    else:
        order.remaining_c -= count_c
        order.taker_fill_cost_fine += outcome_cc * count_c
        order.taker_fees_cc += fee
    order.fill_c += count_c
    order.updated_ns = ts
    if order.remaining_c:
        group.add(order)
    return side
