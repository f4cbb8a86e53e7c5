"""The markets page: categories, featured, search over titles and rules, sorts, cards.

Events come from ``/api/events`` (the same filters: category, featured, ``q`` matched
against titles, labels and rules); the sorts are the page's own: by volume (default),
closing soonest, or newest. Each card shows every option's YES price (the book's mid, else
the last trade, as ``/api`` computes it), its change over 24 hours (against the last
price a day ago, from the candle history) and the event's volume; a star toggles the
event on the viewer's watchlist (``/api/watchlist``).

Limits: the search text is at most 200 characters (longer is cut); at most
``_EVENTS_MAX`` events are considered per page view (100 shown).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from augury.platform import schemas as s
from augury.platform.endpoints import markets as api_markets
from augury.platform.endpoints import profile as api_profile
from augury.platform.http import PlatformError
from augury.web.bridge import call_api
from augury.web.pages.common import is_htmx, local_path, render, render_partial, require_viewer
from augury.web.security import field, read_form
from augury.web.session import Viewer, platform_of, viewer_of

__all__ = ["changes_24h", "routes", "watched_slugs"]

_EVENTS_MAX = 1_000
_SHOWN_MAX = 100
_DAY_NS = 86_400 * 1_000_000_000
SORTS = {"volume": "Volume", "closing": "Closing soon", "newest": "Newest"}


async def all_events(request: Request, query: dict[str, str]) -> list[s.EventSummary]:
    """Every event ``/api/events`` lists for these filters (page by page, bounded)."""
    events: list[s.EventSummary] = []
    cursor = ""
    while len(events) < _EVENTS_MAX:
        page = await call_api(
            request,
            None,
            api_markets.list_events,
            s.EventList,
            query={**query, "limit": "100", "cursor": cursor},
        )
        events.extend(page.events)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    return events


async def changes_24h(request: Request, events: list[s.EventSummary]) -> dict[str, int]:
    """Option id -> change of its YES price in cents over 24 hours (where both exist)."""
    platform = platform_of(request)
    tickers = [o.id for e in events for o in e.options if o.yes_price_cents is not None]
    before = await platform.reads.last_prices_before(tickers, platform.clock.now_ns() - _DAY_NS)
    changes = {}
    for event in events:
        for option in event.options:
            then = before.get(option.id)
            if then is not None and option.yes_price_cents is not None:
                changes[option.id] = option.yes_price_cents - then // 100
    return changes


async def watched_slugs(request: Request, viewer: Viewer | None) -> set[str]:
    if viewer is None:
        return set()
    watchlist = await call_api(request, viewer, api_profile.get_watchlist, s.Watchlist)
    return {w.event.slug for w in watchlist.events}


def _sorted(events: list[s.EventSummary], sort: str) -> list[s.EventSummary]:
    if sort == "closing":
        soonest = {e.id: min((o.close_time for o in e.options), default="") for e in events}
        return sorted(events, key=lambda e: (e.status != "open", soonest[e.id], e.id))
    if sort == "newest":
        return events  # /api/events lists newest first
    return sorted(events, key=lambda e: (e.status != "open", -e.volume, e.id))


async def markets_page(request: Request) -> Response:
    params = request.query_params
    q = (params.get("q") or "")[:200]
    category = (params.get("category") or "")[:100]
    featured = params.get("featured") == "1"
    sort = params.get("sort") or "volume"
    if sort not in SORTS:
        raise PlatformError(400, "sort is volume, closing or newest")
    everything = await all_events(request, {"status": "all"})
    categories = sorted({e.category for e in everything if e.category})
    query = {"q": q, "category": category, "featured": "1" if featured else "", "status": "all"}
    events = _sorted(await all_events(request, query), sort)[:_SHOWN_MAX]
    viewer = await viewer_of(request)
    context = {
        "events": events,
        "changes": await changes_24h(request, events),
        "watched": await watched_slugs(request, viewer),
        "categories": categories,
        "featured_events": [e for e in everything if e.featured][:6] if not (q or category) else [],
        "q": q,
        "category": category,
        "featured": featured,
        "sort": sort,
        "sorts": SORTS,
    }
    if is_htmx(request) and request.headers.get("hx-target") == "market-grid":
        return render_partial(request, "partials/market_grid.html", {**context, "viewer": viewer})
    return await render(request, "pages/markets.html", context)


async def toggle_watch(request: Request) -> Response:
    """Star or unstar an event (a form, or an htmx button that swaps itself)."""
    viewer = await require_viewer(request)
    form = await read_form(request, viewer)
    slug = request.path_params["slug"]
    watched = await watched_slugs(request, viewer)
    if slug in watched:
        await call_api(
            request, viewer, api_profile.unwatch, s.OkResponse, path={"slug": slug}, body=None
        )
    else:
        body = s.WatchRequest(event_slug=slug)
        await call_api(request, viewer, api_profile.watch, s.Watchlist, body=body)
    if is_htmx(request):
        return render_partial(
            request,
            "partials/star.html",
            {"slug": slug, "on": slug not in watched, "csrf": viewer.csrf, "viewer": viewer},
        )
    return RedirectResponse(local_path(field(form, "back")), 303)


routes = [
    Route("/", markets_page, methods=["GET"]),
    Route("/watch/{slug}", toggle_watch, methods=["POST"]),
]
