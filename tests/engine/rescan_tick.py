"""The Tick handler as it was before the engine's due index: the reference that
``tests/engine/test_due_index.py`` and ``bench/tick.py`` compare the indexed Tick with."""

from __future__ import annotations

from augury.domain.enums import MarketStatus
from augury.engine import commands as c
from augury.engine.exchange import Exchange
from augury.engine.lifecycle import advance_market
from augury.engine.retire import cancel_order

__all__ = ["rescanning_tick"]


def rescanning_tick(ex: Exchange, cmd: c.Tick, ts: int) -> int:
    """Every market not finalized, in listing order, then every expiring order due, in id
    order (the handler's signature, so it can stand in for it in ``HANDLERS``)."""
    for market in ex.markets.values():
        if market.status is not MarketStatus.FINALIZED:
            advance_market(ex, market)
    expired = sorted(oid for oid, due in ex.expiring.items() if due <= ts)
    for order_id in expired:
        order = ex.orders.get(order_id)
        if order is not None:
            cancel_order(ex, order, "expired")
    return len(expired)
