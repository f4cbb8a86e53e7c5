"""The engine-neutral snapshot: the whole exchange as one MessagePack document.

Both engines write and read this document (the native one in ``native/core/src/
snapshot.rs``, whose module comment draws the layout), and for the same state they write
the same bytes, so a store written under one engine recovers under the other. Every list
has a defined order: creation order for users, accounts, keys, series, events, markets and
positions (the order the Python dicts iterate in), book order (bids best first, then asks,
each level first-in first-out) for resting orders, id order for groups and their members,
and sorted order for reserves, client ids, retired client ids (by user; each user's list
oldest first), closed orders and transfer ids.

Only what cannot be derived is stored: collateral groups are re-counted from the resting
orders (their reserves are stored), and the due index (order expiries and markets' next
lifecycle steps, ``engine/due.py``), position holders and the order index are rebuilt.
Metadata dicts travel as their msgspec encoding (bytes).

Invariant: ``load_state(dump_state(x))`` has the state digest of ``x`` and behaves like
``x`` for every future command; ``dump_state`` of the loaded exchange is byte-identical.
"""

from __future__ import annotations

from typing import Any

import msgspec

from augury.domain.enums import FeeType, MarketStatus, OrderStatus
from augury.domain.grid import GRIDS
from augury.engine.due import market_due_ns
from augury.engine.exchange import ApiKeyInfo, Exchange, UserInfo
from augury.engine.groups import OrderGroup
from augury.engine.ids import IdAllocator
from augury.engine.market import EventInfo, Market, SeriesInfo
from augury.engine.orders import Order
from augury.engine.reserves import group_side
from augury.ledger.accounts import Account
from augury.ledger.fees import FeeSchedule

__all__ = ["dump_state", "load_state"]

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder()
_meta = msgspec.msgpack.Decoder(dict[str, object])


def _order_row(o: Order) -> list[Any]:
    return [
        o.order_id,
        o.key[0],
        o.key[1],
        o.side,
        o.price_cc,
        o.initial_c,
        o.fill_c,
        o.remaining_c,
        o.fee_lot_cc,
        o.fee_acc_fine,
        o.time_in_force,
        o.order_type,
        o.legacy_side,
        o.legacy_action,
        o.client_order_id,
        o.order_group_id,
        o.self_trade_prevention,
        o.post_only,
        o.reduce_only,
        o.cancel_on_pause,
        o.expiration_ts_ns,
        o.created_ns,
        o.updated_ns,
        o.taker_fill_cost_fine,
        o.maker_fill_cost_fine,
        o.taker_fees_cc,
        o.maker_fees_cc,
        o.queue_seq,
    ]


def _market_row(x: Exchange, m: Market) -> list[Any]:
    return [
        m.ticker,
        m.event_ticker,
        m.grid.name,
        m.fees.fee_type.value,
        int(m.fees.multiplier_e4),  # a bool override (isinstance int) is stored as 0 or 1
        m.fractional,
        m.open_ts_ns,
        m.close_ts_ns,
        m.settlement_timer_s,
        m.market_type,
        _encoder.encode(m.meta),
        m.status.value,
        m.result,
        m.settlement_value_cc,
        m.determined_ns,
        m.settled_ns,
        m.book_seq,
        m.volume_c,
        m.open_interest_c,
        m.last_price_cc,
        m.last_trade_ns,
        m.created_ns,
        m.updated_ns,
        x.ledger.escrow_cc.get(m.ticker),
        [_order_row(o) for o in m.book.resting()],
    ]


