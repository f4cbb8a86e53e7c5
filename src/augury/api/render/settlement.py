"""Settlements: one account's settlement of one market (``GET /portfolio/settlements``).

``market_result`` has no ``void``: a voided market is reported as ``scalar`` with the
refund value per YES contract, which is what a void pays. ``revenue`` and ``value`` are
integer cents; counts and costs are the position held when the market settled.
"""

from __future__ import annotations

from typing import Any, cast

from augury.api.schemas import portfolio as wp
from augury.api.schemas.base import legacy_cents, legacy_contracts, rfc3339_from_ns
from augury.domain.units import count_c_to_str, dollars_cc_to_str
from augury.queries.views import SettlementRecord

__all__ = ["settlement"]


def settlement(row: SettlementRecord) -> wp.Settlement:
    """Render one account's settlement of one market."""
    result = row.result if row.result in ("yes", "no", "scalar") else "scalar"
    return wp.Settlement(
        ticker=row.ticker,
        exchange_index=0,
        event_ticker=row.event_ticker or "",
        market_result=cast(Any, result),
        yes_count_fp=count_c_to_str(row.yes_c),
        yes_total_cost_dollars=dollars_cc_to_str(row.yes_cost_cc),
        no_count_fp=count_c_to_str(row.no_c),
        no_total_cost_dollars=dollars_cc_to_str(row.no_cost_cc),
        revenue=legacy_cents(row.revenue_cc),
        settled_time=rfc3339_from_ns(row.ts_ns),
        fee_cost=dollars_cc_to_str(row.fee_cost_cc),
        value=legacy_cents(row.value_cc) if row.value_cc is not None else None,
        yes_count=legacy_contracts(row.yes_c),
        no_count=legacy_contracts(row.no_c),
        yes_total_cost=legacy_cents(row.yes_cost_cc),
        no_total_cost=legacy_cents(row.no_cost_cc),
    )
