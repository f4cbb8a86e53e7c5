"""Series and events: the REST ``Series``, ``EventData`` and event metadata, and the
WebSocket ``event_lifecycle`` message.

- Descriptive fields are the catalog metadata (Kalshi's own field names, kept verbatim by
  ``augury.catalog_file``); rules (fee type and multiplier, mutual exclusivity) come from the
  engine, never from the metadata.
- An event's ``fee_type_override``/``fee_multiplier_override`` are what its markets are
  charged (decision 0058): read from its metadata by the engine's own rule
  (``augury.domain.event_fees``), with the series' type or multiplier filled in where the
  override keeps it; an event without an override the engine charges shows neither.
- Required keys are always present: a string the catalog lacks is ``""``, a required list
  is ``[]``, and the required-but-nullable ``tags``, ``settlement_sources`` and
  ``additional_prohibitions`` are ``null`` when the catalog has none.
- ``categories`` is the catalog's list, else ``[category]`` (``[]`` without one).
- ``collateral_return_type`` is ``MECNET`` for a mutually exclusive event, else ``""``;
  a fee override is reported only when its type is a known fee type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import msgspec

from augury.api.modes import current
from augury.api.render.common import meta_str
from augury.api.schemas import events as we
from augury.api.schemas import markets as wm
from augury.api.schemas.base import rfc3339_from_ns
from augury.api.ws import messages as m
from augury.domain.event_fees import FeeOverrideError, event_fee_override
from augury.domain.units import count_c_to_str
from augury.queries.views import EventView, SeriesView

__all__ = [
    "categories",
    "event",
    "event_fee_override_wire",
    "event_fee_update_message",
    "event_lifecycle_message",
    "event_metadata",
    "series",
    "str_list",
]

_encode = msgspec.json.Encoder().encode


def str_list(meta: Mapping[str, object], key: str) -> list[str] | None:
    """Return a catalog metadata list of strings, or None when absent."""
    value = meta.get(key)
    if not isinstance(value, list):
        return None
    return [str(item) for item in value]


def _sources(meta: Mapping[str, object]) -> list[we.SettlementSource] | None:
    value = meta.get("settlement_sources")
    if not isinstance(value, list):
        return None
    return [
        we.SettlementSource(name=item.get("name"), url=item.get("url"))
        for item in value
        if isinstance(item, dict)
    ]


def _dict(meta: Mapping[str, object], key: str) -> dict[str, Any] | None:
    value = meta.get(key)
    return cast(dict[str, Any], value) if isinstance(value, dict) else None


def categories(view: SeriesView) -> list[str]:
    """Return a series' discovery categories."""
    listed = str_list(view.meta, "categories")
    if listed is not None:
        return listed
    category = meta_str(view.meta, "category")
    return [category] if category else []


def series(view: SeriesView, volume_c: int | None = None) -> we.Series:
    """Render a series; ``volume_fp`` (all its markets' volume) only when given."""
    meta = view.meta
    return we.Series(
        ticker=view.ticker,
        frequency=meta_str(meta, "frequency"),
        title=meta_str(meta, "title"),
        category=meta_str(meta, "category"),
        categories=categories(view),
        tags=str_list(meta, "tags"),
        settlement_sources=_sources(meta),
        contract_url=meta_str(meta, "contract_url"),
        contract_terms_url=meta_str(meta, "contract_terms_url"),
        product_metadata=_dict(meta, "product_metadata"),
        fee_type=cast(Any, str(view.fee_type)),
        # A dimensionless multiplier (the SDK's JSON number); exact for 4 decimals.
        fee_multiplier=view.fee_multiplier_e4 / 10_000,
        additional_prohibitions=str_list(meta, "additional_prohibitions"),
        volume_fp=count_c_to_str(volume_c) if volume_c is not None else None,
        last_updated_ts=rfc3339_from_ns(view.created_ns),
        exchange_index=0,
    )


