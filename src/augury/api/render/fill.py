"""Fills: one side of a trade as the account that traded sees it, in REST (``Fill``, live
and historical tier, from the event or the stored row) and on the ``fill`` channel.

``side``/``action`` are the order's legacy words; ``outcome_side`` follows the book side;
``yes_price`` is the trade's YES price whatever the side; ``fee_cost`` is this side's fee.
"""

from __future__ import annotations

from typing import Any, cast

import msgspec

from augury.api.modes import current
from augury.api.render.common import NS_PER_S, ms, outcome_side
from augury.api.schemas import portfolio as wp
from augury.api.schemas.base import legacy_cents, legacy_contracts, rfc3339_from_ns
from augury.api.ws import messages as m
from augury.domain.units import ONE_DOLLAR_CC, count_c_to_str, dollars_cc_to_str
from augury.engine.events import FillEvent
from augury.queries.views import FillRecord

__all__ = ["fill", "fill_message"]

_encode = msgspec.json.Encoder().encode


def fill(row: FillEvent | FillRecord) -> wp.Fill:
    """Render one side of a trade (a live event or its stored row)."""
    yes = row.price_cc
    return wp.Fill(
        fill_id=row.fill_id,
        exchange_index=0,
        trade_id=row.trade_id,
        order_id=row.order_id,
        ticker=row.ticker,
        market_ticker=row.ticker,
        side=cast(Any, row.legacy_side),
        action=cast(Any, row.legacy_action),
        outcome_side=cast(Any, outcome_side(row.side)),
        book_side=cast(Any, row.side),
        count_fp=count_c_to_str(row.count_c),
        yes_price_dollars=dollars_cc_to_str(yes),
        no_price_dollars=dollars_cc_to_str(ONE_DOLLAR_CC - yes),
        is_taker=row.is_taker,
        created_time=rfc3339_from_ns(row.ts_ns),
        fee_cost=dollars_cc_to_str(row.fee_cc),
        subaccount_number=row.subaccount,
        ts=row.ts_ns // NS_PER_S,
        count=legacy_contracts(row.count_c),
        yes_price=legacy_cents(yes),
        no_price=legacy_cents(ONE_DOLLAR_CC - yes),
        # --compat tutorials: the fee in whole cents, rounded up.
        fee=-(-row.fee_cc // 100) if current().tutorials else None,
    )


def fill_message(event: FillEvent) -> bytes:
    """Build a private ``fill`` WebSocket body."""
    outcome = outcome_side(event.side)
    return _encode(
        m.FillMsg(
            trade_id=event.trade_id,
            order_id=event.order_id,
            market_ticker=event.ticker,
            exchange_index=0,
            is_taker=event.is_taker,
            side=event.legacy_side,
            action=event.legacy_action,
            yes_price_dollars=dollars_cc_to_str(event.price_cc),
            count_fp=count_c_to_str(event.count_c),
            fee_cost=dollars_cc_to_str(event.fee_cc),
            outcome_side=outcome,
            book_side=event.side,
            purchased_side=outcome,
            post_position_fp=count_c_to_str(event.post_position_c),
            ts=event.ts_ns // NS_PER_S,
            ts_ms=ms(event.ts_ns),
            client_order_id=event.client_order_id or None,
            subaccount=event.subaccount or None,
        )
    )
