"""Building order requests from integer units, with a client_order_id on every create.

``order_v2`` turns ``(ticker, side, price_cc, count_c)`` into Kalshi's V2 request (a YES
price and a count as fixed-point strings); ``order_v1`` builds the retired v1 shape. Both
always set ``client_order_id`` (a fresh UUID unless the caller gives one): it is what
makes a create safe to retry and what reconciliation matches on.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Literal

from augury.client.models import wire
from augury.client.units import count_str, dollars_str

__all__ = ["BookSide", "TimeInForce", "new_client_order_id", "order_v1", "order_v2"]

BookSide = Literal["bid", "ask"]
TimeInForce = Literal["good_till_canceled", "immediate_or_cancel", "fill_or_kill"]


def new_client_order_id() -> str:
    """Return a fresh random client order id (a version-4 UUID)."""
    return str(uuid.UUID(bytes=secrets.token_bytes(16), version=4))


def order_v2(
    ticker: str,
    side: BookSide,
    price_cc: int,
    count_c: int,
    *,
    time_in_force: TimeInForce = "good_till_canceled",
    client_order_id: str | None = None,
    post_only: bool | None = None,
    reduce_only: bool | None = None,
    expiration_time_s: int | None = None,
    self_trade_prevention_type: str = "taker_at_cross",
    order_group_id: str | None = None,
    subaccount: int | None = None,
) -> wire.CreateOrderV2Request:
    """Return a V2 create request; ``side`` bid buys YES, ask sells YES (buys NO)."""
    if side not in ("bid", "ask"):
        raise ValueError(f"side must be bid or ask, got {side!r}")
    if not 0 < price_cc < 10_000 or count_c <= 0:
        raise ValueError("price must be inside (0, 1) dollars and count positive")
    return wire.CreateOrderV2Request(
        ticker=ticker,
        side=side,
        price=dollars_str(price_cc),
        count=count_str(count_c),
        time_in_force=time_in_force,
        self_trade_prevention_type=self_trade_prevention_type,
        client_order_id=client_order_id or new_client_order_id(),
        post_only=post_only,
        reduce_only=reduce_only,
        expiration_time=expiration_time_s,
        order_group_id=order_group_id,
        subaccount=subaccount,
    )


def order_v1(
    ticker: str,
    side: Literal["yes", "no"],
    action: Literal["buy", "sell"],
    price_cents: int,
    count: int,
    *,
    client_order_id: str | None = None,
    time_in_force: str | None = None,
) -> wire.CreateOrderRequest:
    """Return a v1 create request (price in whole cents on the ``side``'s own scale)."""
    return wire.CreateOrderRequest(
        ticker=ticker,
        side=side,
        action=action,
        count=count,
        client_order_id=client_order_id or new_client_order_id(),
        time_in_force=time_in_force,
        yes_price=price_cents if side == "yes" else None,
        no_price=price_cents if side == "no" else None,
    )
