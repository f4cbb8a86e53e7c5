"""Portfolio reads served from the read side's live index: balance and positions.

``balance`` is the account's available cash in cents (cash held by resting orders is not
available); ``portfolio_value`` marks open positions at the last trade price. Each read
touches the caller's own entries only (``Queries`` indexes them by user).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from augury.api.context import json_response
from augury.api.errors import ApiError
from augury.api.routes.markets import int_param, page_params, tickers_param
from augury.api.routes.orders import ctx, subaccount_for
from augury.api.schemas import portfolio as wp
from augury.api.schemas.base import legacy_cents
from augury.api.wire import position_wire
from augury.domain.units import count_c_to_str, dollars_cc_to_str

__all__ = ["routes"]


async def get_balance(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "read")
    sub = subaccount_for(record, int_param(request, "subaccount", None, 0, 63))
    account = context.queries.balance(record.user_id, sub)
    if account is None:
        raise ApiError(404, "not_found", f"subaccount {sub} does not exist")
    value = context.queries.portfolio_value_cc(record.user_id, sub)
    return json_response(
        wp.GetBalanceResponse(
            balance=legacy_cents(account.available_cc),
            balance_dollars=dollars_cc_to_str(account.available_cc),
            portfolio_value=legacy_cents(value),
            updated_ts=account.updated_ns // 1_000_000_000,
            balance_breakdown=[
                wp.IndexedBalance(exchange_index=0, balance=dollars_cc_to_str(account.available_cc))
            ],
        )
    )


async def get_positions(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "read")
    sub = subaccount_for(record, int_param(request, "subaccount", None, 0, 63))
    tickers = set(tickers_param(request, "ticker"))
    event_filter = request.query_params.get("event_ticker")
    status = request.query_params.get("settlement_status") or "unsettled"
    if status not in ("unsettled", "settled", "all"):
        raise ApiError(400, "invalid_parameters", "settlement_status is unsettled, settled or all")
    counts = set(tickers_param(request, "count_filter"))
    limit, cursor = page_params(request)
    page = context.queries.positions(
        record.user_id,
        subaccount=sub,
        tickers=tickers,
        event_ticker=event_filter or None,
        settled=None if status == "all" else status == "settled",
        nonzero=counts,
        active_only=not counts,
        after_ticker=cursor,
        limit=limit,
    )
    events: dict[str, list[int]] = {}
    for position in page.items:
        agg = events.setdefault(position.event_ticker, [0, 0, 0, 0, 0])
        agg[0] += position.total_traded_cc
        agg[1] += abs(position.position_c)
        agg[2] += position.exposure_cc
        agg[3] += position.realized_pnl_cc
        agg[4] += position.fees_paid_cc
    return json_response(
        wp.GetPositionsResponse(
            cursor=page.cursor,
            market_positions=[position_wire(position) for position in page.items],
            event_positions=[
                wp.EventPosition(
                    event_ticker=event,
                    total_cost_dollars=dollars_cc_to_str(agg[0]),
                    total_cost_shares_fp=count_c_to_str(agg[1]),
                    event_exposure_dollars=dollars_cc_to_str(agg[2]),
                    realized_pnl_dollars=dollars_cc_to_str(agg[3]),
                    fees_paid_dollars=dollars_cc_to_str(agg[4]),
                    total_cost=legacy_cents(agg[0]),
                    total_cost_shares=agg[1] // 100,
                    event_exposure=legacy_cents(agg[2]),
                    realized_pnl=agg[3] // 100,
                    fees_paid=legacy_cents(agg[4]),
                )
                for event, agg in sorted(events.items())
            ],
        )
    )


async def resting_value(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "read")
    total = sum(account.reserved_cc for account in context.queries.balances(record.user_id))
    return json_response(
        wp.GetPortfolioRestingOrderTotalValueResponse(
            total_resting_order_value=legacy_cents(total),
            resting_order_value_breakdown=[
                wp.IndexedBalance(exchange_index=0, balance=dollars_cc_to_str(total))
            ],
        )
    )


routes = [
    Route("/portfolio/balance", get_balance, methods=["GET"]),
    Route("/portfolio/positions", get_positions, methods=["GET"]),
    Route("/portfolio/summary/total_resting_order_value", resting_value, methods=["GET"]),
]
