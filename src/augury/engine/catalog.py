"""Command family: the catalog (series, events, markets).

Loading a catalog twice is harmless: a series, event or market that already exists keeps
its rules and only has its metadata refreshed (the result is then False).

``AddSeries`` -> True if created
    Rejects: ``invalid_parameters`` (unknown fee type, then a negative fee multiplier).
    Events: none. State: ``series``.
``AddEvent`` -> True if created
    Rejects: ``invalid_parameters`` (unknown series, then a malformed fee override in its
    metadata: ``augury.domain.event_fees``).
    Events: none when created. A refresh whose metadata changes the event's fee override
    re-derives the fee rule of each of its markets; a market whose rule changes cancels
    (``fee_changed``) the resting orders whose reserved per-lot fee bound is below the new
    rule's, so no fill can cost more than its order holds (decision 0058); the others
    keep resting and their later fills pay the new fee. State: ``events``, the markets'
    fee rules.
``AddMarket`` -> True if created
    Rejects: ``invalid_parameters`` (unknown event, then an unknown price level
    structure, then a close time not after the open time).
    Events: ``MarketUpdate(created)``, then whatever time alone already causes
    (``lifecycle.advance_market``: ``opened``, even ``closed``). State: ``markets``, the
    event's market list. A market's fee rule is its series', overridden by its event's
    fee override and then by an integer ``fee_multiplier_e4`` in its own metadata
    (``augury.domain.event_fees.market_fee_rule``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from augury.domain.enums import FeeType
from augury.domain.event_fees import (
    EventFeeOverride,
    FeeOverrideError,
    event_fee_override,
    market_fee_rule,
)
from augury.domain.grid import grid_for
from augury.domain.rejects import Reject, RejectReason
from augury.engine import commands as c
from augury.engine.emit import market_update
from augury.engine.lifecycle import advance_market
from augury.engine.market import EventInfo, Market, SeriesInfo
from augury.engine.retire import cancel_order
from augury.ledger.fees import FeeSchedule, max_fee_cc_per_lot

if TYPE_CHECKING:
    from augury.engine.exchange import Exchange

__all__ = ["add_event", "add_market", "add_series"]


def add_series(ex: Exchange, cmd: c.AddSeries, ts: int) -> bool:
    try:
        fee_type = FeeType(cmd.fee_type)
    except ValueError:
        raise Reject(
            RejectReason.INVALID_PARAMETERS, f"unknown fee_type {cmd.fee_type!r}"
        ) from None
    if cmd.fee_multiplier_e4 < 0:
        raise Reject(RejectReason.INVALID_PARAMETERS, "fee_multiplier must not be negative")
    existing = ex.series.get(cmd.ticker)
    if existing is not None:
        # Loading a catalog twice is harmless: metadata is refreshed, rules are kept.
        existing.meta = cmd.meta
        return False
    ex.series[cmd.ticker] = SeriesInfo(cmd.ticker, fee_type, cmd.fee_multiplier_e4, cmd.meta, ts)
    return True


def add_event(ex: Exchange, cmd: c.AddEvent, ts: int) -> bool:
    if cmd.series_ticker not in ex.series:
        raise Reject(RejectReason.INVALID_PARAMETERS, f"unknown series {cmd.series_ticker!r}")
    try:
        override = event_fee_override(cmd.meta)
    except FeeOverrideError as error:
        raise Reject(RejectReason.INVALID_PARAMETERS, str(error)) from None
    existing = ex.events.get(cmd.event_ticker)
    if existing is not None:
        existing.meta = cmd.meta
        _refee_markets(ex, existing, override)
        return False
    ex.events[cmd.event_ticker] = EventInfo(
        cmd.event_ticker, cmd.series_ticker, cmd.mutually_exclusive, cmd.meta, ts
    )
    return True


def add_market(ex: Exchange, cmd: c.AddMarket, ts: int) -> bool:
    event = ex.events.get(cmd.event_ticker)
    if event is None:
        raise Reject(RejectReason.INVALID_PARAMETERS, f"unknown event {cmd.event_ticker!r}")
    grid = grid_for(cmd.price_level_structure)
    if grid is None:
        raise Reject(
            RejectReason.INVALID_PARAMETERS,
            f"unsupported price_level_structure {cmd.price_level_structure!r}",
        )
    if cmd.close_ts_ns <= cmd.open_ts_ns:
        raise Reject(RejectReason.INVALID_PARAMETERS, "close_time must be after open_time")
    existing = ex.markets.get(cmd.ticker)
    if existing is not None:
        existing.meta = cmd.meta
        return False
    series = ex.series[event.series_ticker]
    # The event's metadata was checked when it was added or refreshed.
    fees = FeeSchedule(
        *market_fee_rule(
            series.fee_type, series.fee_multiplier_e4, event_fee_override(event.meta), cmd.meta
        )
    )
    market = Market(
        cmd.ticker,
        cmd.event_ticker,
        grid,
        fees,
        fractional=cmd.fractional,
        open_ts_ns=cmd.open_ts_ns,
        close_ts_ns=cmd.close_ts_ns,
        settlement_timer_s=cmd.settlement_timer_s,
        market_type=cmd.market_type,
        meta=cmd.meta,
        ts_ns=ts,
    )
    market.seq = len(ex.markets)
    ex.markets[cmd.ticker] = market
    event.markets.append(cmd.ticker)
    market_update(ex, market, "created")
    advance_market(ex, market)
    return True


def _refee_markets(ex: Exchange, event: EventInfo, override: EventFeeOverride | None) -> None:
    """Give each of the event's markets (in listing order) the fee rule its event now
    implies; cancel, in book order, the resting orders that hold too little for it."""
    series = ex.series[event.series_ticker]
    for ticker in event.markets:
        market = ex.markets[ticker]
        fee_type, multiplier = market_fee_rule(
            series.fee_type, series.fee_multiplier_e4, override, market.meta
        )
        fees = market.fees
        if fees.fee_type is fee_type and fees.multiplier_e4 == multiplier:
            continue
        fees = market.fees = FeeSchedule(fee_type, multiplier)
        for order in list(market.book.resting()):
            if max_fee_cc_per_lot(fees, order.outcome_limit_cc, market.lot_c) > order.fee_lot_cc:
                cancel_order(ex, order, "fee_changed")
