"""Markets: the REST ``Market`` object, the ``ticker`` channel and ``market_lifecycle_v2``.

- ``Market``: quotes are the top of book (an empty side reads bid 0 / ask $1; NO quotes
  are ``$1 -`` the opposite YES quote); ``previous_*`` and ``volume_24h`` come from the
  history (a day ago); ``result`` is ``""`` for a void; strike fields come from the
  catalog metadata only when present; ``expiration_time`` falls back to the close time.
- ``ticker``: a message goes out when a field of ``TickerState`` changes; dollar volume and
  open interest are notional ($1 a contract), floored to whole dollars.
- ``market_lifecycle_v2``: opening at open time has no message (CONTRACT §8.5), nor has a
  dispute; a close reports ``close_date_updated`` only when it came before the scheduled
  close; a void determines with ``result`` ``""``.
- Markets have no UUID in the engine: ``market_id`` is a UUIDv5 of the instance and the
  ticker, stable across restarts and the same for every client.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, NamedTuple, cast

import msgspec

from augury.api.render.common import NS_PER_S, meta_str, ms
from augury.api.schemas import markets as wm
from augury.api.schemas.base import legacy_cents, legacy_contracts, rfc3339_from_ns
from augury.api.ws import messages as m
from augury.domain.units import ONE_DOLLAR_CC, count_c_to_str, dollars_cc_to_str
from augury.engine.events import MarketUpdate
from augury.queries.views import MarketView

__all__ = [
    "TickerState",
    "lifecycle_message",
    "market",
    "market_id",
    "ticker_message",
    "ticker_state",
]

_encode = msgspec.json.Encoder().encode
_MARKET_NAMESPACE = uuid.UUID("6f1c3f0e-8a57-4c36-9d0b-6a2b3f1d7e40")
_STRIKES = ("strike_type", "floor_strike", "cap_strike", "functional_strike", "custom_strike")


def market_id(instance_id: str, ticker: str) -> str:
    """Return the stable UUID Augury shows for a market of the exchange ``instance_id``."""
    return str(uuid.uuid5(_MARKET_NAMESPACE, f"{instance_id}/{ticker}"))


def market(
    view: MarketView,
    *,
    volume_24h_c: int = 0,
    previous: tuple[int, int, int] = (0, 0, 0),
) -> wm.Market:
    """Render a market. ``previous`` is (yes_bid, yes_ask, price) a day ago, in cc."""
    meta = view.meta
    top = view.top_of_book()
    bid, bid_size, ask, ask_size = top.bid_cc, top.bid_size_c, top.ask_cc, top.ask_size_c
    prev_bid, prev_ask, prev_price = previous
    close_ts = view.close_ts_ns
    expiration_ns = meta.get("expiration_ts_ns")
    latest_exp = expiration_ns if isinstance(expiration_ns, int) else close_ts
    value = view.settlement_value_cc
    strike: dict[str, Any] = {key: meta[key] for key in _STRIKES if meta.get(key) is not None}
    return wm.Market(
        ticker=view.ticker,
        event_ticker=view.event_ticker,
        market_type=cast(Any, view.market_type),
        title=meta_str(meta, "title", view.ticker),
        subtitle=meta_str(meta, "subtitle"),
        yes_sub_title=meta_str(meta, "yes_sub_title"),
        no_sub_title=meta_str(meta, "no_sub_title"),
        created_time=rfc3339_from_ns(view.created_ns),
        updated_time=rfc3339_from_ns(view.updated_ns),
        open_time=rfc3339_from_ns(view.open_ts_ns),
        close_time=rfc3339_from_ns(close_ts),
        expected_expiration_time=rfc3339_from_ns(latest_exp),
        expiration_time=rfc3339_from_ns(latest_exp),
        latest_expiration_time=rfc3339_from_ns(latest_exp),
        settlement_timer_seconds=view.settlement_timer_s,
        status=cast(Any, view.status.value),
        yes_bid_dollars=dollars_cc_to_str(bid),
        yes_bid_size_fp=count_c_to_str(bid_size),
        yes_ask_dollars=dollars_cc_to_str(ask),
        yes_ask_size_fp=count_c_to_str(ask_size),
        no_bid_dollars=dollars_cc_to_str(ONE_DOLLAR_CC - ask),
        no_ask_dollars=dollars_cc_to_str(ONE_DOLLAR_CC - bid),
        last_price_dollars=dollars_cc_to_str(view.last_price_cc),
        volume_fp=count_c_to_str(view.volume_c),
        volume_24h_fp=count_c_to_str(volume_24h_c),
        result=cast(Any, "" if view.result == "void" else view.result),
        can_close_early=bool(meta.get("can_close_early", False)),
        open_interest_fp=count_c_to_str(view.open_interest_c),
        notional_value_dollars=dollars_cc_to_str(ONE_DOLLAR_CC),
        previous_yes_bid_dollars=dollars_cc_to_str(prev_bid),
        previous_yes_ask_dollars=dollars_cc_to_str(prev_ask),
        previous_price_dollars=dollars_cc_to_str(prev_price),
        settlement_value_dollars=dollars_cc_to_str(value) if value is not None else None,
        settlement_ts=rfc3339_from_ns(view.settled_ns) if view.settled_ns else None,
        settlement_bounds_type="default",
        expiration_value=meta_str(meta, "expiration_value"),
        rules_primary=meta_str(meta, "rules_primary"),
        rules_secondary=meta_str(meta, "rules_secondary"),
        price_level_structure=view.grid.name,
        price_ranges=[wm.PriceRange(**r) for r in view.grid.wire_ranges()],
        is_provisional=False,
        exchange_index=0,
        fractional_trading_enabled=view.fractional,
        liquidity_dollars="0.0000",
        response_price_units="usd_cent",
        yes_bid=legacy_cents(bid),
        yes_ask=legacy_cents(ask),
        no_bid=legacy_cents(ONE_DOLLAR_CC - ask),
        no_ask=legacy_cents(ONE_DOLLAR_CC - bid),
        last_price=legacy_cents(view.last_price_cc),
        previous_yes_bid=legacy_cents(prev_bid),
        previous_yes_ask=legacy_cents(prev_ask),
        previous_price=legacy_cents(prev_price),
        notional_value=100,
        volume=legacy_contracts(view.volume_c),
        volume_24h=legacy_contracts(volume_24h_c),
        open_interest=legacy_contracts(view.open_interest_c),
        liquidity=0,
        **strike,
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


def ticker_state(view: MarketView, last_trade_size_c: int) -> TickerState:
    """Read a market's ticker fields."""
    top = view.top_of_book()
    return TickerState(
        view.last_price_cc,
        top.bid_cc,
        top.bid_size_c,
        top.ask_cc,
        top.ask_size_c,
        last_trade_size_c,
        view.volume_c,
        view.open_interest_c,
    )


