"""Domain -> wire: engine state and events rendered in Kalshi's 3.34 shapes.

Every function here is a pure conversion (no I/O). Prices are the YES price unless a field
says ``no_``; a side with no quotes shows bid "0.0000" and ask "1.0000" (CONTRACT §11.4).
Legacy integer-cent courtesy fields are filled alongside, for 2024-2025 clients.
"""

from __future__ import annotations

from typing import Any, cast

from augury.api.modes import current
from augury.api.schemas import markets as wm
from augury.api.schemas import orders as wo
from augury.api.schemas import portfolio as wp
from augury.api.schemas.base import legacy_cents, legacy_contracts, rfc3339_from_ns
from augury.domain.units import ONE_DOLLAR_CC, count_c_to_str, dollars_cc_to_str
from augury.engine.events import FillEvent, OrderUpdate
from augury.engine.exchange import Exchange
from augury.engine.market import Market
from augury.ledger.accounts import Position
from augury.store.records import FillRecord, OrderRecord

__all__ = [
    "book_levels",
    "fill_wire",
    "market_wire",
    "order_wire",
    "position_wire",
    "top_of_book",
]

_NS_PER_S = 1_000_000_000


def top_of_book(market: Market) -> tuple[int, int, int, int]:
    """Return (yes_bid_cc, yes_bid_size_c, yes_ask_cc, yes_ask_size_c); no quote = 0 / $1."""
    book = market.book
    prices = market.grid.prices_cc
    if book.best_bid >= 0:
        bid, bid_size = prices[book.best_bid], book.bids[book.best_bid].total_c
    else:
        bid, bid_size = 0, 0
    if book.best_ask < book.size:
        ask, ask_size = prices[book.best_ask], book.asks[book.best_ask].total_c
    else:
        ask, ask_size = ONE_DOLLAR_CC, 0
    return bid, bid_size, ask, ask_size


