"""Channels: what each one accepts, and its message bodies built from events and memory.

Each channel's rules (CONTRACT §8.4) live in one :class:`ChannelSpec`: whether it needs an
authenticated connection, whether its messages carry ``seq`` (in either spec version,
§8.9), how it filters by market and which ``update_subscription`` actions it supports.

The builders are pure functions from an engine event (or engine memory, for snapshots and
tickers) to the JSON bytes of a message's ``msg`` object; the hub encodes each body once
and shares it among subscribers. Price conventions (CONTRACT §11.4):

- ``BookDelta.side`` "bid" rests YES bids; "ask" rests NO bids, stored at their YES price
  ``p``. On the wire the NO side is priced on the NO leg (``1 - p``) unless the
  subscription asked for ``use_yes_price``.
- Snapshot levels are ascending by the price sent; an empty side is left out.

Markets have no UUID in the engine, so ``market_id`` is a UUIDv5 of the instance and the
ticker: stable across restarts and the same for every client.
"""

from __future__ import annotations

import uuid
from typing import Final, NamedTuple

import msgspec

from augury.api.schemas.base import rfc3339_from_ns
from augury.api.wire import book_levels, top_of_book
from augury.api.ws import messages as m
from augury.domain.units import C_PER_CONTRACT, ONE_DOLLAR_CC, count_c_to_str, dollars_cc_to_str
from augury.engine.events import (
    BookDelta,
    FillEvent,
    MarketUpdate,
    OrderGroupUpdate,
    OrderUpdate,
    PositionUpdate,
    TradeEvent,
)
from augury.engine.exchange import Exchange
from augury.engine.market import Market

__all__ = [
    "CHANNELS",
    "ChannelSpec",
    "TickerState",
    "book_delta_body",
    "event_lifecycle_body",
    "fill_body",
    "lifecycle_body",
    "market_id",
    "order_group_body",
    "position_body",
    "snapshot_body",
    "ticker_body",
    "ticker_state",
    "trade_body",
    "user_order_body",
]

_NS_PER_S = 1_000_000_000
_NS_PER_MS = 1_000_000
_encode = msgspec.json.Encoder().encode
_MARKET_NAMESPACE = uuid.UUID("6f1c3f0e-8a57-4c36-9d0b-6a2b3f1d7e40")

MARKET_ACTIONS = frozenset({"add_markets", "delete_markets"})


class ChannelSpec(NamedTuple):
    """How one channel subscribes and what its messages look like."""

    name: str
    auth: bool  # needs an authenticated connection (code 9 otherwise)
    per_user: bool  # carries only the connection's own user's events
    has_seq: bool  # its data messages carry the per-sid ``seq``
    markets: str  # "required" | "optional" | "ignored"
    actions: frozenset[str]  # update_subscription actions it supports
    by_id: bool = False  # accepts market_id / market_ids filters


_NONE: frozenset[str] = frozenset()
_BOOK_ACTIONS = MARKET_ACTIONS | {"get_snapshot"}
_INDEX_ACTIONS = frozenset({"subscribe_indices", "unsubscribe_indices", "indexlist"})
_PYTH_ACTIONS = frozenset({"subscribe_underlyings", "unsubscribe_underlyings", "underlying_list"})

CHANNELS: Final[dict[str, ChannelSpec]] = {
    spec.name: spec
    for spec in (
        ChannelSpec("orderbook_delta", True, False, True, "required", _BOOK_ACTIONS),
        ChannelSpec("ticker", False, False, False, "optional", MARKET_ACTIONS, by_id=True),
        ChannelSpec("trade", False, False, True, "optional", MARKET_ACTIONS),
        ChannelSpec("fill", True, True, False, "optional", MARKET_ACTIONS),
        ChannelSpec("market_positions", True, True, False, "optional", MARKET_ACTIONS),
        ChannelSpec("user_orders", True, True, False, "optional", MARKET_ACTIONS),
        ChannelSpec("order_group_updates", True, True, True, "ignored", _NONE),
        ChannelSpec("market_lifecycle_v2", False, False, True, "ignored", _NONE),
        # Accepted because the spec lists them; Augury has no multivariate events, RFQs or
        # index feeds, so these subscriptions never carry data.
        ChannelSpec("multivariate_market_lifecycle", False, False, True, "ignored", _NONE),
        ChannelSpec("communications", True, True, True, "ignored", _NONE),
        ChannelSpec("cfbenchmarks_value", True, False, True, "ignored", _INDEX_ACTIONS),
        ChannelSpec("pyth_value", True, False, True, "ignored", _PYTH_ACTIONS),
    )
}