def dump_state(x: Exchange) -> bytes:
    """Encode the whole exchange as the engine-neutral snapshot document."""
    ledger = x.ledger
    doc = {
        "instance_id": x.instance_id,
        "id_prefix": x.id_prefix,
        "counters": [x.id_counter, x.queue_counter, x.now_ns, x.trading_paused],
        "ledger": [ledger.fee_revenue_cc, ledger.external_cc],
        "users": [
            [u.user_id, u.name, u.tier, u.subaccounts, u.resting, u.created_ns]
            for u in x.users.values()
        ],
        "accounts": [
            [k[0], k[1], a.available_cc, a.reserved_cc, a.updated_ns]
            for k, a in ledger.accounts.items()
        ],
        "api_keys": [
            [
                k.api_key_id,
                k.user_id,
                k.name,
                k.public_key_pem,
                k.key_type,
                list(k.scopes),
                k.subaccount,
                k.created_ns,
            ]
            for k in x.api_keys.values()
        ],
        "series": [
            [s.ticker, s.fee_type.value, s.fee_multiplier_e4, _encoder.encode(s.meta), s.created_ns]
            for s in x.series.values()
        ],
        "events": [
            [
                e.event_ticker,
                e.series_ticker,
                e.mutually_exclusive,
                _encoder.encode(e.meta),
                e.created_ns,
                list(e.markets),
            ]
            for e in x.events.values()
        ],
        "markets": [_market_row(x, m) for m in x.markets.values()],
        "positions": [
            [
                *k,
                p.position_c,
                p.exposure_fine,
                p.total_traded_fine,
                p.traded_c,
                p.realized_fine,
                p.fees_paid_cc,
                p.resting_orders,
                p.settled,
                p.updated_ns,
            ]
            for k, p in ledger.positions.items()
        ],
        "groups": [
            [
                g.group_id,
                *g.key,
                g.limit_c,
                g.triggered,
                g.window_c,
                [list(w) for w in g.window],
                list(g.orders),
                g.created_ns,
            ]
            for g in x.groups.values()
        ],
        "reserves": sorted(
            [*key, g.reserve_cc] for key, g in x.collateral.items() if g.orders or g.reserve_cc
        ),
        "client_ids": sorted([*k, v] for k, v in x.client_ids.items()),
        "retired_client_ids": sorted(
            [user, list(retired)] for user, retired in x.retired_client_ids.items()
        ),
        "closed_orders": sorted([oid, t, *key] for oid, (t, key) in x.closed_orders.items()),
        "transfers": sorted(x.transfer_ids),
    }
    return _encoder.encode(doc)


def load_state(payload: bytes | memoryview) -> Exchange:
    """Rebuild an exchange from a snapshot document (the store verified its checksum)."""
    doc = _decoder.decode(payload)
    x = Exchange(doc["instance_id"])
    id_counter, x.queue_counter, x.now_ns, x.trading_paused = doc["counters"]
    x.ids = IdAllocator.restore(doc["id_prefix"], id_counter)
    ledger = x.ledger
    ledger.fee_revenue_cc, ledger.external_cc = doc["ledger"]
    for user_id, name, tier, subs, resting_count, created in doc["users"]:
        user = x.users[user_id] = UserInfo(user_id, name, created)
        user.tier, user.subaccounts, user.resting = tier, subs, resting_count
    for user_id, sub, available, reserved, updated in doc["accounts"]:
        account = ledger.accounts[(user_id, sub)] = Account((user_id, sub), updated)
        account.available_cc, account.reserved_cc = available, reserved
    _load_catalog(x, doc)
    resting: list[Order] = []
    for row in doc["markets"]:
        resting += _load_market(x, row)
    for order in sorted(resting, key=lambda o: o.order_id):
        x.orders[order.order_id] = order
        if order.expiration_ts_ns is not None:
            x.expiring[order.order_id] = order.expiration_ts_ns
    for user_id, sub, ticker, *values in doc["positions"]:
        position = ledger.position((user_id, sub), ticker, values[-1])
        (
            position.position_c,
            position.exposure_fine,
            position.total_traded_fine,
            position.traded_c,
            position.realized_fine,
            position.fees_paid_cc,
            position.resting_orders,
            position.settled,
            position.updated_ns,
        ) = values
    _load_groups(x, doc)
    for user_id, sub, ticker, is_bid, reserve in doc["reserves"]:
        group_side(x, (user_id, sub), ticker, is_bid).reserve_cc = reserve
    for user_id, coid, order_id in doc["client_ids"]:
        x.client_ids[(user_id, coid)] = order_id
    for user_id, retired in doc["retired_client_ids"]:
        x.retired_client_ids[user_id] = dict.fromkeys(retired)
    for order_id, ticker, user_id, sub in doc["closed_orders"]:
        x.closed_orders[order_id] = (ticker, (user_id, sub))
    x.transfer_ids = set(doc["transfers"])
    return x


