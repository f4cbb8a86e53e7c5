"""The event and market page: chart, books, tape, rules, the order ticket, your orders.

Everything a number on this page shows comes from the server: the books from the read
port (``platform.reads.book``), the tape and candles from the history read models (the
rows the Kalshi candlestick and trades endpoints serve), the position and orders from
``/api/positions`` and ``/api/limit-orders``, and the ticket's cost, fee, maximum payout
and resulting position from ``platform.quote`` on every change of the form.

Orders: a limit order goes through ``/api/limit-orders`` (it rests); a market order
through ``/api/trades`` as immediate-or-cancel limited at the worst price the quote
reached, so it never fills worse than the quote showed.

Live: the page opens one event stream (``web.live``) that pushes the re-rendered book,
tape and statistics on every trade in this market, the viewer's own orders and position
on their own events, and a signal the chart uses to fetch its candles again.

Limits: books show at most ``BOOK_DEPTH`` levels a side, the tape the last
``TAPE_ROWS`` trades, the chart at most ``MAX_CANDLES`` candles per period; quantities
are at most 1,000,000 contracts and dollar amounts at most $10,000,000.
"""

from __future__ import annotations

from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from augury.domain.units import (
    ONE_DOLLAR_CC,
    UnitError,
    count_c_to_str,
    dollars_cc_from_str,
)
from augury.platform import schemas as s
from augury.platform.endpoints import markets as api_markets
from augury.platform.endpoints import portfolio as api_portfolio
from augury.platform.endpoints import trading as api_trading
from augury.platform.http import PlatformError
from augury.platform.quote import Quote, QuoteRequest, quote
from augury.platform.reads import MarketView
from augury.platform.trading import parse_quantity_c
from augury.web.bridge import call_api
from augury.web.money import contracts, usd
from augury.web.pages.common import is_htmx, local_path, render, render_partial, require_viewer
from augury.web.pages.markets import changes_24h, watched_slugs
from augury.web.security import field, read_form
from augury.web.session import Viewer, platform_of, viewer_of

__all__ = ["book_context", "mine_context", "routes", "stats_context", "tape_context"]

BOOK_DEPTH = 100
TAPE_ROWS = 50
MAX_CANDLES = 1_500
AMOUNT_MAX_CC = 10_000_000 * ONE_DOLLAR_CC
PERIODS = {"1m": (1, 6 * 3600), "1h": (60, 14 * 86_400), "1d": (1440, 365 * 86_400)}


def _market(request: Request, ticker: str) -> MarketView:
    market = platform_of(request).reads.market(ticker)
    if market is None:
        raise PlatformError(404, "There is no such market.")
    return market


# --- what the page and the live stream render ---------------------------------------


