"""Portfolio reads served from the read side's live index: balance and positions.

``balance`` is the account's available cash in cents (cash held by resting orders is not
available); ``portfolio_value`` marks open positions at the last trade price. Each read
touches the caller's own entries only (``Queries`` indexes them by user). ``positions``
also serves the historical tier: given its cutoff it lists the settled positions last
updated before it, from every subaccount unless one is asked for.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from augury.api.context import context_of, json_response
from augury.api.errors import ApiError
from augury.api.params import (
    int_param,
    page_params,
    subaccount_filter,
    subaccount_for,
    tickers_param,
)
from augury.api.render import balance as render_balance
from augury.api.render import position as render_position
from augury.api.schemas import portfolio as wp

__all__ = ["positions", "routes"]


async def get_balance(request: Request) -> Response:
    context = context_of(request)
    record = context.principal(request, "read")
    sub = subaccount_for(record, int_param(request, "subaccount", None, 0, 63))
    account = context.queries.balance(record.user_id, sub)
    if account is None:
        raise ApiError(404, "not_found", f"subaccount {sub} does not exist")
    value = context.queries.portfolio_value_cc(record.user_id, sub)
    return json_response(render_balance.balance(account, value))


def _settlement_filters(request: Request) -> tuple[bool | None, set[str]]:
    # The live tier's ``settlement_status`` (settled or not, None for all) and count filters.
    status = request.query_params.get("settlement_status") or "unsettled"
    if status not in ("unsettled", "settled", "all"):
        raise ApiError(400, "invalid_parameters", "settlement_status is unsettled, settled or all")
    settled = None if status == "all" else status == "settled"
    return settled, set(tickers_param(request, "count_filter"))


async def positions(request: Request, *, settled_before_ns: int | None = None) -> Response:
    """``GET /portfolio/positions``, or with a cutoff ``GET /historical/positions``."""
    context = context_of(request)
    record = context.principal(request, "read")
    live = settled_before_ns is None
    sub: int | None
    if live:
        sub = subaccount_for(record, int_param(request, "subaccount", None, 0, 63))
    else:
        sub = subaccount_filter(request, record)
    tickers = set(tickers_param(request, "ticker"))
    event = request.query_params.get("event_ticker") or None
    settled, counts = _settlement_filters(request) if live else (True, set())
    limit, cursor = page_params(request)
    page = context.queries.positions(
        record.user_id,
        subaccount=sub,
        tickers=tickers,
        event_ticker=event,
        settled=settled,
        updated_before_ns=settled_before_ns,
        nonzero=counts,
        active_only=live and not counts,
        after_ticker=cursor,
        limit=limit,
    )
    return json_response(
        wp.GetPositionsResponse(
            cursor=page.cursor,
            market_positions=[render_position.market_position(p) for p in page.items],
            event_positions=render_position.event_positions(page.items, historical=not live),
        )
    )


async def get_positions(request: Request) -> Response:
    return await positions(request)


async def resting_value(request: Request) -> Response:
    context = context_of(request)
    record = context.principal(request, "read")
    # A key restricted to one subaccount sees that subaccount only.
    total = sum(
        account.reserved_cc
        for account in context.queries.balances(record.user_id)
        if record.subaccount is None or account.subaccount == record.subaccount
    )
    return json_response(render_balance.resting_value(total))


routes = [
    Route("/portfolio/balance", get_balance, methods=["GET"]),
    Route("/portfolio/positions", get_positions, methods=["GET"]),
    Route("/portfolio/summary/total_resting_order_value", resting_value, methods=["GET"]),
]
