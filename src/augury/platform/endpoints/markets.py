"""Events (Kalshi events; options are their markets), search, slugs and order books."""

from __future__ import annotations

from starlette.responses import Response

from augury.domain.units import C_PER_CONTRACT, ONE_DOLLAR_CC
from augury.platform import render
from augury.platform import schemas as s
from augury.platform.http import PlatformError, json_reply
from augury.platform.reads import EventView, MarketView
from augury.platform.routing import Call, Endpoint, Query
from augury.platform.trading import yes_mark_cc

__all__ = ["ENDPOINTS", "event_for_slug", "option_wire"]

_PAGE_MAX = 100
_RANGES = {"1d": (1, 86_400), "7d": (60, 7 * 86_400), "30d": (60, 30 * 86_400)}
_BOOK_DEPTH = 50


def _cents(value_cc: int) -> int | None:
    return value_cc // 100 if value_cc else None


def option_wire(market: MarketView) -> s.Option:
    mark = yes_mark_cc(market.yes_bid_cc, market.yes_ask_cc, market.last_price_cc)
    return s.Option(
        id=market.ticker,
        label=market.label,
        title=market.title,
        status=market.status,
        tradable=market.tradable,
        yes_price_cents=None if mark is None else mark // 100,
        yes_bid_cents=_cents(market.yes_bid_cc),
        yes_ask_cents=_cents(market.yes_ask_cc),
        last_price_cents=_cents(market.last_price_cc),
        volume=market.volume_c // C_PER_CONTRACT,
        close_time=render.iso(market.close_ts_ns) or "",
        result=market.result,
    )


def _summary(call: Call, event: EventView) -> s.EventSummary:
    slugs = call.platform.slugs
    return s.EventSummary(
        id=event.event_ticker,
        slug=slugs.by_event[event.event_ticker],
        title=event.title,
        subtitle=event.sub_title,
        category=event.category,
        featured=event.event_ticker in slugs.featured,
        status="open" if any(m.tradable for m in event.markets) else "closed",
        volume=sum(m.volume_c for m in event.markets) // C_PER_CONTRACT,
        options=[option_wire(m) for m in event.markets],
    )


def _matches(event: EventView, terms: list[str]) -> bool:
    text = " ".join(
        [event.title, event.sub_title] + [f"{m.title} {m.label} {m.rules}" for m in event.markets]
    ).lower()
    return all(term in text for term in terms)


async def list_events(call: Call) -> Response:
    reads = call.platform.reads
    events = reads.events()
    await call.platform.slugs.ensure(events, call.now_ns)
    category = call.query("category")
    featured = call.query("featured") in ("1", "true")
    status = call.query("status", "all")
    if status not in ("open", "closed", "all"):
        raise PlatformError(400, "status is open, closed or all")
    terms = (call.query("q") or "").lower().split()
    limit = call.int_query("limit", 50, 1, _PAGE_MAX)
    offset = call.int_query("cursor", 0, 0, 10_000_000)
    picked = []
    for event in sorted(events, key=lambda e: (-e.created_ns, e.event_ticker)):
        if category and event.category.lower() != category.lower():
            continue
        if featured and event.event_ticker not in call.platform.slugs.featured:
            continue
        is_open = any(m.tradable for m in event.markets)
        if (status == "open" and not is_open) or (status == "closed" and is_open):
            continue
        if terms and not _matches(event, terms):
            continue
        picked.append(event)
    page = picked[offset : offset + limit]
    more = len(picked) > offset + limit
    return json_reply(
        s.EventList(
            events=[_summary(call, e) for e in page],
            next_cursor=str(offset + limit) if more else None,
        )
    )


async def event_for_slug(call: Call, slug: str) -> EventView:
    """Return the event named by ``slug`` (404 if none)."""
    slugs = call.platform.slugs
    if slug not in slugs.by_slug:
        await slugs.ensure(call.platform.reads.events(), call.now_ns)
    ticker = slugs.by_slug.get(slug)
    event = call.platform.reads.event(ticker) if ticker else None
    if event is None:
        raise PlatformError(404, "no such event")
    return event


