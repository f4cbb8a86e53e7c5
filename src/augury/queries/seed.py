"""Start a live index from a recovered engine state (the one reader of engine memory).

Recovery loads a snapshot and replays the journal after it; the index must start from the
same state the sequencer starts from, so ``seed_index`` reads the Python engine's state
once, at boot, and builds exactly the indexes the events would have built (same order of
users' resting orders, of level queues and of group members). After that the index follows
events only (``augury.queries.index``).

A second engine implementation needs its own seed, or can rebuild the index by replaying
the journal from its first command through ``LiveIndex.on_applied``.
"""

from __future__ import annotations

from augury.domain.event_fees import event_fee_override
from augury.domain.units import FINE_PER_CC
from augury.engine.events import BalanceUpdate, OrderUpdate, PositionUpdate
from augury.engine.exchange import Exchange
from augury.engine.orders import Order
from augury.queries.index import EventRecord, GroupRecord, LiveIndex, PositionRecord, UserRecord
from augury.queries.markets import MarketState, due_ns
from augury.queries.views import ApiKeyView, SeriesView

__all__ = ["seed_index"]


def seed_index(exchange: Exchange) -> LiveIndex:
    """Return a live index equal to the one the events up to ``exchange``'s state build."""
    index = LiveIndex(exchange.instance_id)
    index.now_ns = exchange.now_ns
    index.trading_paused = exchange.trading_paused
    index.money_in_cc = -exchange.ledger.external_cc
    index.client_ids = dict(exchange.client_ids)
    index.retired_client_ids = {
        user: dict(retired) for user, retired in exchange.retired_client_ids.items()
    }
    _accounts(index, exchange)
    _catalog(index, exchange)
    _orders(index, exchange)
    for group in exchange.groups.values():
        record = GroupRecord(group.group_id, group.key[0], group.key[1], group.limit_c)
        record.triggered = group.triggered
        record.orders = {o: None for o in group.orders if o in exchange.orders}
        index.groups[group.group_id] = record
        index.user_groups.setdefault(group.key[0], {})[group.group_id] = None
    for info in exchange.api_keys.values():
        index.keys[info.api_key_id] = ApiKeyView(
            info.api_key_id,
            info.user_id,
            info.name,
            info.public_key_pem,
            info.key_type,
            tuple(info.scopes),
            info.subaccount,
            info.created_ns,
        )
        index.user_keys.setdefault(info.user_id, {})[info.api_key_id] = None
    return index


def _accounts(index: LiveIndex, exchange: Exchange) -> None:
    for user in exchange.users.values():
        record = UserRecord(user.user_id, user.name, user.tier, user.created_ns)
        record.subaccounts = user.subaccounts
        index.users[user.user_id] = record
    for (user_id, sub), account in exchange.ledger.accounts.items():
        index.balances[(user_id, sub)] = BalanceUpdate(
            account.updated_ns, user_id, sub, account.available_cc, account.reserved_cc
        )
    for (user_id, sub, ticker), p in exchange.ledger.positions.items():
        event = PositionUpdate(
            p.updated_ns,
            user_id,
            sub,
            ticker,
            p.position_c,
            p.exposure_fine // FINE_PER_CC,
            p.realized_fine // FINE_PER_CC,
            p.fees_paid_cc,
            p.total_traded_fine // FINE_PER_CC,
            p.resting_orders,
            p.settled,
            p.traded_c,
        )
        index.positions.setdefault(user_id, {})[(sub, ticker)] = PositionRecord(event, p.updated_ns)


def _catalog(index: LiveIndex, exchange: Exchange) -> None:
    for series in exchange.series.values():
        index.series[series.ticker] = SeriesView(
            series.ticker,
            series.fee_type,
            series.fee_multiplier_e4,
            series.meta,
            series.created_ns,
        )
    for event in exchange.events.values():
        record = EventRecord(
            event.event_ticker,
            event.series_ticker,
            event.mutually_exclusive,
            event.meta,
            event.created_ns,
        )
        record.markets = list(event.markets)
        if event_fee_override(event.meta) is not None:
            # When it was set is not part of the engine's state: it is in force now.
            record.fee_since_ns = index.now_ns
        index.events[event.event_ticker] = record
    for ticker, market in exchange.markets.items():
        state = MarketState(
            ticker,
            market.event_ticker,
            market.grid,
            fractional=market.fractional,
            open_ts_ns=market.open_ts_ns,
            close_ts_ns=market.close_ts_ns,
            settlement_timer_s=market.settlement_timer_s,
            market_type=market.market_type,
            meta=market.meta,
            created_ns=market.created_ns,
        )
        state.status = market.status
        state.result = market.result
        state.settlement_value_cc = market.settlement_value_cc
        state.determined_ns = market.determined_ns
        state.settled_ns = market.settled_ns
        state.updated_ns = market.updated_ns
        state.volume_c = market.volume_c
        state.open_interest_c = market.open_interest_c
        state.last_price_cc = market.last_price_cc
        state.last_trade_ns = market.last_trade_ns
        book = market.book
        state.bids_c = [level.total_c for level in book.bids]
        state.asks_c = [level.total_c for level in book.asks]
        state.best_bid = book.best_bid
        state.best_ask = book.best_ask
        index.markets[ticker] = state
        index.due.set(("market", ticker), due_ns(state))


def _orders(index: LiveIndex, exchange: Exchange) -> None:
    # Users' resting orders in placement order (the engine's dict order), level queues in
    # book order.
    for order in exchange.orders.values():
        update = _update(order)
        index.orders[order.order_id] = update
        index.user_orders.setdefault(order.key[0], {})[order.order_id] = None
        if order.expiration_ts_ns is not None:
            index.due.set(("order", order.order_id), order.expiration_ts_ns)
    for ticker, market in exchange.markets.items():
        state = index.markets[ticker]
        for order in market.book.resting():
            state.enqueue(index.orders[order.order_id])


def _update(order: Order) -> OrderUpdate:
    # The state a resting order's last OrderUpdate carried (its time is the order's own
    # last change; no reader of resting orders shows it).
    return OrderUpdate(
        order.updated_ns,
        order.order_id,
        order.key[0],
        order.key[1],
        order.ticker,
        order.side,
        order.price_cc,
        order.initial_c,
        order.fill_c,
        order.remaining_c,
        order.status.value,
        "resting",
        order.time_in_force,
        order.order_type,
        order.legacy_side,
        order.legacy_action,
        order.client_order_id,
        order.order_group_id,
        order.self_trade_prevention,
        order.post_only,
        order.cancel_on_pause,
        order.expiration_ts_ns,
        order.created_ns,
        order.taker_fill_cost_fine // FINE_PER_CC,
        order.maker_fill_cost_fine // FINE_PER_CC,
        order.taker_fees_cc,
        order.maker_fees_cc,
        order.queue_seq,
    )
