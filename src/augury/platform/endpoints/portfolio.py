"""Positions with a portfolio summary, and the protections (stop-loss / take-profit) on them.

Marks: each open position is valued at its side's mark: the YES book's mid when both sides
rest, else the last trade, else its own average cost (so an untraded market shows no
unrealised gain or loss). Amounts are computed in centi-cents and shown in cents, floored.
Fees are what they took from the balance (decision 0041: per order, rounded up to the
cent), so ``feesPaidCents`` is the sum of the position's trades' ``feeCents``; realised
P&L is net of exactly those fees.
"""

from __future__ import annotations

from starlette.responses import Response

from augury.domain.units import C_PER_CONTRACT, CC_PER_CENT, ONE_DOLLAR_CC
from augury.platform import schemas as s
from augury.platform.fees import orders_fee_cents
from augury.platform.http import PlatformError, json_reply
from augury.platform.routing import Call, Endpoint
from augury.platform.trading import yes_mark_cc

__all__ = ["ENDPOINTS"]


def _cents(value_cc: int) -> int:
    return value_cc // 100


async def list_positions(call: Call) -> Response:
    reads = call.platform.reads
    user_id = call.user.user_id
    balance = reads.balance(user_id)
    protections = await call.platform.protections.for_user(user_id)
    by_market: dict[str, list[int]] = {}
    for ticker, order_total_cc in await reads.order_fee_totals(user_id):
        by_market.setdefault(ticker, []).append(order_total_cc)
    items: list[s.Position] = []
    invested = value = realized = 0
    for pos in reads.positions(user_id):
        fees_cc = orders_fee_cents(by_market.get(pos.ticker, ())) * CC_PER_CENT
        realized += pos.realized_pnl_cc - fees_cc
        if pos.position_c == 0 or pos.settled:
            continue
        market = reads.market(pos.ticker)
        event = reads.event(market.event_ticker) if market else None
        held_c = abs(pos.position_c)
        side: s.Side = "YES" if pos.position_c > 0 else "NO"
        average_cc = pos.exposure_cc * C_PER_CONTRACT // held_c
        yes_mark = (
            yes_mark_cc(market.yes_bid_cc, market.yes_ask_cc, market.last_price_cc)
            if market
            else None
        )
        if yes_mark is None:
            mark_cc = average_cc
        else:
            mark_cc = yes_mark if side == "YES" else ONE_DOLLAR_CC - yes_mark
        value_cc = mark_cc * held_c // C_PER_CONTRACT
        invested += pos.exposure_cc
        value += value_cc
        protection = protections.get(pos.ticker)
        items.append(
            s.Position(
                id=pos.ticker,
                option_id=pos.ticker,
                event_slug=call.platform.slugs.by_event.get(market.event_ticker)
                if market
                else None,
                event_title=event.title if event else "",
                label=market.label if market else "",
                side=side,
                quantity=held_c // C_PER_CONTRACT,
                quantity_centis=held_c,
                average_price_cents=_cents(average_cc),
                cost_basis_cents=_cents(pos.exposure_cc),
                mark_price_cents=_cents(mark_cc),
                market_value_cents=_cents(value_cc),
                unrealized_pnl_cents=_cents(value_cc - pos.exposure_cc),
                realized_pnl_cents=_cents(pos.realized_pnl_cc - fees_cc),
                fees_paid_cents=_cents(fees_cc),
                market_status=market.status if market else "",
                protection=protection,
            )
        )
    cash = balance.available_cc if balance else 0
    reserved = balance.reserved_cc if balance else 0
    return json_reply(
        s.PositionList(
            positions=items,
            summary=s.PortfolioSummary(
                cash_cents=_cents(cash),
                reserved_cents=_cents(reserved),
                invested_cents=_cents(invested),
                market_value_cents=_cents(value),
                unrealized_pnl_cents=_cents(value - invested),
                realized_pnl_cents=_cents(realized),
                equity_cents=_cents(cash + reserved + value),
            ),
        )
    )


async def set_protection(call: Call) -> Response:
    body: s.ProtectionRequest = call.body
    row = await call.platform.protections.set(
        call.user.user_id,
        call.path_params["id"],
        body.stop_loss_prob_bps,
        body.take_profit_prob_bps,
    )
    return json_reply(s.ProtectionResponse(protection=row.wire()), 201)


async def cancel_protection(call: Call) -> Response:
    if not await call.platform.protections.cancel(call.user.user_id, call.path_params["id"]):
        raise PlatformError(404, "no active protection on that position")
    return json_reply(s.OkResponse(ok=True))


ENDPOINTS = [
    Endpoint(
        "GET",
        "/api/positions",
        list_positions,
        "read",
        "Your open positions and a portfolio summary (cash, invested, value at mid, P&L)",
        response=s.PositionList,
        statuses=(200, 401, 429),
    ),
    Endpoint(
        "POST",
        "/api/positions/{id}/protections",
        set_protection,
        "write",
        "Set a stop-loss and/or take-profit on a position (replaces the previous one)",
        s.ProtectionRequest,
        s.ProtectionResponse,
        statuses=(201, 400, 401, 403, 404, 409, 429),
    ),
    Endpoint(
        "DELETE",
        "/api/positions/{id}/protections",
        cancel_protection,
        "write",
        "Cancel a position's protection",
        response=s.OkResponse,
        statuses=(200, 401, 403, 404, 429),
    ),
]
