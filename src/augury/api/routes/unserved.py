"""Contract paths Augury does not trade on: served empty, or refused by name.

Two list endpoints are served with Kalshi's shapes and nothing in them (Augury has no
scheduled series fee changes and no multivariate events): ``GET /series/fee_changes``,
``GET /events/multivariate``. ``GET /events/fee_changes`` lists the event fee overrides
in force (decision 0058: an override applies when it is set, so its ``scheduled_ts`` is
when it took effect, or, for one already in force when the server started, the time of
the state it recovered), one per event, by event ticker, the cursor being the last
ticker of the page. They are registered before the catalog's ``{ticker}`` routes, which
used to capture them ("series fee_changes not found").

Every other endpoint of the SDK 3.34 contract that Augury does not serve (``UNSERVED``,
checked against the digest by ``tests/api/test_unserved.py``) answers **501**
``not_implemented`` naming the endpoint and the feature, instead of a 404 that looks like
an unknown ticker. A path that is in no contract answers 404 ``not_found`` with the
nearest path Augury serves in ``details`` (``nearest_path``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from augury.api import bounds
from augury.api.context import context_of, json_response
from augury.api.errors import ApiError
from augury.api.params import page_params
from augury.api.ratelimit import API_PREFIX
from augury.api.render import event as render_event
from augury.api.schemas import fee_changes as wf
from augury.api.schemas.base import rfc3339_from_ns

__all__ = ["UNSERVED", "feature_of", "nearest_path", "not_found", "routes"]

# (method, path under /trade-api/v2, the SDK's summary), from the 3.34 digest.
UNSERVED: tuple[tuple[str, str, str], ...] = (
    ("POST", "/account/api_usage_level/upgrade", "Upgrade Account API Usage Level"),
    (
        "GET",
        "/account/api_usage_level/volume_progress",
        "Get Account API Usage Level Volume Progress",
    ),
    ("GET", "/communications/block-trade-proposals", "Get Block Trade Proposals"),
    ("POST", "/communications/block-trade-proposals", "Propose Block Trade"),
    (
        "POST",
        "/communications/block-trade-proposals/{block_trade_proposal_id}/accept",
        "Accept Block Trade Proposal",
    ),
    ("GET", "/communications/id", "Get Communications ID"),
    ("GET", "/communications/quotes", "Get Quotes"),
    ("POST", "/communications/quotes", "Create Quote"),
    ("DELETE", "/communications/quotes/{quote_id}", "Delete Quote"),
    ("GET", "/communications/quotes/{quote_id}", "Get Quote"),
    ("PUT", "/communications/quotes/{quote_id}/accept", "Accept Quote"),
    ("PUT", "/communications/quotes/{quote_id}/confirm", "Confirm Quote"),
    ("GET", "/communications/rfqs", "Get RFQs"),
    ("POST", "/communications/rfqs", "Create RFQ"),
    ("DELETE", "/communications/rfqs/{rfq_id}", "Delete RFQ"),
    ("GET", "/communications/rfqs/{rfq_id}", "Get RFQ"),
    ("DELETE", "/communications/rfqs/{rfq_id}/quotes/{quote_id}", "Delete RFQ Quote"),
    ("GET", "/communications/rfqs/{rfq_id}/quotes/{quote_id}", "Get RFQ Quote"),
    ("PUT", "/communications/rfqs/{rfq_id}/quotes/{quote_id}/accept", "Accept RFQ Quote"),
    ("PUT", "/communications/rfqs/{rfq_id}/quotes/{quote_id}/confirm", "Confirm RFQ Quote"),
    ("GET", "/fcm/fills", "Get FCM Fills"),
    ("GET", "/fcm/orders", "Get FCM Orders"),
    ("GET", "/fcm/positions", "Get FCM Positions"),
    ("POST", "/fcm/positions/transfers", "Create FCM Position Transfer"),
    ("GET", "/fcm/subtraders", "List FCM Subtraders"),
    ("POST", "/fcm/subtraders", "Create FCM Subtrader"),
    ("GET", "/fcm/subtraders/blocked_categories", "Get FCM Subtrader Blocked Categories"),
    ("PUT", "/fcm/subtraders/blocked_categories", "Update FCM Subtrader Blocked Categories"),
    (
        "DELETE",
        "/fcm/subtraders/event_contract_daily_cap",
        "Delete FCM Subtrader Event Contract Daily Cap",
    ),
    (
        "GET",
        "/fcm/subtraders/event_contract_daily_cap",
        "Get FCM Subtrader Event Contract Daily Cap",
    ),
    (
        "PUT",
        "/fcm/subtraders/event_contract_daily_cap",
        "Update FCM Subtrader Event Contract Daily Cap",
    ),
    ("GET", "/incentive_programs", "Get Incentives"),
    ("GET", "/live_data/batch", "Get Multiple Live Data"),
    ("GET", "/live_data/events/{event_ticker}", "Get Event Live Data"),
    ("GET", "/live_data/milestone/{milestone_id}", "Get Live Data"),
    ("GET", "/live_data/milestone/{milestone_id}/game_stats", "Get Game Stats"),
    ("GET", "/live_data/weather/{city}", "Get Weather Index"),
    ("GET", "/live_data/weather/{city}/calibrations", "Get Weather Index Calibrations"),
    ("GET", "/live_data/{type}/milestone/{milestone_id}", "Get Live Data (with type)"),
    ("GET", "/milestones", "Get Milestones"),
    ("GET", "/milestones/{milestone_id}", "Get Milestone"),
    ("GET", "/multivariate_event_collections", "Get Multivariate Event Collections"),
    (
        "GET",
        "/multivariate_event_collections/{collection_ticker}",
        "Get Multivariate Event Collection",
    ),
    (
        "POST",
        "/multivariate_event_collections/{collection_ticker}",
        "Create Market In Multivariate Event Collection",
    ),
    ("POST", "/portfolio/intra_exchange_instance_transfer", "Intra Account Transfer"),
    ("GET", "/portfolio/intra_exchange_instance_transfers", "Get Intra Account Transfers"),
    (
        "GET",
        "/portfolio/intra_exchange_instance_transfers/{transfer_id}",
        "Get Intra Account Transfer",
    ),
    ("GET", "/portfolio/target_balance_allocation", "Get Target Balance Allocation"),
    ("POST", "/portfolio/target_balance_allocation", "Set Target Balance Allocation"),
    ("GET", "/search/filters_by_sport", "Get Filters for Sports"),
    ("GET", "/search/tags_by_categories", "Get Tags for Series Categories"),
    (
        "GET",
        "/series/{series_ticker}/events/{ticker}/forecast_percentile_history",
        "Get Event Forecast Percentile History",
    ),
    ("GET", "/structured_targets", "Get Structured Targets"),
    ("GET", "/structured_targets/{structured_target_id}", "Get Structured Target"),
)

# What each family of unserved endpoints is, by path prefix (longest first wins).
_FEATURES: tuple[tuple[str, str], ...] = (
    (
        "/account/api_usage_level",
        "API usage levels (tiers are set by the operator: augury admin users tier)",
    ),
    ("/communications/block-trade-proposals", "block trades"),
    ("/communications", "RFQs and quotes (communications)"),
    ("/fcm", "FCM subtrader accounts"),
    ("/incentive_programs", "incentive programs"),
    ("/live_data", "live data feeds"),
    ("/milestones", "milestones"),
    ("/multivariate_event_collections", "multivariate (combo) event collections"),
    (
        "/portfolio/intra_exchange_instance_transfer",
        "transfers between exchange instances (Augury runs one instance)",
    ),
    ("/portfolio/target_balance_allocation", "target balance allocations"),
    ("/search", "search filters"),
    (
        "/series/{series_ticker}/events/{ticker}/forecast_percentile_history",
        "forecast percentile history",
    ),
    ("/structured_targets", "structured targets"),
)


def feature_of(path: str) -> str:
    """Return the feature an unserved contract path belongs to."""
    for prefix, feature in _FEATURES:
        if path.startswith(prefix):
            return feature
    return "this endpoint"


def _unserved(method: str, path: str, summary: str) -> ApiError:
    feature = feature_of(path)
    return ApiError(
        501,
        "not_implemented",
        f"{summary} ({method} /trade-api/v2{path}) is not offered by Augury: it has no {feature}",
        f"unserved_endpoint: {method} /trade-api/v2{path}",
    )


def _routes_for_unserved() -> list[Route]:
    by_path: dict[str, dict[str, str]] = {}
    for method, path, summary in UNSERVED:
        by_path.setdefault(path, {})[method] = summary

    def make(path: str, summaries: dict[str, str]) -> Route:
        async def refuse(request: Request) -> Response:
            method = "GET" if request.method == "HEAD" else request.method
            raise _unserved(method, path, summaries[method])

        return Route(path, refuse, methods=sorted(summaries))

    return [make(path, summaries) for path, summaries in by_path.items()]


# --- served empty -------------------------------------------------------------------------


def _ticker_filter(request: Request, name: str) -> None:
    value = request.query_params.get(name)
    if value:
        bounds.ticker(name, value)


def _boolean(request: Request, name: str) -> None:
    value = request.query_params.get(name)
    if value not in (None, "", "true", "false"):
        raise ApiError(400, "invalid_parameters", f"{name} must be true or false", name)


async def series_fee_changes(request: Request) -> Response:
    _ticker_filter(request, "series_ticker")
    _boolean(request, "show_historical")
    return json_response(wf.GetSeriesFeeChangesResponse(series_fee_change_arr=[]))


async def event_fee_changes(request: Request) -> Response:
    _ticker_filter(request, "event_ticker")
    limit, cursor = page_params(request, default=100, hi=1000)
    only = request.query_params.get("event_ticker") or None
    queries = context_of(request).queries
    changes: list[wf.EventFeeChange] = []
    more = False
    for event in queries.events():
        ticker = event.event_ticker
        since = event.fee_since_ns
        if since is None or (cursor and ticker <= cursor) or (only and ticker != only):
            continue
        if len(changes) == limit:
            more = True
            break
        fee_type, multiplier = render_event.event_fee_override_wire(
            event, queries.series(event.series_ticker)
        )
        changes.append(
            wf.EventFeeChange(
                id=f"{ticker}@{since}",
                event_ticker=ticker,
                series_ticker=event.series_ticker,
                fee_type_override=cast(Any, fee_type),
                fee_multiplier_override=multiplier,
                scheduled_ts=rfc3339_from_ns(since),
            )
        )
    next_cursor = changes[-1].event_ticker if more and changes else ""
    return json_response(
        wf.GetEventFeeChangesResponse(event_fee_changes=changes, cursor=next_cursor)
    )


async def multivariate_events(request: Request) -> Response:
    page_params(request, default=100, hi=200)
    _ticker_filter(request, "series_ticker")
    _ticker_filter(request, "collection_ticker")
    _boolean(request, "with_nested_markets")
    if request.query_params.get("series_ticker") and request.query_params.get("collection_ticker"):
        raise ApiError(
            400,
            "invalid_parameters",
            "collection_ticker cannot be used together with series_ticker",
        )
    return json_response(wf.GetMultivariateEventsResponse(events=[], cursor=""))


# --- unknown paths ------------------------------------------------------------------------


def nearest_path(path: str, templates: Iterable[tuple[str, str]]) -> str | None:
    """Return the served ``METHOD /path`` closest to ``path`` (a relative request path).

    Each template is compared with its parameters filled from the request's own segments
    where the shapes line up, so ``/markets/X/orderbok`` is closest to
    ``/markets/{ticker}/orderbook``.
    """
    segments = path.strip("/").split("/")
    best: tuple[float, str] | None = None
    for method, template in templates:
        parts = template.strip("/").split("/")
        filled = [
            segments[i] if part.startswith("{") and i < len(segments) else part
            for i, part in enumerate(parts)
        ]
        score = difflib.SequenceMatcher(None, "/".join(segments), "/".join(filled)).ratio()
        if best is None or score > best[0]:
            best = (score, f"{method} /trade-api/v2{template}")
    if best is None or best[0] < 0.5:
        return None
    return best[1]


def _served_templates(request: Request) -> list[tuple[str, str]]:
    cached: list[tuple[str, str]] | None = getattr(request.app.state, "api_templates", None)
    if cached is not None:
        return cached
    unserved = {path for _, path, _ in UNSERVED}
    found: list[tuple[str, str]] = []

    def walk(children: Iterable[object], prefix: str) -> None:
        for route in children:
            if isinstance(route, Mount):
                walk(route.routes or [], prefix + route.path)
            elif isinstance(route, Route):
                full = prefix + route.path
                if full.startswith(API_PREFIX) and full[len(API_PREFIX) :] not in unserved:
                    for method in sorted(route.methods or ()):
                        if method != "HEAD":
                            found.append((method, full[len(API_PREFIX) :]))

    walk(request.app.routes, "")
    request.app.state.api_templates = found
    return found


def not_found(request: Request, message: str) -> ApiError:
    """The 404 for a path in no route, with the nearest served path in ``details``."""
    path = request.url.path
    if not path.startswith(API_PREFIX + "/"):
        return ApiError(404, "not_found", message)
    nearest = nearest_path(path[len(API_PREFIX) :], _served_templates(request))
    details = f"no such path; nearest_path: {nearest}" if nearest else "no such path"
    return ApiError(404, "not_found", message, details)


routes = [
    Route("/series/fee_changes", series_fee_changes, methods=["GET"]),
    Route("/events/fee_changes", event_fee_changes, methods=["GET"]),
    Route("/events/multivariate", multivariate_events, methods=["GET"]),
    *_routes_for_unserved(),
]