def ticker_message(ticker: str, mid: str, state: TickerState, ts_ns: int) -> bytes:
    """Build a ``ticker`` WebSocket body."""
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
            ts=ts_ns // NS_PER_S,
            ts_ms=ms(ts_ns),
            time=rfc3339_from_ns(ts_ns),
        )
    )


def _strike(meta: Mapping[str, object], key: str) -> float | int | None:
    value = meta.get(key)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _created(view: MarketView) -> m.MarketLifecycleMsg:
    meta = view.meta
    expiration = meta.get("expiration_ts_ns")
    expected_ns = expiration if isinstance(expiration, int) else view.close_ts_ns
    custom = meta.get("custom_strike")
    strike_type = meta.get("strike_type")
    return m.MarketLifecycleMsg(
        event_type="created",
        market_ticker=view.ticker,
        exchange_index=0,
        open_ts=view.open_ts_ns // NS_PER_S,
        close_ts=view.close_ts_ns // NS_PER_S,
        price_level_structure=view.grid.name,
        price_ranges=[m.PriceRange(**r) for r in view.grid.wire_ranges()],
        additional_metadata=m.AdditionalMetadata(
            name=meta_str(meta, "title", view.ticker),
            title=meta_str(meta, "title", view.ticker),
            yes_sub_title=meta_str(meta, "yes_sub_title"),
            no_sub_title=meta_str(meta, "no_sub_title"),
            rules_primary=meta_str(meta, "rules_primary"),
            rules_secondary=meta_str(meta, "rules_secondary"),
            can_close_early=bool(meta.get("can_close_early", False)),
            event_ticker=view.event_ticker,
            expected_expiration_ts=expected_ns // NS_PER_S,
            strike_type=strike_type if isinstance(strike_type, str) else None,
            floor_strike=_strike(meta, "floor_strike"),
            cap_strike=_strike(meta, "cap_strike"),
            custom_strike=custom if isinstance(custom, dict) else None,
        ),
    )


def lifecycle_message(view: MarketView, update: MarketUpdate) -> bytes | None:
    """Build a ``market_lifecycle_v2`` body, or None for a change the channel omits."""
    ticker = update.ticker
    ts_s = update.ts_ns // NS_PER_S
    kind = update.kind
    msg: m.MarketLifecycleMsg
    if kind == "created":
        msg = _created(view)
    elif kind in ("activated", "deactivated"):
        msg = m.MarketLifecycleMsg(
            event_type=kind, market_ticker=ticker, is_deactivated=kind == "deactivated"
        )
    elif kind == "closed":
        if update.ts_ns >= view.close_ts_ns:
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
