"""Portfolio reads served from engine memory: balance and positions.

``balance`` is the account's available cash in cents (cash held by resting orders is not
available); ``portfolio_value`` marks open positions at the last trade price.
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
from augury.domain.units import ONE_DOLLAR_CC, count_c_to_str, dollars_cc_to_str
from augury.engine.exchange import Exchange

__all__ = ["routes"]


def portfolio_value_cc(exchange: Exchange, user_id: str, subaccount: int) -> int:
    """Mark the account's open positions at each market's last trade price."""
    value_fine = 0
    for (user, sub, ticker), position in exchange.ledger.positions.items():
        if user != user_id or sub != subaccount or position.position_c == 0:
            continue
        last = exchange.markets[ticker].last_price_cc
        held = position.position_c
        value_fine += last * held if held > 0 else (ONE_DOLLAR_CC - last) * -held
    return value_fine // 100


async def get_balance(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "read")
    sub = subaccount_for(record, int_param(request, "subaccount", None, 0, 63))
    account = context.exchange.ledger.accounts.get((record.user_id, sub))
    if account is None:
        raise ApiError(404, "not_found", f"subaccount {sub} does not exist")
    value = portfolio_value_cc(context.exchange, record.user_id, sub)
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
    exchange = context.exchange
    sub = subaccount_for(record, int_param(request, "subaccount", None, 0, 63))
    tickers = set(tickers_param(request, "ticker"))
    event_filter = request.query_params.get("event_ticker")
    status = request.query_params.get("settlement_status") or "unsettled"
    if status not in ("unsettled", "settled", "all"):
        raise ApiError(400, "invalid_parameters", "settlement_status is unsettled, settled or all")
    counts = set(tickers_param(request, "count_filter"))
    limit, cursor = page_params(request)
    rows = []
    for (user, account_sub, ticker), position in sorted(exchange.ledger.positions.items()):
        if user != record.user_id or account_sub != sub:
            continue
        market = exchange.markets[ticker]
        if tickers and ticker not in tickers:
            continue
        if event_filter and market.event_ticker != event_filter:
            continue
        if (status == "unsettled" and position.settled) or (
            status == "settled" and not position.settled
        ):
            continue
        if "position" in counts and position.position_c == 0:
            continue
        if "total_traded" in counts and position.total_traded_fine == 0:
            continue
        if (
            not counts
            and position.position_c == 0
            and position.total_traded_fine == 0
            and not position.resting_orders
        ):
            continue
        rows.append((ticker, market.event_ticker, position))
    rows = [row for row in rows if row[0] > cursor]
    page, more = rows[:limit], len(rows) > limit
    events: dict[str, list[int]] = {}
    for _ticker, event, position in page:
        agg = events.setdefault(event, [0, 0, 0, 0, 0])
        agg[0] += position.total_traded_fine // 100
        agg[1] += abs(position.position_c)
        agg[2] += position.exposure_fine // 100
        agg[3] += position.realized_fine // 100
        agg[4] += position.fees_paid_cc
    return json_response(
        wp.GetPositionsResponse(
            cursor=page[-1][0] if more else "",
            market_positions=[position_wire(ticker, position) for ticker, _, position in page],
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
    # A key restricted to one subaccount sees that subaccount only.
    total = sum(
        account.reserved_cc
        for key, account in context.exchange.ledger.accounts.items()
        if key[0] == record.user_id and (record.subaccount is None or key[1] == record.subaccount)
    )
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