def _bucket(size_c: int, biggest_c: int) -> int:
    """Depth bar width in twentieths (a CSS class: no inline style under the CSP)."""
    return 0 if biggest_c == 0 else max(1, size_c * 20 // biggest_c)


def _side_rows(
    levels: tuple[tuple[int, int], ...], mirror: bool, biggest_c: int
) -> list[dict[str, int]]:
    rows = []
    total = 0
    for price_cc, size_c in levels:
        total += size_c
        rows.append(
            {
                "price_cc": ONE_DOLLAR_CC - price_cc if mirror else price_cc,
                "size_c": size_c,
                "total_c": total,
                "bar": _bucket(size_c, biggest_c),
            }
        )
    return rows


def book_context(request: Request, ticker: str) -> dict[str, Any]:
    """The YES and NO ladders of one market (NO bids are YES asks seen from the other side)."""
    book = platform_of(request).reads.book(ticker, BOOK_DEPTH)
    if book is None:
        raise PlatformError(404, "There is no such market.")
    biggest = max([size for _, size in book.yes_bids + book.yes_asks], default=0)
    yes_bids = _side_rows(book.yes_bids, False, biggest)
    yes_asks = _side_rows(book.yes_asks, False, biggest)
    no_bids = _side_rows(book.yes_asks, True, biggest)
    no_asks = _side_rows(book.yes_bids, True, biggest)
    spread = book.yes_asks[0][0] - book.yes_bids[0][0] if book.yes_bids and book.yes_asks else None
    return {
        "ticker": ticker,
        "yes": {"bids": yes_bids, "asks": list(reversed(yes_asks))},
        "no": {"bids": no_bids, "asks": list(reversed(no_asks))},
        "spread_cc": spread,
    }


async def tape_context(request: Request, ticker: str) -> dict[str, Any]:
    trades = await platform_of(request).reads.tape(ticker, TAPE_ROWS)
    return {"ticker": ticker, "trades": trades}


def stats_context(request: Request, market: MarketView, change: int | None) -> dict[str, Any]:
    option = api_markets.option_wire(market)
    return {"market": market, "option": option, "change": change}


async def mine_context(request: Request, viewer: Viewer | None, ticker: str) -> dict[str, Any]:
    """The viewer's position and open orders in one market."""
    if viewer is None:
        return {"viewer": None, "ticker": ticker, "position": None, "orders": [], "csrf": ""}
    positions = await call_api(request, viewer, api_portfolio.list_positions, s.PositionList)
    orders = await call_api(
        request,
        viewer,
        api_trading.list_limit_orders,
        s.LimitOrderList,
        query={"status": "open", "limit": "200"},
    )
    return {
        "viewer": viewer,
        "csrf": viewer.csrf,
        "ticker": ticker,
        "position": next((p for p in positions.positions if p.option_id == ticker), None),
        "orders": [o for o in orders.orders if o.option_id == ticker],
        "cash_cents": positions.summary.cash_cents,
    }


# --- the page ------------------------------------------------------------------------


async def event_page(request: Request) -> Response:
    slug = request.path_params["slug"]
    detail = await call_api(
        request, None, api_markets.get_event, s.EventDetail, path={"slug": slug}
    )
    event = detail.event
    wanted = request.query_params.get("m")
    option = next((o for o in event.options if o.id == wanted), None) or next(
        (o for o in event.options if o.tradable), event.options[0]
    )
    viewer = await viewer_of(request)
    market = _market(request, option.id)
    changes = await changes_24h(request, [event])
    sources = platform_of(request).reads.settlement_sources(event.id)
    context = {
        "event": event,
        "option": option,
        "market": market,
        "rules": detail.rules.get(option.id, ""),
        "sources": sources,
        "changes": changes,
        "watched": await watched_slugs(request, viewer),
        "book": book_context(request, option.id),
        "tape": await tape_context(request, option.id),
        "stats": stats_context(request, market, changes.get(option.id)),
        "mine": await mine_context(request, viewer, option.id),
        "ticket": _ticket_defaults(option),
        "quote": await quote_context(request, viewer, _ticket_defaults(option), option.id),
        "stream": f"/live?m={option.id}",
        "back": f"/event/{slug}?m={option.id}",
    }
    return await render(request, "pages/event.html", context)


def _ticket_defaults(option: s.Option) -> dict[str, str]:
    price = option.yes_ask_cents or option.yes_price_cents or 50
    return {
        "side": "YES",
        "action": "BUY",
        "kind": "limit",
        "unit": "contracts",
        "quantity": "10",
        "amount": "",
        "limit": str(min(max(price, 1), 99)),
    }


# --- partials (htmx targets, also used when the stream reconnects) -------------------


async def book_partial(request: Request) -> Response:
    ticker = request.path_params["ticker"]
    _market(request, ticker)
    return render_partial(request, "partials/book.html", {"book": book_context(request, ticker)})


async def tape_partial(request: Request) -> Response:
    ticker = request.path_params["ticker"]
    _market(request, ticker)
    return render_partial(
        request, "partials/tape.html", {"tape": await tape_context(request, ticker)}
    )


async def mine_partial(request: Request) -> Response:
    ticker = request.path_params["ticker"]
    _market(request, ticker)
    viewer = await viewer_of(request)
    return render_partial(
        request, "partials/mine.html", {"mine": await mine_context(request, viewer, ticker)}
    )


async def candles_json(request: Request) -> Response:
    """Candles of one market as integers: prices in centi-cents, volume in centi-contracts."""
    ticker = request.path_params["ticker"]
    _market(request, ticker)
    period = request.query_params.get("period", "1m")
    if period not in PERIODS:
        raise PlatformError(400, "period is 1m, 1h or 1d")
    period_min, span_s = PERIODS[period]
    platform = platform_of(request)
    now_s = platform.clock.now_ns() // 1_000_000_000
    rows = await platform.reads.candles(ticker, period_min, now_s - span_s, now_s + 86_400)
    candles = [
        {
            "t": row.end_ts_s - period_min * 60,
            "o": row.price_open_cc,
            "h": row.price_high_cc,
            "l": row.price_low_cc,
            "c": row.price_close_cc,
            "v": row.volume_c,
        }
        for row in rows[-MAX_CANDLES:]
        if row.price_close_cc is not None
    ]
    return JSONResponse({"ticker": ticker, "period": period, "candles": candles})


# --- the order ticket ----------------------------------------------------------------

Kind = Literal["market", "limit"]


class Ticket:
    """The ticket's form, parsed and bounded (400 on anything malformed)."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        side, action = values.get("side", "YES"), values.get("action", "BUY")
        kind, unit = values.get("kind", "limit"), values.get("unit", "contracts")
        if side not in ("YES", "NO") or action not in ("BUY", "SELL"):
            raise PlatformError(400, "choose YES or NO, and buy or sell")
        if kind not in ("market", "limit") or unit not in ("contracts", "dollars"):
            raise PlatformError(400, "choose a market or limit order, in contracts or dollars")
        self.side: Literal["YES", "NO"] = "YES" if side == "YES" else "NO"
        self.action: Literal["BUY", "SELL"] = "BUY" if action == "BUY" else "SELL"
        self.kind: Kind = "market" if kind == "market" else "limit"
        self.count_c: int | None = None
        self.amount_cc: int | None = None
        if unit == "contracts":
            self.count_c = parse_quantity_c(values.get("quantity", "") or "0")
        else:
            self.amount_cc = _dollars(values.get("amount", ""))
        self.limit_cents: int | None = None
        if self.kind == "limit":
            raw = values.get("limit", "")
            if not raw.isdigit() or not 1 <= int(raw) <= 99:
                raise PlatformError(400, "the limit price is a whole number of cents, 1 to 99")
            self.limit_cents = int(raw)


def _dollars(raw: str) -> int:
    text = raw.strip().removeprefix("$").replace(",", "")
    if not text or len(text) > 16:
        raise PlatformError(400, "enter a dollar amount, like 25 or 25.50")
    try:
        amount = dollars_cc_from_str(text)
    except UnitError:
        raise PlatformError(400, "enter a dollar amount with at most 2 decimals") from None
    if amount % 100 or not 0 < amount <= AMOUNT_MAX_CC:
        raise PlatformError(400, "enter a dollar amount from $0.01 to $10,000,000.00")
    return amount


async def _quote(request: Request, viewer: Viewer | None, ticket: Ticket, ticker: str) -> Quote:
    platform = platform_of(request)
    book = platform.reads.book(ticker, BOOK_DEPTH)
    rule = platform.reads.fee_rule(ticker)
    if book is None or rule is None:
        raise PlatformError(404, "There is no such market.")
    position = platform.reads.position(viewer.user_id, ticker) if viewer else None
    balance = platform.reads.balance(viewer.user_id) if viewer else None
    return quote(
        QuoteRequest(
            side=ticket.side,
            action=ticket.action,
            kind=ticket.kind,
            count_c=ticket.count_c,
            amount_cc=ticket.amount_cc,
            limit_price_cc=None if ticket.limit_cents is None else ticket.limit_cents * 100,
            position_c=0 if position is None or position.settled else position.position_c,
            available_cc=balance.available_cc if balance else 0,
        ),
        book,
        rule,
    )


_TICKET_FIELDS = ("side", "action", "kind", "unit", "quantity", "amount", "limit")


async def quote_context(
    request: Request, viewer: Viewer | None, values: dict[str, str], ticker: str
) -> dict[str, Any]:
    """The quote partial's context for the ticket as ``values`` stand."""
    try:
        ticket = Ticket(values)
        figures = await _quote(request, viewer, ticket, ticker)
    except PlatformError as error:
        return {"error": error.message, "q": None, "t": None}
    return {"error": "", "q": figures, "t": ticket}


async def quote_partial(request: Request) -> Response:
    """The ticket's figures for the form as it is now (htmx, on every change)."""
    ticker = request.path_params["ticker"]
    viewer = await viewer_of(request)
    form = await read_form(request, viewer)
    _market(request, ticker)
    values = {name: field(form, name) for name in _TICKET_FIELDS}
    context = await quote_context(request, viewer, values, ticker)
    return render_partial(request, "partials/quote.html", context)


async def place_order(request: Request) -> Response:
    ticker = request.path_params["ticker"]
    viewer = await require_viewer(request)
    form = await read_form(request, viewer)
    market = _market(request, ticker)
    values = {name: field(form, name) for name in _TICKET_FIELDS}
    message, ok = "", False
    try:
        ticket = Ticket(values)
        figures = await _quote(request, viewer, ticket, ticker)
        if figures.count_c == 0:
            raise PlatformError(409, figures.problem or "nothing to trade")
        message = await _submit(request, viewer, ticket, figures, ticker)
        ok = True
    except PlatformError as error:
        message = error.message
    if not is_htmx(request):
        if ok:
            return RedirectResponse(f"/event/{field(form, 'slug')}?m={ticker}", 303)
        raise PlatformError(400, message)
    option = api_markets.option_wire(market)
    shown = values if not ok else {**_ticket_defaults(option), **_sticky(values)}
    context = {
        "option": option,
        "ticket": shown,
        "quote": await quote_context(request, viewer, shown, ticker),
        "result": {"ok": ok, "message": message},
        "csrf": viewer.csrf,
        "viewer": viewer,
        "slug": field(form, "slug"),
    }
    response = render_partial(request, "partials/ticket.html", context)
    if ok:
        response.headers["HX-Trigger"] = "order-placed"
    return response


def _sticky(values: dict[str, str]) -> dict[str, str]:
    return {k: values[k] for k in ("side", "action", "kind", "unit") if values.get(k)}


async def _submit(
    request: Request, viewer: Viewer, ticket: Ticket, figures: Quote, ticker: str
) -> str:
    quantity = count_c_to_str(figures.count_c)
    shown = contracts(figures.count_c)
    if ticket.kind == "limit":
        assert ticket.limit_cents is not None
        body = s.LimitOrderRequest(
            option_id=ticker,
            side=ticket.side,
            action=ticket.action,
            quantity=quantity,
            limit_price_cents=ticket.limit_cents,
        )
        placed = await call_api(
            request, viewer, api_trading.place_limit_order, s.LimitOrderResponse, body=body
        )
        order = placed.order
        filled = contracts(order.filled_quantity_centis)
        return (
            f"Limit order placed: {ticket.action.lower()} {shown} {ticket.side} at "
            f"{order.limit_price_cents}¢ ({filled} filled so far)."
        )
    worst_cc = figures.worst_price_cc
    # Whole cents for the API: round the limit away from the book so the quoted levels fit.
    limit = -(-worst_cc // 100) if ticket.action == "BUY" else worst_cc // 100
    trade = s.TradeRequest(
        side=ticket.side,
        action=ticket.action,
        quantity=quantity,
        price_cents=min(max(limit, 1), 99),
        option_id=ticker,
    )
    done = await call_api(request, viewer, api_trading.place_trade, s.TradeResult, body=trade)
    filled = contracts(done.filled_quantity_centis)
    verb = "Bought" if ticket.action == "BUY" else "Sold"
    return (
        f"{verb} {filled} {ticket.side} at {done.average_price_cents}¢ average "
        f"(fee {usd(done.fee_cents)})."
    )


async def cancel_order(request: Request) -> Response:
    """Cancel one of the viewer's open orders (another person's order is a 404)."""
    viewer = await require_viewer(request)
    form = await read_form(request, viewer)
    order_id = request.path_params["order_id"]
    if len(order_id) > 100:
        raise PlatformError(404, "no such order")
    await call_api(
        request,
        viewer,
        api_trading.cancel_limit_order,
        s.LimitOrderResponse,
        path={"id": order_id},
        body=None,
    )
    ticker = field(form, "ticker")
    if is_htmx(request) and ticker:
        _market(request, ticker)
        return render_partial(
            request, "partials/mine.html", {"mine": await mine_context(request, viewer, ticker)}
        )
    back = field(form, "back") or "/portfolio"
    return RedirectResponse(local_path(back, "/portfolio"), 303)


routes = [
    Route("/event/{slug}", event_page, methods=["GET"]),
    Route("/m/{ticker}/book", book_partial, methods=["GET"]),
    Route("/m/{ticker}/tape", tape_partial, methods=["GET"]),
    Route("/m/{ticker}/mine", mine_partial, methods=["GET"]),
    Route("/m/{ticker}/candles", candles_json, methods=["GET"]),
    Route("/m/{ticker}/quote", quote_partial, methods=["POST"]),
    Route("/m/{ticker}/order", place_order, methods=["POST"]),
    Route("/orders/{order_id}/cancel", cancel_order, methods=["POST"]),
]
