"""What the read side must answer, computed straight from the Python engine's memory.

This is the second implementation the live index is checked against: each function reads
engine objects the way the routes did before the read side existed (the ledger's accounts
and positions, the books' levels and queues, the engine's own expiry and lifecycle
fields), and returns plain data in the same shape as ``port_answers``.
"""

from __future__ import annotations

from typing import Any

from augury.domain.enums import MarketStatus
from augury.domain.event_fees import event_fee_override, market_fee_rule
from augury.engine.exchange import Exchange
from augury.queries import Queries

__all__ = ["engine_answers", "port_answers"]


def _next_due_ns(exchange: Exchange) -> int | None:
    # The lifecycle ticker's rescan before the read side had a time-ordered index.
    due: list[int] = list(exchange.expiring.values())
    for market in exchange.markets.values():
        status = market.status
        if status is MarketStatus.INITIALIZED:
            due.append(market.open_ts_ns)
        elif market.before_close:
            due.append(market.close_ts_ns)
        elif status in (MarketStatus.DETERMINED, MarketStatus.AMENDED) and market.determined_ns:
            due.append(market.determined_ns + market.settlement_timer_s * 1_000_000_000)
    return min(due) if due else None


def engine_answers(exchange: Exchange) -> dict[str, Any]:
    """Return every read-side answer, derived from engine memory."""
    ledger = exchange.ledger
    users = {
        u.user_id: (u.name, u.tier, u.subaccounts, u.resting, u.created_ns)
        for u in exchange.users.values()
    }
    balances = {
        key: (a.available_cc, a.reserved_cc, a.updated_ns) for key, a in ledger.accounts.items()
    }
    positions = {
        key: (
            exchange.markets[key[2]].event_ticker,
            p.position_c,
            p.exposure_fine // 100,
            p.realized_fine // 100,
            p.fees_paid_cc,
            p.total_traded_fine // 100,
            p.traded_c,
            p.resting_orders,
            p.settled,
            p.updated_ns,
        )
        for key, p in ledger.positions.items()
    }
    resting: dict[str, list[tuple[Any, ...]]] = {}
    for order in exchange.orders.values():
        resting.setdefault(order.key[0], []).append(
            (
                order.order_id,
                order.key[1],
                order.ticker,
                order.side,
                order.price_cc,
                order.initial_c,
                order.fill_c,
                order.remaining_c,
                order.client_order_id,
                order.order_group_id,
                order.expiration_ts_ns,
                order.queue_seq,
                exchange.markets[order.ticker].book.queue_position(order),
            )
        )
    markets = {}
    for ticker, m in exchange.markets.items():
        book = m.book
        prices = m.grid.prices_cc
        markets[ticker] = (
            m.event_ticker,
            m.status.value,
            m.result,
            m.settlement_value_cc,
            m.determined_ns,
            m.settled_ns,
            m.updated_ns,
            m.volume_c,
            m.open_interest_c,
            m.last_price_cc,
            m.last_trade_ns,
            dict(m.meta),
            [(prices[i], s) for i, s in book.levels(True)],
            [(prices[i], s) for i, s in book.levels(False)],
            [o.order_id for o in book.resting()],
        )
    groups = {
        g.group_id: (
            g.key,
            g.limit_c,
            g.triggered,
            tuple(o for o in g.orders if o in exchange.orders),
        )
        for g in exchange.groups.values()
    }
    keys = {
        k.api_key_id: (k.user_id, k.name, k.key_type, tuple(k.scopes), k.subaccount, k.created_ns)
        for k in exchange.api_keys.values()
    }
    series = {
        s.ticker: (str(s.fee_type), s.fee_multiplier_e4, dict(s.meta))
        for s in exchange.series.values()
    }
    events = {
        e.event_ticker: (e.series_ticker, e.mutually_exclusive, dict(e.meta), tuple(e.markets))
        for e in exchange.events.values()
    }
    return {
        "now": exchange.now_ns,
        "trading": not exchange.trading_paused,
        "money_in": -ledger.external_cc,
        "client_ids": {
            key: order_id
            for key, order_id in exchange.client_ids.items()
            if key[0] in exchange.users
        },
        "due": _next_due_ns(exchange),
        "users": users,
        "balances": balances,
        "positions": positions,
        "resting": resting,
        "markets": markets,
        "listing": list(exchange.markets),
        "event_listing": list(exchange.events),
        "groups": groups,
        "keys": keys,
        "series": series,
        "events": events,
        # What each market charges (decision 0058: its event's override applied).
        "fee_rules": {
            t: (str(m.fees.fee_type), int(m.fees.multiplier_e4))
            for t, m in exchange.markets.items()
        },
    }


