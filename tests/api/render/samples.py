"""Hand-written inputs for the renderer tests: engine events, read-side views, history rows.

Times: ``T0`` is 2026-11-24T15:04:05.250Z (1_795_532_645_250 ms), so its RFC 3339 form
has milliseconds and its Unix second is 1_795_532_645.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

from augury.api.schemas.codec import encode
from augury.domain.enums import MarketStatus
from augury.domain.grid import GRIDS
from augury.engine.events import OrderUpdate
from augury.queries.markets import MarketState

T0 = 1_795_532_645_250_000_000
T0_TEXT = "2026-11-24T15:04:05.250Z"
T0_S = 1_795_532_645
T0_MS = 1_795_532_645_250


def wire(value: object) -> Any:
    """Return a wire Struct (or WS body bytes) as the JSON a client receives."""
    if isinstance(value, bytes):
        return json.loads(value)
    return json.loads(encode(value))


def order_update(**changes: Any) -> OrderUpdate:
    """A resting ask (sell YES at $0.44, i.e. buy NO at $0.56): 10 asked, 4 filled."""
    base = OrderUpdate(
        ts_ns=T0,
        order_id="o-1",
        user_id="ann",
        subaccount=0,
        ticker="KX-A",
        side="ask",
        price_cc=4_400,
        initial_c=1_000,
        fill_c=400,
        remaining_c=600,
        status="resting",
        reason="filled",
        time_in_force="good_till_canceled",
        order_type="limit",
        legacy_side="yes",
        legacy_action="sell",
        client_order_id="",
        order_group_id=None,
        self_trade_prevention="taker_at_cross",
        post_only=False,
        cancel_order_on_pause=False,
        expiration_ts_ns=None,
        created_ns=T0 - 1_000_000_000,
        # 4 NO contracts at $0.56 = $2.24 of fills, $0.07 of fees
        taker_fill_cost_cc=22_400,
        maker_fill_cost_cc=0,
        taker_fees_cc=700,
        maker_fees_cc=0,
        queue_seq=7,
    )
    return msgspec.structs.replace(base, **changes)


def market(
    *,
    bids: tuple[tuple[int, int], ...] = (),
    asks: tuple[tuple[int, int], ...] = (),
    meta: dict[str, object] | None = None,
) -> MarketState:
    """A linear-cent market with resting sizes at YES prices (``asks``: NO bids)."""
    state = MarketState(
        "KX-A",
        "KX-E",
        GRIDS["linear_cent"],
        fractional=False,
        open_ts_ns=T0 - 3_600_000_000_000,
        close_ts_ns=T0 + 3_600_000_000_000,
        settlement_timer_s=60,
        market_type="binary",
        meta=meta if meta is not None else {"title": "Will it?"},
        created_ns=T0 - 7_200_000_000_000,
    )
    state.status = MarketStatus.ACTIVE
    for price, size in bids:
        state.apply_delta(True, price, size)
    for price, size in asks:
        state.apply_delta(False, price, size)
    return state
