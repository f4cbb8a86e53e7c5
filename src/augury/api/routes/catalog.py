"""Series and events: the catalog's descriptive metadata, served from engine memory.

Invariants:

- A series' or event's descriptive fields are its catalog metadata (Kalshi's own field
  names, kept verbatim by ``augury.catalog``); its rules (fee type and multiplier, mutual
  exclusivity) come from the engine, never from the metadata.
- Required keys are always present: a string the catalog lacks is ``""``, a required list
  is ``[]``, and the required-but-nullable ``tags``, ``settlement_sources`` and
  ``additional_prohibitions`` are ``null`` when the catalog has none.
- ``GET /events?status=`` matches an event when any of its markets matches (CONTRACT §3.2);
  events are ordered by ticker and the cursor is the last ticker of the page.
- Nested markets carry the same 24-hour statistics as ``GET /markets`` (one reader hop).
"""

from __future__ import annotations

from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from augury.api.context import Context, json_response
from augury.api.errors import ApiError
from augury.api.market_stats import render_markets
from augury.api.modes import current
from augury.api.routes.markets import STATUS_FILTER, int_param, page_params, tickers_param
from augury.api.routes.orders import ctx
from augury.api.schemas import events as we
from augury.api.schemas import markets as wm
from augury.api.schemas.base import rfc3339_from_ns
from augury.api.tutorials import market_status_alias
from augury.domain.units import count_c_to_str
from augury.engine.market import EventInfo, SeriesInfo

__all__ = ["event_wire", "routes", "series_wire"]

_FEE_TYPES = frozenset(
    {"quadratic", "quadratic_with_maker_fees", "quadratic_with_combo_maker_fees", "flat"}
)
_EVENT_STATUS = ("unopened", "open", "closed", "settled")


def _str(meta: dict[str, object], key: str) -> str:
    value = meta.get(key)
    return value if isinstance(value, str) else ""


def _str_list(meta: dict[str, object], key: str) -> list[str] | None:
    value = meta.get(key)
    if not isinstance(value, list):
        return None
    return [str(item) for item in value]


def _sources(meta: dict[str, object]) -> list[we.SettlementSource] | None:
    value = meta.get("settlement_sources")
    if not isinstance(value, list):
        return None
    return [
        we.SettlementSource(name=item.get("name"), url=item.get("url"))
        for item in value
        if isinstance(item, dict)
    ]


def _dict(meta: dict[str, object], key: str) -> dict[str, Any] | None:
    value = meta.get(key)
    return cast(dict[str, Any], value) if isinstance(value, dict) else None


def _categories(series: SeriesInfo) -> list[str]:
    listed = _str_list(series.meta, "categories")
    if listed is not None:
        return listed
    category = _str(series.meta, "category")
    return [category] if category else []


def series_wire(context: Context, series: SeriesInfo, include_volume: bool) -> we.Series:
    """Render a series; ``volume_fp`` (all its markets' volume) only when asked."""
    meta = series.meta
    volume = None
    if include_volume:
        exchange = context.exchange
        total = sum(
            exchange.markets[ticker].volume_c
            for event in exchange.events.values()
            if event.series_ticker == series.ticker
            for ticker in event.markets
        )
        volume = count_c_to_str(total)
    return we.Series(
        ticker=series.ticker,
        frequency=_str(meta, "frequency"),
        title=_str(meta, "title"),
        category=_str(meta, "category"),
        categories=_categories(series),
        tags=_str_list(meta, "tags"),
        settlement_sources=_sources(meta),
        contract_url=_str(meta, "contract_url"),
        contract_terms_url=_str(meta, "contract_terms_url"),
        product_metadata=_dict(meta, "product_metadata"),
        fee_type=cast(Any, str(series.fee_type)),
        # A dimensionless multiplier (the SDK's JSON number); exact for 4 decimals.
        fee_multiplier=series.fee_multiplier_e4 / 10_000,
        additional_prohibitions=_str_list(meta, "additional_prohibitions"),
        volume_fp=volume,
        last_updated_ts=rfc3339_from_ns(series.created_ns),
        exchange_index=0,
    )


def _series(context: Context, ticker: str) -> SeriesInfo:
    series = context.exchange.series.get(ticker)
    if series is None:
        raise ApiError(404, "not_found", f"series {ticker} not found")
    return series


def _event(context: Context, ticker: str) -> EventInfo:
    event = context.exchange.events.get(ticker)
    if event is None:
        raise ApiError(404, "not_found", f"event {ticker} not found")
    return event


