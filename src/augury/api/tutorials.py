"""The forms popular Kalshi tutorials use: refused with a fix by default, accepted on demand.

By default Augury answers each of these as live Kalshi does (same status, same code) and
adds a ``details`` string naming the fix. Under ``augury serve --compat tutorials`` they
are accepted (docs/compat-tutorials.md lists each with why it is not the default):

- market ``status`` filters ``active`` and ``determined`` (response statuses, not filter
  values): ``market_status_alias``;
- order ``status=filled``: ``order_status_alias``;
- ``/markets/{ticker}/trades`` and ``/markets/{ticker}/candlesticks``: ``routes``;
- candle periods 5 and 15 minutes: ``candle_period``;
- a v1 amend with only ``{count, yes_price}``: ``amend_defaults``;
- the ``order_update`` WebSocket channel: ``channel_alias``;
- signatures without ``/trade-api/v2`` or with the query: ``augury.api.diagnose``;
- courtesy fields (``markets_count``, Order ``count``/``total_cost``/``avg_price``, Fill
  ``fee``, WS ``trade.count``): where each object is rendered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from augury.api.errors import ApiError
from augury.api.modes import current
from augury.domain.enums import MarketStatus

__all__ = [
    "COMPAT_HINT",
    "amend_defaults",
    "candle_period",
    "channel_alias",
    "market_status_alias",
    "order_status_alias",
    "routes",
]

COMPAT_HINT = "augury serve --compat tutorials accepts this form"
_MARKET_FILTERS = "unopened, open, paused, closed or settled"
# A status markets report, used as a filter -> (what it selects, the filter to use).
_MARKET_ALIASES: dict[str, tuple[frozenset[MarketStatus], str]] = {
    "active": (frozenset({MarketStatus.ACTIVE}), "open"),
    "determined": (frozenset({MarketStatus.DETERMINED, MarketStatus.AMENDED}), "closed"),
}
COMPAT_CANDLE_PERIODS = (5, 15)


def market_status_alias(status: str) -> frozenset[MarketStatus]:
    """Resolve a status filter Kalshi does not take (400 unless tutorials are on)."""
    known = _MARKET_ALIASES.get(status)
    message = f"unknown status filter {status!r}"
    if known is None:
        raise ApiError(400, "invalid_parameters", message, f"status takes {_MARKET_FILTERS}")
    if current().tutorials:
        return known[0]
    raise ApiError(
        400,
        "invalid_parameters",
        message,
        f"status takes {_MARKET_FILTERS}; {status!r} is a status markets report, not a "
        f"filter: use status={known[1]} ({COMPAT_HINT})",
    )


def order_status_alias(status: str) -> str:
    """Resolve ``status=filled`` on order lists (400 unless tutorials are on)."""
    message = "status is resting, canceled or executed"
    if status != "filled":
        raise ApiError(400, "invalid_parameters", message)
    if current().tutorials:
        return "executed"
    raise ApiError(
        400,
        "invalid_parameters",
        message,
        f"a fully filled order has status executed: use status=executed ({COMPAT_HINT})",
    )


def candle_period(period: int) -> int:
    """Accept the tutorials' 5 and 15 minute periods (400 unless tutorials are on)."""
    message = "period_interval is 1, 60 or 1440"
    if period not in COMPAT_CANDLE_PERIODS:
        raise ApiError(400, "invalid_parameters", message)
    if current().tutorials:
        return period
    raise ApiError(
        400,
        "invalid_parameters",
        message,
        f"Kalshi serves 1, 60 and 1440 minute candles: ask for 1 and aggregate {period} of "
        f"them ({COMPAT_HINT})",
    )


def channel_alias(name: str) -> tuple[str | None, str | None]:
    """(the channel an unknown name stands for, or None; the diagnostic for the error)."""
    if name != "order_update":
        return None, None
    if current().tutorials:
        return "user_orders", None
    return None, (
        "order_update is not a channel: subscribe to user_orders (its messages have type "
        f"user_order) ({COMPAT_HINT})"
    )


def amend_defaults(missing: list[str], known: dict[str, str] | None) -> dict[str, str]:
    """Fill a v1 amend's missing ``ticker``/``side``/``action`` from the order itself.

    Args:
        missing: the required keys the body lacks.
        known: the order's own values, or None when it is not resting.
    """
    names = ", ".join(missing)
    if known is not None and current().tutorials:
        return {key: known[key] for key in missing}
    hint = ""
    if known is not None:
        values = ", ".join(f"{key}={known[key]!r}" for key in missing)
        hint = f": this order's are {values} ({COMPAT_HINT})"
    raise ApiError(
        400,
        "invalid_parameters",
        f"a v1 amend needs ticker, side and action besides count and a price; missing {names}",
        f"send {names} in the body{hint}",
    )


# --- path aliases --------------------------------------------------------------------------

Endpoint = Callable[[Request], Awaitable[Response]]


def _delegate(request: Request, endpoint: Endpoint, params: dict[str, str], query: str) -> Any:
    scope = dict(request.scope)
    scope["path_params"] = params
    scope["query_string"] = query.encode("latin-1")
    return endpoint(Request(scope, request.receive))


def _not_here(request: Request, real: str) -> ApiError:
    return ApiError(
        404,
        "not_found",
        f"{request.url.path} is not a Kalshi path",
        f"use GET /trade-api/v2{real} ({COMPAT_HINT})",
    )


async def market_trades(request: Request) -> Response:
    from augury.api.routes.history import get_trades

    ticker = request.path_params["ticker"]
    if not current().tutorials:
        raise _not_here(request, f"/markets/trades?ticker={ticker}")
    query = request.scope.get("query_string", b"").decode("latin-1")
    query = f"ticker={ticker}" + (f"&{query}" if query else "")
    response: Response = await _delegate(request, get_trades, {}, query)
    return response


async def market_candlesticks(request: Request) -> Response:
    from augury.api.routes.candles import market_candles
    from augury.api.routes.orders import ctx

    ticker = request.path_params["ticker"]
    exchange = ctx(request).exchange
    market = exchange.markets.get(ticker)
    series = exchange.events[market.event_ticker].series_ticker if market else "{series_ticker}"
    if not current().tutorials:
        raise _not_here(request, f"/series/{series}/markets/{ticker}/candlesticks")
    if market is None:
        raise ApiError(404, "market_not_found", f"market {ticker} not found")
    query = request.scope.get("query_string", b"").decode("latin-1")
    params = {"series_ticker": series, "ticker": ticker}
    response: Response = await _delegate(request, market_candles, params, query)
    return response


routes = [
    Route("/markets/{ticker}/trades", market_trades, methods=["GET"]),
    Route("/markets/{ticker}/candlesticks", market_candlesticks, methods=["GET"]),
]
