"""Series and events: the catalog's descriptive metadata, served from the read side.

Invariants (the shapes: ``augury.api.render.event``):

- ``GET /events?status=`` matches an event when any of its markets matches (CONTRACT §3.2);
  events are ordered by ticker and the cursor is the last ticker of the page.
- ``GET /series?category=`` matches a series' discovery categories; ``tags=`` any tag.
- Nested markets carry the same 24-hour statistics as ``GET /markets`` (one reader hop).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from augury.api.context import Context, context_of, json_response
from augury.api.errors import ApiError
from augury.api.market_stats import render_markets
from augury.api.params import (
    flag_param,
    int_param,
    market_status_param,
    page_params,
    tickers_param,
)
from augury.api.render import event as render
from augury.api.schemas import events as we
from augury.api.schemas import markets as wm
from augury.queries import EventView, SeriesView

__all__ = ["routes"]

_EVENT_STATUS = ("unopened", "open", "closed", "settled")


def _series_wire(context: Context, series: SeriesView, include_volume: bool) -> we.Series:
    volume = context.queries.series_volume_c(series.ticker) if include_volume else None
    return render.series(series, volume)


def _event_wire(
    context: Context, event: EventView, markets: list[wm.Market] | None
) -> we.EventData:
    return render.event(event, context.queries.series(event.series_ticker), markets)


def _series(context: Context, ticker: str) -> SeriesView:
    series = context.queries.series(ticker)
    if series is None:
        raise ApiError(404, "not_found", f"series {ticker} not found")
    return series


def _event(context: Context, ticker: str) -> EventView:
    event = context.queries.event(ticker)
    if event is None:
        raise ApiError(404, "not_found", f"event {ticker} not found")
    return event


async def get_series_list(request: Request) -> Response:
    context = context_of(request)
    category = request.query_params.get("category") or None
    tags = set(tickers_param(request, "tags"))
    include_volume = flag_param(request, "include_volume")
    out = []
    for series in context.queries.series_list():
        if category is not None and category not in render.categories(series):
            continue
        if tags and not tags.intersection(render.str_list(series.meta, "tags") or ()):
            continue
        out.append(_series_wire(context, series, include_volume))
    return json_response(we.GetSeriesListResponse(series=out))


async def get_series(request: Request) -> Response:
    context = context_of(request)
    series = _series(context, request.path_params["series_ticker"])
    wire = _series_wire(context, series, flag_param(request, "include_volume"))
    return json_response(we.GetSeriesResponse(series=wire))


def _event_matches(context: Context, event: EventView, request: Request) -> bool:
    markets = [context.queries.market(t) for t in event.markets]
    wanted = market_status_param(request, _EVENT_STATUS)
    if wanted is not None and not any(m is not None and m.status in wanted for m in markets):
        return False
    min_close = int_param(request, "min_close_ts", None, 0, 2**40)
    if min_close is None:
        return True
    return any(m is not None and m.close_ts_ns >= min_close * 1_000_000_000 for m in markets)


async def get_events(request: Request) -> Response:
    context = context_of(request)
    limit, cursor = page_params(request, default=200, hi=200)
    series = request.query_params.get("series_ticker") or None
    tickers = set(tickers_param(request, "tickers"))
    nested = flag_param(request, "with_nested_markets")
    page: list[EventView] = []
    more = False
    for event in context.queries.events():
        ticker = event.event_ticker
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
        _event_wire(
            context, e, [rendered[t] for t in e.markets if t in rendered] if nested else None
        )
        for e in page
    ]
    next_cursor = page[-1].event_ticker if more and page else ""
    return json_response(we.GetEventsResponse(events=events, cursor=next_cursor))


async def get_event(request: Request) -> Response:
    context = context_of(request)
    event = _event(context, request.path_params["event_ticker"])
    rendered = await render_markets(context, list(event.markets))
    markets = [rendered[t] for t in event.markets if t in rendered]
    nested = markets if flag_param(request, "with_nested_markets") else None
    return json_response(
        we.GetEventResponse(event=_event_wire(context, event, nested), markets=markets)
    )


async def get_event_metadata(request: Request) -> Response:
    context = context_of(request)
    event = _event(context, request.path_params["event_ticker"])
    markets = [(ticker, context.queries.market(ticker)) for ticker in event.markets]
    details = [(ticker, m.meta if m is not None else {}) for ticker, m in markets]
    return json_response(render.event_metadata(event, details))


routes = [
    Route("/series", get_series_list, methods=["GET"]),
    Route("/series/{series_ticker}", get_series, methods=["GET"]),
    Route("/events", get_events, methods=["GET"]),
    Route("/events/{event_ticker}", get_event, methods=["GET"]),
    Route("/events/{event_ticker}/metadata", get_event_metadata, methods=["GET"]),
]