def book_levels(
    market: Market, depth: int = 0
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Return YES bids and NO bids (NO priced on the NO leg) as (price_cc, size_c) levels,
    best first, at most ``depth`` per side (0 = all)."""
    prices = market.grid.prices_cc
    yes = [(prices[idx], size) for idx, size in market.book.levels(True)]
    no = [(ONE_DOLLAR_CC - prices[idx], size) for idx, size in market.book.levels(False)]
    if depth > 0:
        yes, no = yes[:depth], no[:depth]
    return yes, no


def _meta_str(meta: dict[str, object], key: str, default: str = "") -> str:
    value = meta.get(key)
    return value if isinstance(value, str) else default


def market_wire(
    exchange: Exchange,
    market: Market,
    *,
    volume_24h_c: int = 0,
    previous: tuple[int, int, int] = (0, 0, 0),
) -> wm.Market:
    """Render a market. ``previous`` is (yes_bid, yes_ask, price) a day ago, in cc."""
    meta = market.meta
    bid, bid_size, ask, ask_size = top_of_book(market)
    prev_bid, prev_ask, prev_price = previous
    close_ts = market.close_ts_ns
    expiration_ns = meta.get("expiration_ts_ns")
    latest_exp = expiration_ns if isinstance(expiration_ns, int) else close_ts
    value = market.settlement_value_cc
    strike: dict[str, Any] = {}
    for key in ("strike_type", "floor_strike", "cap_strike", "functional_strike", "custom_strike"):
        if meta.get(key) is not None:
            strike[key] = meta[key]
    return wm.Market(
        ticker=market.ticker,
        event_ticker=market.event_ticker,
        market_type=cast(Any, market.market_type),
        title=_meta_str(meta, "title", market.ticker),
        subtitle=_meta_str(meta, "subtitle"),
        yes_sub_title=_meta_str(meta, "yes_sub_title"),
        no_sub_title=_meta_str(meta, "no_sub_title"),
        created_time=rfc3339_from_ns(market.created_ns),
        updated_time=rfc3339_from_ns(market.updated_ns),
        open_time=rfc3339_from_ns(market.open_ts_ns),
        close_time=rfc3339_from_ns(close_ts),
        expected_expiration_time=rfc3339_from_ns(latest_exp),
        expiration_time=rfc3339_from_ns(latest_exp),
        latest_expiration_time=rfc3339_from_ns(latest_exp),
        settlement_timer_seconds=market.settlement_timer_s,
        status=cast(Any, market.status.value),
        yes_bid_dollars=dollars_cc_to_str(bid),
        yes_bid_size_fp=count_c_to_str(bid_size),
        yes_ask_dollars=dollars_cc_to_str(ask),
        yes_ask_size_fp=count_c_to_str(ask_size),
        no_bid_dollars=dollars_cc_to_str(ONE_DOLLAR_CC - ask),
        no_ask_dollars=dollars_cc_to_str(ONE_DOLLAR_CC - bid),
        last_price_dollars=dollars_cc_to_str(market.last_price_cc),
        volume_fp=count_c_to_str(market.volume_c),
        volume_24h_fp=count_c_to_str(volume_24h_c),
        result=cast(Any, "" if market.result == "void" else market.result),
        can_close_early=bool(meta.get("can_close_early", False)),
        open_interest_fp=count_c_to_str(market.open_interest_c),
        notional_value_dollars=dollars_cc_to_str(ONE_DOLLAR_CC),
        previous_yes_bid_dollars=dollars_cc_to_str(prev_bid),
        previous_yes_ask_dollars=dollars_cc_to_str(prev_ask),
        previous_price_dollars=dollars_cc_to_str(prev_price),
        settlement_value_dollars=dollars_cc_to_str(value) if value is not None else None,
        settlement_ts=rfc3339_from_ns(market.settled_ns) if market.settled_ns else None,
        settlement_bounds_type="default",
        expiration_value=_meta_str(meta, "expiration_value"),
        rules_primary=_meta_str(meta, "rules_primary"),
        rules_secondary=_meta_str(meta, "rules_secondary"),
        price_level_structure=market.grid.name,
        price_ranges=[wm.PriceRange(**r) for r in market.grid.wire_ranges()],
        is_provisional=False,
        exchange_index=0,
        fractional_trading_enabled=market.fractional,
        liquidity_dollars="0.0000",
        response_price_units="usd_cent",
        yes_bid=legacy_cents(bid),
        yes_ask=legacy_cents(ask),
        no_bid=legacy_cents(ONE_DOLLAR_CC - ask),
        no_ask=legacy_cents(ONE_DOLLAR_CC - bid),
        last_price=legacy_cents(market.last_price_cc),
        previous_yes_bid=legacy_cents(prev_bid),
        previous_yes_ask=legacy_cents(prev_ask),
        previous_price=legacy_cents(prev_price),
        notional_value=100,
        volume=legacy_contracts(market.volume_c),
        volume_24h=legacy_contracts(volume_24h_c),
        open_interest=legacy_contracts(market.open_interest_c),
        liquidity=0,
        **strike,
    )


def order_wire(update: OrderUpdate | OrderRecord) -> wo.Order:
    """Render an order from its latest state: a live engine event or its stored row."""
    yes = update.price_cc
    updated_ns = update.ts_ns if isinstance(update, OrderUpdate) else update.updated_ns
    is_bid = update.side == "bid"
    return wo.Order(
        order_id=update.order_id,
        user_id=update.user_id,
        client_order_id=update.client_order_id,
        ticker=update.ticker,
        side=cast(Any, update.legacy_side),
        action=cast(Any, update.legacy_action),
        outcome_side="yes" if is_bid else "no",
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


def fill_wire(fill: FillEvent | FillRecord) -> wp.Fill:
    """Render one side of a trade as the account that traded sees it (live or stored)."""
    yes = fill.price_cc
    return wp.Fill(
        fill_id=fill.fill_id,
        exchange_index=0,
        trade_id=fill.trade_id,
        order_id=fill.order_id,
        ticker=fill.ticker,
        market_ticker=fill.ticker,
        side=cast(Any, fill.legacy_side),
        action=cast(Any, fill.legacy_action),
        outcome_side="yes" if fill.side == "bid" else "no",
        book_side=cast(Any, fill.side),
        count_fp=count_c_to_str(fill.count_c),
        yes_price_dollars=dollars_cc_to_str(yes),
        no_price_dollars=dollars_cc_to_str(ONE_DOLLAR_CC - yes),
        is_taker=fill.is_taker,
        created_time=rfc3339_from_ns(fill.ts_ns),
        fee_cost=dollars_cc_to_str(fill.fee_cc),
        subaccount_number=fill.subaccount,
        ts=fill.ts_ns // _NS_PER_S,
        count=legacy_contracts(fill.count_c),
        yes_price=legacy_cents(yes),
        no_price=legacy_cents(ONE_DOLLAR_CC - yes),
        # --compat tutorials: the fee in whole cents, rounded up.
        fee=-(-fill.fee_cc // 100) if current().tutorials else None,
    )


def position_wire(ticker: str, position: Position) -> wp.MarketPosition:
    """Render an account's position in one market."""
    exposure = position.exposure_fine // 100
    traded = position.total_traded_fine // 100
    realized = position.realized_fine // 100
    return wp.MarketPosition(
        ticker=ticker,
        exchange_index=0,
        total_traded_dollars=dollars_cc_to_str(traded),
        position_fp=count_c_to_str(position.position_c),
        market_exposure_dollars=dollars_cc_to_str(exposure),
        realized_pnl_dollars=dollars_cc_to_str(realized),
        fees_paid_dollars=dollars_cc_to_str(position.fees_paid_cc),
        last_updated_ts=rfc3339_from_ns(position.updated_ns),
        position=position.position_c // 100,
        total_traded=legacy_cents(traded),
        market_exposure=legacy_cents(exposure),
        realized_pnl=realized // 100,
        fees_paid=legacy_cents(position.fees_paid_cc),
        resting_orders_count=position.resting_orders,
    )