def event(
    view: EventView, series_view: SeriesView | None, markets: list[wm.Market] | None
) -> we.EventData:
    """Render an event; ``markets`` is set only for ``with_nested_markets``."""
    meta = view.meta
    fee_override, multiplier = event_fee_override_wire(view, series_view)
    return we.EventData(
        event_ticker=view.event_ticker,
        series_ticker=view.series_ticker,
        sub_title=meta_str(meta, "sub_title"),
        title=meta_str(meta, "title"),
        collateral_return_type="MECNET" if view.mutually_exclusive else "",
        mutually_exclusive=view.mutually_exclusive,
        available_on_brokers=False,
        category=meta_str(series_view.meta, "category") if series_view is not None else None,
        strike_date=meta_str(meta, "strike_date") or None,
        strike_period=meta_str(meta, "strike_period") or None,
        markets=markets,
        product_metadata=_dict(meta, "product_metadata"),
        settlement_sources=_sources(meta),
        last_updated_ts=rfc3339_from_ns(view.created_ns),
        fee_type_override=cast(Any, fee_override),
        fee_multiplier_override=multiplier,
        exchange_index=0,
        # --compat tutorials: how many markets the event has.
        markets_count=len(view.markets) if current().tutorials else None,
    )


def event_fee_override_wire(
    view: EventView, series_view: SeriesView | None
) -> tuple[str | None, float | None]:
    """The event's (``fee_type_override``, ``fee_multiplier_override``) as charged, or
    (None, None) without an override (a series-less view shows only the overridden parts)."""
    try:
        found = event_fee_override(view.meta)
    except FeeOverrideError:  # the engine refuses such metadata: no view holds it
        found = None
    if found is None:
        return None, None
    fee_type = found.fee_type
    if fee_type is None and series_view is not None:
        fee_type = series_view.fee_type
    multiplier_e4 = found.multiplier_e4
    if multiplier_e4 is None and series_view is not None:
        multiplier_e4 = series_view.fee_multiplier_e4
    # A dimensionless multiplier (the SDK's JSON number); exact for 4 decimals.
    return (
        str(fee_type) if fee_type is not None else None,
        multiplier_e4 / 10_000 if multiplier_e4 is not None else None,
    )


def event_metadata(
    view: EventView, market_meta: list[tuple[str, Mapping[str, object]]]
) -> we.GetEventMetadataResponse:
    """Render ``GET /events/{ticker}/metadata`` from the event's and its markets' metadata
    (``(ticker, meta)`` in listing order)."""
    meta = view.meta
    return we.GetEventMetadataResponse(
        image_url=meta_str(meta, "image_url"),
        featured_image_url=meta_str(meta, "featured_image_url") or None,
        market_details=[
            we.MarketMetadata(
                market_ticker=ticker,
                image_url=meta_str(market, "image_url"),
                color_code=meta_str(market, "color_code"),
            )
            for ticker, market in market_meta
        ],
        settlement_sources=_sources(meta) or [],
        competition=meta_str(meta, "competition") or None,
        competition_scope=meta_str(meta, "competition_scope") or None,
    )


def event_fee_update_message(view: EventView, series_view: SeriesView | None) -> bytes:
    """Build an ``event_fee_update`` WebSocket body: the event's override as charged now
    (both null once cleared)."""
    fee_type, multiplier = event_fee_override_wire(view, series_view)
    return _encode(
        m.EventFeeUpdateMsg(
            event_ticker=view.event_ticker,
            fee_type_override=fee_type,
            fee_multiplier_override=multiplier,
        )
    )


def event_lifecycle_message(view: EventView) -> bytes:
    """Build an ``event_lifecycle`` WebSocket body for a newly created event."""
    meta = view.meta
    strike = meta.get("strike_date")
    period = meta.get("strike_period")
    return _encode(
        m.EventLifecycleMsg(
            event_ticker=view.event_ticker,
            exchange_index=0,
            title=meta_str(meta, "title", view.event_ticker),
            subtitle=meta_str(meta, "sub_title", meta_str(meta, "subtitle")),
            collateral_return_type="MECNET" if view.mutually_exclusive else "",
            series_ticker=view.series_ticker,
            strike_date=strike if isinstance(strike, int) else None,
            strike_period=period if isinstance(period, str) else None,
        )
    )