def market_id(exchange: Exchange, ticker: str) -> str:
    """Return the stable UUID Augury shows for a market."""
    return str(uuid.uuid5(_MARKET_NAMESPACE, f"{exchange.instance_id}/{ticker}"))


def _ms(ts_ns: int) -> int:
    return ts_ns // _NS_PER_MS


def _levels(levels: list[tuple[int, int]]) -> list[m.Level] | None:
    if not levels:
        return None
    return [(dollars_cc_to_str(p), count_c_to_str(s)) for p, s in sorted(levels)]


def snapshot_body(market: Market, mid: str, use_yes_price: bool) -> bytes:
    """Build an ``orderbook_snapshot`` body from the live book."""
    yes, no = book_levels(market)
    if use_yes_price:
        no = [(ONE_DOLLAR_CC - p, s) for p, s in no]
    return _encode(
        m.BookSnapshotMsg(
            market_ticker=market.ticker,
            market_id=mid,
            yes_dollars_fp=_levels(yes),
            no_dollars_fp=_levels(no),
        )
    )


def book_delta_body(delta: BookDelta, mid: str, use_yes_price: bool, own: bool) -> bytes:
    """Build an ``orderbook_delta`` body; ``own`` adds the owner's order identity."""
    is_yes = delta.side == "bid"
    price = delta.price_cc if is_yes or use_yes_price else ONE_DOLLAR_CC - delta.price_cc
    return _encode(
        m.BookDeltaMsg(
            market_ticker=delta.ticker,
            market_id=mid,
            price_dollars=dollars_cc_to_str(price),
            delta_fp=count_c_to_str(delta.delta_c),
            side="yes" if is_yes else "no",
            client_order_id=(delta.client_order_id or None) if own else None,
            subaccount=(delta.subaccount or None) if own else None,
            ts=rfc3339_from_ns(delta.ts_ns),
            ts_ms=_ms(delta.ts_ns),
        )
    )


class TickerState(NamedTuple):
    """Everything a ``ticker`` message reports; a message goes out when it changes."""

    price_cc: int
    bid_cc: int
    bid_size_c: int
    ask_cc: int
    ask_size_c: int
    last_trade_size_c: int
    volume_c: int
    open_interest_c: int


def ticker_state(market: Market, last_trade_size_c: int) -> TickerState:
    """Read a market's ticker fields from engine memory."""
    bid, bid_size, ask, ask_size = top_of_book(market)
    return TickerState(
        market.last_price_cc,
        bid,
        bid_size,
        ask,
        ask_size,
        last_trade_size_c,
        market.volume_c,
        market.open_interest_c,
    )


def ticker_body(ticker: str, mid: str, state: TickerState, ts_ns: int) -> bytes:
    """Build a ``ticker`` body. Dollar volume and open interest are notional ($1 a
    contract), floored to whole dollars."""
    return _encode(
        m.TickerMsg(
            market_ticker=ticker,
            market_id=mid,
            price_dollars=dollars_cc_to_str(state.price_cc),
            yes_bid_dollars=dollars_cc_to_str(state.bid_cc),
            yes_ask_dollars=dollars_cc_to_str(state.ask_cc),
            yes_bid_size_fp=count_c_to_str(state.bid_size_c),
            yes_ask_size_fp=count_c_to_str(state.ask_size_c),
            last_trade_size_fp=count_c_to_str(state.last_trade_size_c),
            volume_fp=count_c_to_str(state.volume_c),
            open_interest_fp=count_c_to_str(state.open_interest_c),
            dollar_volume=state.volume_c // 100,
            dollar_open_interest=state.open_interest_c // 100,
            ts=ts_ns // _NS_PER_S,
            ts_ms=_ms(ts_ns),
            time=rfc3339_from_ns(ts_ns),
        )
    )


