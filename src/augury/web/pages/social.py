"""Leaderboard, public profiles, notifications, watchlist.

All four are the ``/api`` handlers rendered: ``/api/leaderboard`` (profit, volume or
predictions over all time, 30 or 7 days), ``/api/users/{username}``,
``/api/me/notifications`` (paged; mark one or all read) and ``/api/watchlist``. A public
profile shows only what the API makes public (display name, bio as text, avatar, joined,
statistics); the bio is escaped like every other text.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from augury.platform import schemas as s
from augury.platform.endpoints import me as api_me
from augury.platform.endpoints import profile as api_profile
from augury.platform.http import PlatformError
from augury.web.bridge import call_api
from augury.web.pages.common import render, require_viewer
from augury.web.pages.markets import changes_24h
from augury.web.security import read_form
from augury.web.session import platform_of

__all__ = ["routes"]

METRICS = {"profit": "Profit", "volume": "Volume", "predictions": "Predictions"}
PERIODS = {"all": "All time", "30d": "30 days", "7d": "7 days"}


async def leaderboard_page(request: Request) -> Response:
    metric = request.query_params.get("metric", "profit")
    period = request.query_params.get("period", "all")
    if metric not in METRICS or period not in PERIODS:
        raise PlatformError(400, "metric is profit, volume or predictions; period all, 30d, 7d")
    board = await call_api(
        request,
        None,
        api_profile.get_leaderboard,
        s.Leaderboard,
        query={"metric": metric, "period": period, "limit": "100"},
    )
    return await render(
        request,
        "pages/leaderboard.html",
        {
            "board": board,
            "metric": metric,
            "period": period,
            "metrics": METRICS,
            "periods": PERIODS,
        },
    )


async def profile_page(request: Request) -> Response:
    username = request.path_params["username"][:64]
    found = await call_api(
        request, None, api_profile.get_profile, s.ProfileResponse, path={"username": username}
    )
    return await render(request, "pages/profile.html", {"profile": found.profile})


async def notifications_page(request: Request) -> Response:
    viewer = await require_viewer(request)
    cursor = request.query_params.get("cursor", "")[:20]
    listing = await call_api(
        request,
        viewer,
        api_me.list_notifications,
        s.NotificationList,
        query={"limit": "50", "cursor": cursor},
    )
    reads = platform_of(request).reads
    labels = {}
    for note in listing.notifications:
        option = note.data.get("optionId")
        if isinstance(option, str) and option not in labels:
            market = reads.market(option)
            labels[option] = (market.title or market.label) if market else option
    return await render(request, "pages/notifications.html", {"listing": listing, "labels": labels})


async def mark_read(request: Request) -> Response:
    viewer = await require_viewer(request)
    form = await read_form(request, viewer)
    raw = str(form.get("id") or "")
    if raw and not raw.isdigit():
        raise PlatformError(400, "id is a notification number")
    body = s.NotificationUpdate(id=int(raw)) if raw else s.NotificationUpdate(mark_all_read=True)
    await call_api(request, viewer, api_me.update_notifications, s.NotificationUpdated, body=body)
    return RedirectResponse("/notifications", 303)


async def watchlist_page(request: Request) -> Response:
    viewer = await require_viewer(request)
    watchlist = await call_api(request, viewer, api_profile.get_watchlist, s.Watchlist)
    events = [w.event for w in watchlist.events]
    return await render(
        request,
        "pages/watchlist.html",
        {
            "events": events,
            "changes": await changes_24h(request, events),
            "watched": {e.slug for e in events},
            "back": "/watchlist",
        },
    )


routes = [
    Route("/leaderboard", leaderboard_page, methods=["GET"]),
    Route("/u/{username}", profile_page, methods=["GET"]),
    Route("/notifications", notifications_page, methods=["GET"]),
    Route("/notifications/read", mark_read, methods=["POST"]),
    Route("/watchlist", watchlist_page, methods=["GET"]),
]