def event_wire(context: Context, event: EventInfo, markets: list[wm.Market] | None) -> we.EventData:
    """Render an event; ``markets`` is set only for ``with_nested_markets``."""
    meta = event.meta
    series = context.exchange.series.get(event.series_ticker)
    fee_override = meta.get("fee_type_override")
    multiplier = meta.get("fee_multiplier_override")
    return we.EventData(
        event_ticker=event.event_ticker,
        series_ticker=event.series_ticker,
        sub_title=_str(meta, "sub_title"),
        title=_str(meta, "title"),
        collateral_return_type="MECNET" if event.mutually_exclusive else "",
        mutually_exclusive=event.mutually_exclusive,
        available_on_brokers=False,
        category=_str(series.meta, "category") if series is not None else None,
        strike_date=_str(meta, "strike_date") or None,
        strike_period=_str(meta, "strike_period") or None,
        markets=markets,
        product_metadata=_dict(meta, "product_metadata"),
        settlement_sources=_sources(meta),
        last_updated_ts=rfc3339_from_ns(event.created_ns),
        fee_type_override=cast(Any, fee_override) if fee_override in _FEE_TYPES else None,
        fee_multiplier_override=(
            float(multiplier) if isinstance(multiplier, int | float) and fee_override else None
        ),
        exchange_index=0,
        markets_count=len(event.markets) if current().tutorials else None,
    )


def _truthy(request: Request, name: str) -> bool:
    return (request.query_params.get(name) or "").lower() == "true"


async def get_series_list(request: Request) -> Response:
    context = ctx(request)
    category = request.query_params.get("category") or None
    tags = set(tickers_param(request, "tags"))
    include_volume = _truthy(request, "include_volume")
    out = []
    for ticker in sorted(context.exchange.series):
        series = context.exchange.series[ticker]
        if category is not None and category not in _categories(series):
            continue
        if tags and not tags.intersection(_str_list(series.meta, "tags") or ()):
            continue
        out.append(series_wire(context, series, include_volume))
    return json_response(we.GetSeriesListResponse(series=out))


async def get_series(request: Request) -> Response:
    context = ctx(request)
    series = _series(context, request.path_params["series_ticker"])
    wire = series_wire(context, series, _truthy(request, "include_volume"))
    return json_response(we.GetSeriesResponse(series=wire))


def _event_matches(context: Context, event: EventInfo, request: Request) -> bool:
    exchange = context.exchange
    status = request.query_params.get("status")
    if status:
        known = status in _EVENT_STATUS
        wanted = STATUS_FILTER[status] if known else market_status_alias(status)
        if not any(exchange.markets[t].status in wanted for t in event.markets):
            return False
    min_close = int_param(request, "min_close_ts", None, 0, 2**40)
    if min_close is None:
        return True
    return any(exchange.markets[t].close_ts_ns >= min_close * 1_000_000_000 for t in event.markets)


async def get_events(request: Request) -> Response:
    context = ctx(request)
    exchange = context.exchange
    limit, cursor = page_params(request, default=200, hi=200)
    series = request.query_params.get("series_ticker") or None
    tickers = set(tickers_param(request, "tickers"))
    nested = _truthy(request, "with_nested_markets")
    page: list[EventInfo] = []
    more = False
    for ticker in sorted(exchange.events):
        event = exchange.events[ticker]
        if (cursor and ticker <= cursor) or (series is not None and event.series_ticker != series):
            continue
        if (tickers and ticker not in tickers) or not _event_matches(context, event, request):
            continue
        if len(page) == limit:
            more = True
            break
        page.append(event)
    rendered: dict[str, wm.Market] = {}
    if nested:
        rendered = await render_markets(context, [t for e in page for t in e.markets])
    events = [
        event_wire(
            context, e, [rendered[t] for t in e.markets if t in rendered] if nested else None
        )
        for e in page
    ]
    next_cursor = page[-1].event_ticker if more and page else ""
    return json_response(we.GetEventsResponse(events=events, cursor=next_cursor))


async def get_event(request: Request) -> Response:
    context = ctx(request)
    event = _event(context, request.path_params["event_ticker"])
    rendered = await render_markets(context, list(event.markets))
    markets = [rendered[t] for t in event.markets if t in rendered]
    nested = markets if _truthy(request, "with_nested_markets") else None
    return json_response(
        we.GetEventResponse(event=event_wire(context, event, nested), markets=markets)
    )


async def get_event_metadata(request: Request) -> Response:
    context = ctx(request)
    event = _event(context, request.path_params["event_ticker"])
    meta = event.meta
    details = []
    for ticker in event.markets:
        market_meta = context.exchange.markets[ticker].meta
        details.append(
            we.MarketMetadata(
                market_ticker=ticker,
                image_url=_str(market_meta, "image_url"),
                color_code=_str(market_meta, "color_code"),
            )
        )
    return json_response(
        we.GetEventMetadataResponse(
            image_url=_str(meta, "image_url"),
            featured_image_url=_str(meta, "featured_image_url") or None,
            market_details=details,
            settlement_sources=_sources(meta) or [],
            competition=_str(meta, "competition") or None,
            competition_scope=_str(meta, "competition_scope") or None,
        )
    )


routes = [
    Route("/series", get_series_list, methods=["GET"]),
    Route("/series/{series_ticker}", get_series, methods=["GET"]),
    Route("/events", get_events, methods=["GET"]),
    Route("/events/{event_ticker}", get_event, methods=["GET"]),
    Route("/events/{event_ticker}/metadata", get_event_metadata, methods=["GET"]),
]