def _fee_rules(queries: Queries) -> dict[str, tuple[str, int]]:
    # The rule the read side shows (event render, the web's fee rule), from its views.
    rules = {}
    for market in queries.markets():
        series = queries.series(queries.series_of(market))
        event = queries.event(market.event_ticker)
        assert series is not None
        assert event is not None
        fee_type, multiplier = market_fee_rule(
            series.fee_type, series.fee_multiplier_e4, event_fee_override(event.meta), market.meta
        )
        rules[market.ticker] = (str(fee_type), int(multiplier))
    return rules


def port_answers(queries: Queries) -> dict[str, Any]:
    """Return every read-side answer, asked through the query port."""
    users = {
        u.user_id: (u.name, u.tier, u.subaccounts, u.resting_orders, u.created_ns)
        for u in queries.users()
    }
    balances = {
        (b.user_id, b.subaccount): (b.available_cc, b.reserved_cc, b.updated_ns)
        for u in queries.users()
        for b in queries.balances(u.user_id)
    }
    positions = {
        (p.user_id, p.subaccount, p.ticker): (
            p.event_ticker,
            p.position_c,
            p.exposure_cc,
            p.realized_pnl_cc,
            p.fees_paid_cc,
            p.total_traded_cc,
            p.traded_c,
            p.resting_orders,
            p.settled,
            p.updated_ns,
        )
        for u in queries.users()
        for p in queries.positions(u.user_id, limit=10**9).items
    }
    resting = {}
    for u in queries.users():
        orders = queries.resting_orders(u.user_id)
        if orders:
            resting[u.user_id] = [
                (
                    o.order_id,
                    o.subaccount,
                    o.ticker,
                    o.side,
                    o.price_cc,
                    o.initial_c,
                    o.fill_c,
                    o.remaining_c,
                    o.client_order_id,
                    o.order_group_id,
                    o.expiration_ts_ns,
                    o.queue_seq,
                    queries.queue_position(o),
                )
                for o in orders
            ]
    markets = {}
    for m in queries.markets(by_ticker=True):
        book = m.book()
        markets[m.ticker] = (
            m.event_ticker,
            m.status.value,
            m.result,
            m.settlement_value_cc,
            m.determined_ns,
            m.settled_ns,
            m.updated_ns,
            m.volume_c,
            m.open_interest_c,
            m.last_price_cc,
            m.last_trade_ns,
            dict(m.meta),
            book.yes,
            [(10_000 - p, s) for p, s in book.no],
            _book_order(queries, m.ticker),
        )
    groups = {
        g.group_id: ((g.user_id, g.subaccount), g.contracts_limit_c, g.triggered, g.order_ids)
        for u in queries.users()
        for g in queries.groups(u.user_id)
    }
    keys = {
        k.api_key_id: (k.user_id, k.name, k.key_type, k.scopes, k.subaccount, k.created_ns)
        for k in queries.api_keys()
    }
    series = {
        s.ticker: (str(s.fee_type), s.fee_multiplier_e4, dict(s.meta))
        for s in queries.series_list()
    }
    events = {
        e.event_ticker: (e.series_ticker, e.mutually_exclusive, dict(e.meta), e.markets)
        for e in queries.events()
    }
    client_ids = {}
    for u in queries.users():
        for (user, coid), order_id in _all_client_ids(queries).items():
            if user == u.user_id:
                client_ids[(user, coid)] = order_id
    return {
        "now": queries.now_ns(),
        "trading": queries.trading_active(),
        "money_in": queries.money_in_cc(),
        "client_ids": client_ids,
        "due": queries.next_due_ns(),
        "users": users,
        "balances": balances,
        "positions": positions,
        "resting": resting,
        "markets": markets,
        "listing": [m.ticker for m in queries.markets()],
        "event_listing": [e.event_ticker for e in queries.events(by_ticker=False)],
        "groups": groups,
        "keys": keys,
        "series": series,
        "events": events,
        "fee_rules": _fee_rules(queries),
    }


def _all_client_ids(queries: Queries) -> dict[tuple[str, str], str]:
    # The port answers one id at a time; the test asks it about every id the index holds
    # (and so checks the lookups), and the comparison with the engine checks the set.
    index = queries._index
    return {
        key: found
        for key in index.client_ids
        if (found := queries.order_for_client_id(*key)) is not None
    }


def _book_order(queries: Queries, ticker: str) -> list[str]:
    # Every resting order of the market in book order: bids then asks, best first, FIFO.
    found: list[tuple[int, int, int, str]] = []
    for u in queries.users():
        for o in queries.resting_orders(u.user_id, ticker=ticker):
            is_bid = o.side == "bid"
            place = (0 if is_bid else 1, -o.price_cc if is_bid else o.price_cc)
            found.append((*place, queries.queue_position(o), o.order_id))
    return [order_id for *_, order_id in sorted(found)]
