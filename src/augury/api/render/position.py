"""Positions: ``MarketPosition`` and the per-event ``EventPosition`` totals (REST, live and
historical tier) and the ``market_position`` channel.

- ``market_exposure`` is the cost basis of what is held now; ``total_traded`` the gross
  price x size of every fill; ``position`` is positive for YES held, negative for NO.
- Event totals add up the page's positions of each event. The live tier reports what is
  held (``total_cost_shares`` = contracts held, ``event_exposure`` = their cost); the
  historical tier lists settled positions only, which hold nothing: both are 0 there and
  their legacy integer twins are left out.
- The channel's ``volume_fp`` is the contracts the account traded in the market.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from augury.api.schemas import portfolio as wp
from augury.api.schemas.base import legacy_cents, rfc3339_from_ns
from augury.api.ws import messages as m
from augury.domain.units import C_PER_CONTRACT, CC_PER_CENT, count_c_to_str, dollars_cc_to_str
from augury.engine.events import PositionUpdate
from augury.queries.views import PositionView

__all__ = ["event_positions", "market_position", "position_message"]

_encode = msgspec.json.Encoder().encode


def market_position(position: PositionView) -> wp.MarketPosition:
    """Render an account's position in one market."""
    exposure = position.exposure_cc
    traded = position.total_traded_cc
    realized = position.realized_pnl_cc
    return wp.MarketPosition(
        ticker=position.ticker,
        exchange_index=0,
        total_traded_dollars=dollars_cc_to_str(traded),
        position_fp=count_c_to_str(position.position_c),
        market_exposure_dollars=dollars_cc_to_str(exposure),
        realized_pnl_dollars=dollars_cc_to_str(realized),
        fees_paid_dollars=dollars_cc_to_str(position.fees_paid_cc),
        last_updated_ts=rfc3339_from_ns(position.updated_ns),
        position=position.position_c // C_PER_CONTRACT,
        total_traded=legacy_cents(traded),
        market_exposure=legacy_cents(exposure),
        realized_pnl=realized // CC_PER_CENT,
        fees_paid=legacy_cents(position.fees_paid_cc),
        resting_orders_count=position.resting_orders,
    )


def event_positions(
    positions: Iterable[PositionView], *, historical: bool = False
) -> list[wp.EventPosition]:
    """Return the per-event totals of some positions, by event ticker."""
    totals: dict[str, list[int]] = {}
    for position in positions:
        agg = totals.setdefault(position.event_ticker, [0, 0, 0, 0, 0])
        agg[0] += position.total_traded_cc
        agg[1] += abs(position.position_c)
        agg[2] += position.exposure_cc
        agg[3] += position.realized_pnl_cc
        agg[4] += position.fees_paid_cc
    out = []
    for event, (traded, held_c, exposure, realized, fees) in sorted(totals.items()):
        if historical:
            out.append(
                wp.EventPosition(
                    event_ticker=event,
                    total_cost_dollars=dollars_cc_to_str(traded),
                    total_cost_shares_fp=count_c_to_str(0),
                    event_exposure_dollars=dollars_cc_to_str(0),
                    realized_pnl_dollars=dollars_cc_to_str(realized),
                    fees_paid_dollars=dollars_cc_to_str(fees),
                    total_cost=legacy_cents(traded),
                    fees_paid=legacy_cents(fees),
                )
            )
            continue
        out.append(
            wp.EventPosition(
                event_ticker=event,
                total_cost_dollars=dollars_cc_to_str(traded),
                total_cost_shares_fp=count_c_to_str(held_c),
                event_exposure_dollars=dollars_cc_to_str(exposure),
                realized_pnl_dollars=dollars_cc_to_str(realized),
                fees_paid_dollars=dollars_cc_to_str(fees),
                total_cost=legacy_cents(traded),
                total_cost_shares=held_c // C_PER_CONTRACT,
                event_exposure=legacy_cents(exposure),
                realized_pnl=realized // CC_PER_CENT,
                fees_paid=legacy_cents(fees),
            )
        )
    return out


def position_message(update: PositionUpdate) -> bytes:
    """Build a private ``market_position`` WebSocket body."""
    return _encode(
        m.MarketPositionMsg(
            user_id=update.user_id,
            market_ticker=update.ticker,
            position_fp=count_c_to_str(update.position_c),
            position_cost_dollars=dollars_cc_to_str(update.exposure_cc),
            realized_pnl_dollars=dollars_cc_to_str(update.realized_pnl_cc),
            fees_paid_dollars=dollars_cc_to_str(update.fees_paid_cc),
            position_fee_cost_dollars=dollars_cc_to_str(update.fees_paid_cc),
            volume_fp=count_c_to_str(update.traded_c),
            subaccount=update.subaccount or None,
        )
    )