def _load_catalog(x: Exchange, doc: dict[str, Any]) -> None:
    for key_id, user_id, name, pem, key_type, scopes, sub, created in doc["api_keys"]:
        info = ApiKeyInfo.__new__(ApiKeyInfo)
        info.api_key_id, info.user_id, info.name = key_id, user_id, name
        info.public_key_pem, info.key_type, info.scopes = pem, key_type, tuple(scopes)
        info.subaccount, info.created_ns = sub, created
        x.api_keys[key_id] = info
    for ticker, fee_type, mult, meta, created in doc["series"]:
        x.series[ticker] = SeriesInfo(ticker, FeeType(fee_type), mult, _meta.decode(meta), created)
    for ticker, series, exclusive, meta, created, markets in doc["events"]:
        event = x.events[ticker] = EventInfo(ticker, series, exclusive, _meta.decode(meta), created)
        event.markets = list(markets)


def _load_groups(x: Exchange, doc: dict[str, Any]) -> None:
    for gid, user_id, sub, limit, triggered, window_c, window, members, created in doc["groups"]:
        group = x.groups[gid] = OrderGroup(gid, (user_id, sub), limit, created)
        group.triggered, group.window_c = triggered, window_c
        group.window.extend((ts, count) for ts, count in window)
        group.orders = dict.fromkeys(members)


def _load_market(x: Exchange, row: list[Any]) -> list[Order]:
    (
        ticker,
        event_ticker,
        structure,
        fee_type,
        mult,
        fractional,
        open_ns,
        close_ns,
        timer,
        market_type,
        meta,
        status,
        result,
        value,
        determined,
        settled,
        book_seq,
        volume,
        open_interest,
        last_price,
        last_trade,
        created,
        updated,
        escrow,
        orders,
    ) = row
    grid = GRIDS[structure]
    market = Market(
        ticker,
        event_ticker,
        grid,
        FeeSchedule(FeeType(fee_type), mult),
        fractional=fractional,
        open_ts_ns=open_ns,
        close_ts_ns=close_ns,
        settlement_timer_s=timer,
        market_type=market_type,
        meta=_meta.decode(meta),
        ts_ns=created,
    )
    market.status = MarketStatus(status)
    market.result, market.settlement_value_cc = result, value
    market.determined_ns, market.settled_ns = determined, settled
    market.book_seq, market.volume_c, market.open_interest_c = book_seq, volume, open_interest
    market.last_price_cc, market.last_trade_ns, market.updated_ns = last_price, last_trade, updated
    market.seq = len(x.markets)
    x.markets[ticker] = market
    x.market_due.set(ticker, market_due_ns(market))
    if escrow is not None:
        x.ledger.escrow_cc[ticker] = escrow
    loaded = []
    for o in orders:
        order = _load_order(x, market, o)
        market.book.rest(order)
        group_side(x, order.key, ticker, order.is_bid).add(order)
        loaded.append(order)
    return loaded


def _load_order(x: Exchange, market: Market, o: list[Any]) -> Order:
    order_id, user_id, sub, side, price, initial, fill, remaining = o[:8]
    key = x.ledger.accounts[(user_id, sub)].key
    order = Order(
        order_id,
        key,
        market.ticker,
        side == "bid",
        price,
        market.grid.index_of(price),
        initial,
        market.lot_c,
        o[21],
    )
    order.fill_c, order.remaining_c = fill, remaining
    order.fee_lot_cc, order.fee_acc_fine = o[8], o[9]
    order.time_in_force, order.order_type, order.legacy_side, order.legacy_action = o[10:14]
    order.client_order_id, order.order_group_id, order.self_trade_prevention = o[14:17]
    order.post_only, order.reduce_only, order.cancel_on_pause = o[17:20]
    order.expiration_ts_ns, order.updated_ns = o[20], o[22]
    order.taker_fill_cost_fine, order.maker_fill_cost_fine = o[23], o[24]
    order.taker_fees_cc, order.maker_fees_cc, order.queue_seq = o[25], o[26], o[27]
    order.status = OrderStatus.RESTING
    return order
