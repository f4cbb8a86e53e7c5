"""The portfolio: summary, equity over time, positions with their protections, open orders
(cancel, amend), fills, settlements and cash movements, and the trades CSV.

Positions, the summary and fills are ``/api/positions`` and ``/api/trades``; open orders
``/api/limit-orders``; protections ``/api/positions/{id}/protections``. Amending is the
engine's ``AmendOrder`` for an order the viewer owns (``platform.trading.amend_command``;
anyone else's order id is a 404). Settlements and cash movements are the history read
models (the rows the Kalshi API's settlements and deposits endpoints serve).

The equity curve (``/portfolio/equity``) replays the viewer's deposits, withdrawals,
fills and settlements in time order, valuing what is held at the viewer's own last fill
price in each market; its last point is the summary's equity now (marked at the book).
A voided market is valued at its last mark until the final point. All integer cents.

Limits: the lists show the newest ``ROWS`` rows; the curve has at most ``POINTS_MAX``
points (evenly thinned).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from augury.domain.units import C_PER_CONTRACT, ONE_DOLLAR_CC
from augury.platform import schemas as s
from augury.platform.endpoints import portfolio as api_portfolio
from augury.platform.endpoints import trading as api_trading
from augury.platform.http import PlatformError
from augury.platform.trading import amend_command, error_for, parse_quantity_c
from augury.web.bridge import call_api, charge
from augury.web.pages.common import is_htmx, render, render_partial, require_viewer
from augury.web.security import field, read_form
from augury.web.session import Viewer, platform_of

__all__ = ["equity_points", "routes"]

ROWS = 50
POINTS_MAX = 2_000


async def portfolio_context(request: Request, viewer: Viewer) -> dict[str, Any]:
    platform = platform_of(request)
    positions = await call_api(request, viewer, api_portfolio.list_positions, s.PositionList)
    orders = await call_api(
        request,
        viewer,
        api_trading.list_limit_orders,
        s.LimitOrderList,
        query={"status": "open", "limit": "200"},
    )
    trades = await call_api(
        request, viewer, api_trading.list_trades, s.TradeList, query={"limit": str(ROWS)}
    )
    settlements = await platform.reads.settlements(viewer.user_id, ROWS)
    cash = await platform.reads.cash_movements(viewer.user_id, ROWS)
    labels = {}
    for row in settlements:
        market = platform.reads.market(row.ticker)
        labels[row.ticker] = market.title or market.label if market else row.ticker
    return {
        "positions": positions.positions,
        "summary": positions.summary,
        "orders": orders.orders,
        "trades": trades.trades,
        "settlements": settlements,
        "labels": labels,
        "cash": cash,
        "csrf": viewer.csrf,
    }


async def portfolio_page(request: Request) -> Response:
    viewer = await require_viewer(request)
    context = await portfolio_context(request, viewer)
    context["notice"] = request.query_params.get("notice", "")[:200]
    context["error"] = ""
    if is_htmx(request):
        return render_partial(
            request, "partials/portfolio_body.html", {**context, "viewer": viewer}
        )
    return await render(request, "pages/portfolio.html", context)


def _thin(points: list[dict[str, int]]) -> list[dict[str, int]]:
    if len(points) <= POINTS_MAX:
        return points
    step = -(-len(points) // POINTS_MAX)
    return [*points[::step], points[-1]]


async def equity_points(request: Request, viewer: Viewer) -> list[dict[str, int]]:
    """The equity curve as ``{"t": unix seconds, "v": cents}`` points, oldest first."""
    platform = platform_of(request)
    user = viewer.user_id
    fills = await platform.reads.fills_of([user])
    settlements = await platform.reads.settlements_of([user])
    cash_rows = await platform.reads.cash_movements(user, 1000)
    steps: list[tuple[int, int, Any]] = [(f.ts_ns, 1, f) for f in fills]
    steps += [(r.ts_ns, 2, r) for r in settlements]
    steps += [(r.ts_ns, 0, r) for r in cash_rows if r.kind in ("deposit", "withdrawal")]
    steps.sort(key=lambda item: (item[0], item[1]))
    # YES-units accounting: a NO holding is a negative YES holding; equity is the same.
    # Amounts are centi-cents x centi-contracts (_cc_c), exact until the final division.
    cash_cc_c = 0
    held: dict[str, int] = {}
    mark: dict[str, int] = {}
    points: list[dict[str, int]] = []
    for ts_ns, kind, row in steps:
        if kind == 0:
            sign = 1 if row.kind == "deposit" else -1
            cash_cc_c += sign * row.amount_cc * C_PER_CONTRACT
        elif kind == 1:
            sign = 1 if row.side == "bid" else -1
            cash_cc_c -= sign * row.price_cc * row.count_c + row.fee_cc * C_PER_CONTRACT
            held[row.ticker] = held.get(row.ticker, 0) + sign * row.count_c
            mark[row.ticker] = row.price_cc
        else:
            value = row.value_cc if row.result != "void" else mark.get(row.ticker, 0)
            cash_cc_c += held.pop(row.ticker, 0) * (value or 0)
        value_cc_c = sum(count * mark.get(t, 0) for t, count in held.items())
        # cc x centi-contracts (micro-dollars) to cents: 10,000 of them make a cent.
        points.append({"t": ts_ns // 1_000_000_000, "v": (cash_cc_c + value_cc_c) // 10_000})
    summary = await call_api(request, viewer, api_portfolio.list_positions, s.PositionList)
    points.append(
        {"t": platform.clock.now_ns() // 1_000_000_000, "v": summary.summary.equity_cents}
    )
    # One point per second (the chart's time axis needs strictly increasing times).
    by_second: dict[int, int] = {}
    for point in points:
        by_second[point["t"]] = point["v"]
    return _thin([{"t": t, "v": v} for t, v in sorted(by_second.items())])


async def equity_json(request: Request) -> Response:
    viewer = await require_viewer(request)
    return JSONResponse({"points": await equity_points(request, viewer)})


async def amend_order(request: Request, viewer: Viewer) -> str:
    form = await read_form(request, viewer)
    order_id = request.path_params["order_id"][:100]
    platform = platform_of(request)
    record = await platform.reads.order(order_id)
    if record is None or record.user_id != viewer.user_id:
        raise PlatformError(404, "no such order")
    if record.status != "resting":
        raise PlatformError(409, "the order is no longer open (filled or cancelled)")
    price = field(form, "limit")
    if not price.isdigit():
        raise PlatformError(400, "the limit price is a whole number of cents, 1 to 99")
    remaining_c = parse_quantity_c(field(form, "quantity") or "0")
    charge(request, viewer)
    outcome = await platform.submit(amend_command(viewer.user_id, record, int(price), remaining_c))
    if outcome.reject is not None:
        raise error_for(outcome.reject)
    return "Order amended."


async def _back(request: Request, viewer: Viewer, notice: str, error: str = "") -> Response:
    if is_htmx(request):
        context = await portfolio_context(request, viewer)
        return render_partial(
            request,
            "partials/portfolio_body.html",
            {**context, "viewer": viewer, "notice": notice, "error": error},
        )
    return RedirectResponse("/portfolio?notice=" + notice.replace(" ", "+"), 303)


Action = Callable[[Request, Viewer], Awaitable[str]]


def _action(run: Action) -> Callable[[Request], Awaitable[Response]]:
    """A portfolio form: its refusal is shown on the page (htmx) or as an error page."""

    async def endpoint(request: Request) -> Response:
        viewer = await require_viewer(request)
        try:
            notice = await run(request, viewer)
        except PlatformError as refusal:
            if refusal.status in (401, 403, 429) or not is_htmx(request):
                raise
            return await _back(request, viewer, "", refusal.message)
        return await _back(request, viewer, notice)

    return endpoint


def _bps(raw: str, what: str) -> int | None:
    """A trigger price typed in cents (``35`` or ``35.5``) as basis points, or None."""
    if not raw:
        return None
    whole, _, frac = raw.partition(".")
    if not whole.isdigit() or (frac and (not frac.isdigit() or len(frac) > 2)):
        raise PlatformError(400, f"the {what} is a price in cents, like 35 or 35.5")
    bps = int(whole) * 100 + int(frac.ljust(2, "0") or "0")
    if not 1 <= bps <= ONE_DOLLAR_CC - 1:
        raise PlatformError(400, f"the {what} must be between 0.01¢ and 99.99¢")
    return bps


async def protect(request: Request, viewer: Viewer) -> str:
    form = await read_form(request, viewer)
    ticker = request.path_params["ticker"][:100]
    if field(form, "remove"):
        await call_api(
            request,
            viewer,
            api_portfolio.cancel_protection,
            s.OkResponse,
            path={"id": ticker},
            body=None,
        )
        return "Protection removed."
    body = s.ProtectionRequest(
        stop_loss_prob_bps=_bps(field(form, "stop"), "stop-loss"),
        take_profit_prob_bps=_bps(field(form, "take"), "take-profit"),
    )
    await call_api(
        request,
        viewer,
        api_portfolio.set_protection,
        s.ProtectionResponse,
        path={"id": ticker},
        body=body,
    )
    return "Protection saved."


async def cancel_from_portfolio(request: Request, viewer: Viewer) -> str:
    await read_form(request, viewer)
    await call_api(
        request,
        viewer,
        api_trading.cancel_limit_order,
        s.LimitOrderResponse,
        path={"id": request.path_params["order_id"][:100]},
        body=None,
    )
    return "Order cancelled."


routes = [
    Route("/portfolio", portfolio_page, methods=["GET"]),
    Route("/portfolio/equity", equity_json, methods=["GET"]),
    Route("/portfolio/orders/{order_id}/amend", _action(amend_order), methods=["POST"]),
    Route("/portfolio/orders/{order_id}/cancel", _action(cancel_from_portfolio), methods=["POST"]),
    Route("/portfolio/positions/{ticker}/protection", _action(protect), methods=["POST"]),
]
