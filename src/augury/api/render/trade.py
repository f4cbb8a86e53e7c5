"""Public trades: ``Trade`` in REST (live and historical tier, from stored rows) and the
``trade`` channel. The taker's outcome side follows its book side (``bid``: YES)."""

from __future__ import annotations

from typing import Any, cast

import msgspec

from augury.api.render.common import NS_PER_S, ms, outcome_side
from augury.api.schemas import markets as wm
from augury.api.schemas.base import legacy_cents, legacy_contracts, rfc3339_from_ns
from augury.api.ws import messages as m
from augury.domain.units import C_PER_CONTRACT, ONE_DOLLAR_CC, count_c_to_str, dollars_cc_to_str
from augury.engine.events import TradeEvent
from augury.queries.views import TradeRecord

__all__ = ["trade", "trade_message"]

_encode = msgspec.json.Encoder().encode


def trade(row: TradeRecord) -> wm.Trade:
    """Render a public trade."""
    yes = row.price_cc
    outcome = outcome_side(row.taker_side)
    return wm.Trade(
        trade_id=row.trade_id,
        ticker=row.ticker,
        count_fp=count_c_to_str(row.count_c),
        yes_price_dollars=dollars_cc_to_str(yes),
        no_price_dollars=dollars_cc_to_str(ONE_DOLLAR_CC - yes),
        taker_side=cast(Any, outcome),
        taker_outcome_side=cast(Any, outcome),
        taker_book_side=cast(Any, row.taker_side),
        created_time=rfc3339_from_ns(row.ts_ns),
        is_block_trade=False,
        count=legacy_contracts(row.count_c),
        yes_price=legacy_cents(yes),
        no_price=legacy_cents(ONE_DOLLAR_CC - yes),
    )


def trade_message(event: TradeEvent, *, with_count: bool = False) -> bytes:
    """Build a public ``trade`` WebSocket body (``with_count``: the tutorials' whole
    ``count``, ``--compat tutorials``)."""
    outcome = outcome_side(event.taker_side)
    return _encode(
        m.TradeMsg(
            trade_id=event.trade_id,
            market_ticker=event.ticker,
            yes_price_dollars=dollars_cc_to_str(event.price_cc),
            no_price_dollars=dollars_cc_to_str(ONE_DOLLAR_CC - event.price_cc),
            count_fp=count_c_to_str(event.count_c),
            taker_side=outcome,
            taker_outcome_side=outcome,
            taker_book_side=event.taker_side,
            is_block_trade=False,
            ts=event.ts_ns // NS_PER_S,
            ts_ms=ms(event.ts_ns),
            count=event.count_c // C_PER_CONTRACT if with_count else None,
        )
    )