async def get_event(call: Call) -> Response:
    event = await event_for_slug(call, call.path_params["slug"])
    span = call.query("range", "7d")
    if span not in _RANGES:
        raise PlatformError(400, "range is 1d, 7d or 30d")
    period_min, seconds = _RANGES[span]
    end_s = call.now_ns // 1_000_000_000 + 60
    history = []
    for market in event.markets:
        closes = await call.platform.reads.closes(market.ticker, period_min, end_s - seconds, end_s)
        history.append(
            s.OptionHistory(
                option_id=market.ticker,
                points=[
                    s.PricePoint(
                        t=render.iso(t * 1_000_000_000) or "",
                        price_cents=price // 100,
                        price_bps=price,
                    )
                    for t, price in closes
                ],
            )
        )
    return json_reply(
        s.EventDetail(
            event=_summary(call, event),
            rules={m.ticker: m.rules for m in event.markets},
            price_history=history,
        )
    )


async def event_by_slug(call: Call) -> Response:
    event = await event_for_slug(call, call.path_params["slug"])
    slug = call.platform.slugs.by_event[event.event_ticker]
    return json_reply(s.EventRef(id=event.event_ticker, slug=slug, title=event.title))


def _levels(levels: tuple[tuple[int, int], ...], mirror: bool) -> list[s.Level]:
    out = []
    for price_cc, size_c in levels:
        price = ONE_DOLLAR_CC - price_cc if mirror else price_cc
        out.append(
            s.Level(
                price_cents=price // 100,
                price_bps=price,
                quantity=size_c // C_PER_CONTRACT,
                quantity_centis=size_c,
            )
        )
    return out


async def orderbook(call: Call) -> Response:
    option_id = call.path_params["option_id"]
    book = call.platform.reads.book(option_id, _BOOK_DEPTH)
    if book is None:
        raise PlatformError(404, "no such option")
    # YES asks are NO bids seen from the other side (and YES bids NO asks).
    return json_reply(
        s.Orderbook(
            option_id=option_id,
            yes=s.BookSide(bids=_levels(book.yes_bids, False), asks=_levels(book.yes_asks, False)),
            no=s.BookSide(bids=_levels(book.yes_asks, True), asks=_levels(book.yes_bids, True)),
        )
    )


ENDPOINTS = [
    Endpoint(
        "GET",
        "/api/events",
        list_events,
        "public",
        "List events (markets); filter by category, featured, status, or search titles and rules",
        response=s.EventList,
        statuses=(200, 400, 429),
        query=(
            Query("category", "exact category, case-insensitive"),
            Query("featured", "1: featured events only"),
            Query("q", "words that must all appear in the titles, labels or rules"),
            Query("status", "open, closed or all (default)"),
            Query("limit", "page size, 1-100 (default 50)", {"type": "integer"}),
            Query("cursor", "nextCursor of the previous page"),
        ),
    ),
    Endpoint(
        "GET",
        "/api/events/{slug}",
        get_event,
        "public",
        "One event with its options, rules and price history",
        response=s.EventDetail,
        statuses=(200, 400, 404, 429),
        query=(Query("range", "price history span: 1d, 7d (default) or 30d"),),
    ),
    Endpoint(
        "GET",
        "/api/events/by-slug/{slug}",
        event_by_slug,
        "public",
        "Lightweight lookup: id and title of a slug",
        response=s.EventRef,
        statuses=(200, 404, 429),
    ),
    Endpoint(
        "GET",
        "/api/orderbook/{option_id}",
        orderbook,
        "public",
        "Aggregated bids and asks of one option, for YES and for NO",
        response=s.Orderbook,
        statuses=(200, 404, 429),
    ),
]