def trade_body(trade: TradeEvent, *, with_count: bool = False) -> bytes:
    """Build a public ``trade`` body (``with_count``: the tutorials' whole ``count``)."""
    taker_yes = trade.taker_side == "bid"
    outcome = "yes" if taker_yes else "no"
    return _encode(
        m.TradeMsg(
            trade_id=trade.trade_id,
            market_ticker=trade.ticker,
            yes_price_dollars=dollars_cc_to_str(trade.price_cc),
            no_price_dollars=dollars_cc_to_str(ONE_DOLLAR_CC - trade.price_cc),
            count_fp=count_c_to_str(trade.count_c),
            taker_side=outcome,
            taker_outcome_side=outcome,
            taker_book_side=trade.taker_side,
            is_block_trade=False,
            ts=trade.ts_ns // _NS_PER_S,
            ts_ms=_ms(trade.ts_ns),
            count=trade.count_c // C_PER_CONTRACT if with_count else None,
        )
    )


def fill_body(fill: FillEvent) -> bytes:
    """Build a private ``fill`` body."""
    outcome = "yes" if fill.side == "bid" else "no"
    return _encode(
        m.FillMsg(
            trade_id=fill.trade_id,
            order_id=fill.order_id,
            market_ticker=fill.ticker,
            exchange_index=0,
            is_taker=fill.is_taker,
            side=fill.legacy_side,
            action=fill.legacy_action,
            yes_price_dollars=dollars_cc_to_str(fill.price_cc),
            count_fp=count_c_to_str(fill.count_c),
            fee_cost=dollars_cc_to_str(fill.fee_cc),
            outcome_side=outcome,
            book_side=fill.side,
            purchased_side=outcome,
            post_position_fp=count_c_to_str(fill.post_position_c),
            ts=fill.ts_ns // _NS_PER_S,
            ts_ms=_ms(fill.ts_ns),
            client_order_id=fill.client_order_id or None,
            subaccount=fill.subaccount or None,
        )
    )


def position_body(update: PositionUpdate) -> bytes:
    """Build a private ``market_position`` body."""
    return _encode(
        m.MarketPositionMsg(
            user_id=update.user_id,
            market_ticker=update.ticker,
            position_fp=count_c_to_str(update.position_c),
            position_cost_dollars=dollars_cc_to_str(update.exposure_cc),
            realized_pnl_dollars=dollars_cc_to_str(update.realized_pnl_cc),
            fees_paid_dollars=dollars_cc_to_str(update.fees_paid_cc),
            position_fee_cost_dollars=dollars_cc_to_str(update.fees_paid_cc),
            volume_fp=count_c_to_str(update.traded_c),
            subaccount=update.subaccount or None,
        )
    )


def user_order_body(update: OrderUpdate) -> bytes:
    """Build a private ``user_order`` body."""
    is_bid = update.side == "bid"
    expiration = update.expiration_ts_ns
    return _encode(
        m.UserOrderMsg(
            order_id=update.order_id,
            user_id=update.user_id,
            ticker=update.ticker,
            status=update.status,
            side=update.legacy_side,
            is_yes=update.legacy_side == "yes",
            outcome_side="yes" if is_bid else "no",
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
            created_ts_ms=_ms(update.created_ns),
            last_update_time=rfc3339_from_ns(update.ts_ns),
            last_updated_ts_ms=_ms(update.ts_ns),
            subaccount_number=update.subaccount,
            order_group_id=update.order_group_id,
            self_trade_prevention_type=update.self_trade_prevention,
            expiration_time=rfc3339_from_ns(expiration) if expiration else None,
            expiration_ts_ms=_ms(expiration) if expiration else None,
        )
    )


def order_group_body(update: OrderGroupUpdate) -> bytes:
    """Build a private ``order_group_updates`` body."""
    limit = update.contracts_limit_c
    with_limit = update.kind in ("created", "limit_updated") and limit is not None
    return _encode(
        m.OrderGroupMsg(
            event_type=update.kind,
            order_group_id=update.group_id,
            ts_ms=_ms(update.ts_ns),
            contracts_limit_fp=count_c_to_str(limit) if with_limit and limit is not None else None,
        )
    )


def _meta_str(meta: dict[str, object], key: str, default: str = "") -> str:
    value = meta.get(key)
    return value if isinstance(value, str) else default


def _strike(meta: dict[str, object], key: str) -> float | int | None:
    value = meta.get(key)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _created(market: Market) -> m.MarketLifecycleMsg:
    meta = market.meta
    expiration = meta.get("expiration_ts_ns")
    expected_ns = expiration if isinstance(expiration, int) else market.close_ts_ns
    custom = meta.get("custom_strike")
    strike_type = meta.get("strike_type")
    return m.MarketLifecycleMsg(
        event_type="created",
        market_ticker=market.ticker,
        exchange_index=0,
        open_ts=market.open_ts_ns // _NS_PER_S,
        close_ts=market.close_ts_ns // _NS_PER_S,
        price_level_structure=market.grid.name,
        price_ranges=[m.PriceRange(**r) for r in market.grid.wire_ranges()],
        additional_metadata=m.AdditionalMetadata(
            name=_meta_str(meta, "title", market.ticker),
            title=_meta_str(meta, "title", market.ticker),
            yes_sub_title=_meta_str(meta, "yes_sub_title"),
            no_sub_title=_meta_str(meta, "no_sub_title"),
            rules_primary=_meta_str(meta, "rules_primary"),
            rules_secondary=_meta_str(meta, "rules_secondary"),
            can_close_early=bool(meta.get("can_close_early", False)),
            event_ticker=market.event_ticker,
            expected_expiration_ts=expected_ns // _NS_PER_S,
            strike_type=strike_type if isinstance(strike_type, str) else None,
            floor_strike=_strike(meta, "floor_strike"),
            cap_strike=_strike(meta, "cap_strike"),
            custom_strike=custom if isinstance(custom, dict) else None,
        ),
    )


def lifecycle_body(exchange: Exchange, update: MarketUpdate) -> bytes | None:
    """Build a ``market_lifecycle_v2`` body, or None for a change the channel omits.

    Opening at open_time has no event (CONTRACT §8.5), nor has a dispute; a close reports
    ``close_date_updated`` only when it came before the scheduled close time.
    """
    market = exchange.markets[update.ticker]
    ticker = update.ticker
    ts_s = update.ts_ns // _NS_PER_S
    kind = update.kind
    msg: m.MarketLifecycleMsg
    if kind == "created":
        msg = _created(market)
    elif kind in ("activated", "deactivated"):
        msg = m.MarketLifecycleMsg(
            event_type=kind, market_ticker=ticker, is_deactivated=kind == "deactivated"
        )
    elif kind == "closed":
        if update.ts_ns >= market.close_ts_ns:
            return None
        msg = m.MarketLifecycleMsg(
            event_type="close_date_updated", market_ticker=ticker, close_ts=ts_s
        )
    elif kind == "determined":
        value = update.settlement_value_cc
        msg = m.MarketLifecycleMsg(
            event_type="determined",
            market_ticker=ticker,
            result="" if update.result == "void" else update.result,
            determination_ts=ts_s,
            settlement_value=dollars_cc_to_str(value) if value is not None else None,
        )
    elif kind == "settled":
        msg = m.MarketLifecycleMsg(event_type="settled", market_ticker=ticker, settled_ts=ts_s)
    else:
        return None
    return _encode(msg)


def event_lifecycle_body(exchange: Exchange, event_ticker: str) -> bytes:
    """Build an ``event_lifecycle`` body for a newly created event."""
    event = exchange.events[event_ticker]
    meta = event.meta
    strike = meta.get("strike_date")
    period = meta.get("strike_period")
    return _encode(
        m.EventLifecycleMsg(
            event_ticker=event_ticker,
            exchange_index=0,
            title=_meta_str(meta, "title", event_ticker),
            subtitle=_meta_str(meta, "sub_title", _meta_str(meta, "subtitle")),
            collateral_return_type="MECNET" if event.mutually_exclusive else "",
            series_ticker=event.series_ticker,
            strike_date=strike if isinstance(strike, int) else None,
            strike_period=period if isinstance(period, str) else None,
        )
    )
