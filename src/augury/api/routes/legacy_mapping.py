"""Translate v1 order requests (side/action, integer cents) into engine commands.

The v1 vocabulary is mapped once, here, onto the same commands a V2 client would send for
the same intent (decision 0005, CONTRACT §4.8, §5.1, §5.4):

- Direction: ``side`` x ``action`` -> book side. Buy YES and sell NO are bids; buy NO and
  sell YES are asks. The client's own words are kept in ``legacy_side``/``legacy_action``
  so responses echo them.
- Price: exactly one of ``yes_price``/``no_price`` (integer cents) or
  ``yes_price_dollars``/``no_price_dollars`` (2024 docs: "if both prices are passed,
  return 400"). A NO price p is the YES price 1 - p. Limit orders need one; a ``type:
  "market"`` order without one takes the most aggressive price of the market's grid.
- Size: ``count`` (whole contracts) and/or ``count_fp``; both given must agree.
- Time in force (first rule that applies): ``buy_max_cost`` forces fill-or-kill; a market
  order is immediate-or-cancel unless it asks for fill-or-kill and can never rest; an
  explicit ``time_in_force`` is kept; otherwise the 2024 ``expiration_ts`` rule holds
  (absent: good-till-canceled; in the past: immediate-or-cancel; in the future:
  good-till-canceled expiring then). An expiration already past is dropped from an order
  that cannot rest anyway.
- ``sell_position_floor`` accepts only 0 and, on a sell, means ``reduce_only``, which the
  engine allows only with immediate-or-cancel (so a resting sell with a floor is refused).

Nothing here touches engine state except reading a market's grid (market orders) and an
order's current size (an amend without a count keeps the size); both are read on the event
loop, and the engine re-checks everything when the command is applied.
"""

from __future__ import annotations

from typing import Literal

from augury.api import bounds
from augury.api.auth import ApiKeyRecord
from augury.api.errors import ApiError
from augury.api.routes.orders import subaccount_for
from augury.api.schemas import legacy as lw
from augury.api.schemas.base import WireRequest
from augury.api.schemas.codec import parse_count, parse_dollars
from augury.api.schemas.enums import Action, OrderType, OutcomeSide, TimeInForce
from augury.domain.limits import COUNT_MAX_C, MONEY_MAX_CC, PRICE_MAX_CC, WIRE_TIME_MAX_S
from augury.domain.units import C_PER_CONTRACT, CC_PER_CENT, ONE_DOLLAR_CC
from augury.engine import commands as c
from augury.engine.exchange import Exchange

__all__ = [
    "BatchCreateOrdersRequest",
    "CreateOrderRequest",
    "amend_command",
    "book_side",
    "count_c",
    "decrease_command",
    "place_command",
    "subaccount_or_any",
    "yes_price_cc",
]

BookSide = Literal["bid", "ask"]
_NS_PER_S = 1_000_000_000
_PRICE_FIELDS = ("yes_price", "no_price", "yes_price_dollars", "no_price_dollars")


class CreateOrderRequest(lw.CreateOrderRequest, kw_only=True):
    """The legacy create body plus ``type``, which 2024-2025 clients send (it was required
    then) and the 3.34 model no longer declares."""

    type: OrderType | None = None


class BatchCreateOrdersRequest(WireRequest, kw_only=True):
    orders: list[CreateOrderRequest]


def _bad(message: str) -> ApiError:
    return ApiError(400, "invalid_parameters", message)


def book_side(side: OutcomeSide, action: Action) -> BookSide:
    """Return the book side of a legacy (side, action): buy YES / sell NO bid, else ask."""
    return "bid" if (side == "yes") == (action == "buy") else "ask"


def count_c(whole: int | None, fp: str | None, name: str) -> int | None:
    """Return a size in centi-contracts from an integer and/or fixed-point field.

    Args:
        whole: The legacy whole-contract integer (``count``, ``reduce_by``…), or None.
        fp: Its fixed-point twin (``count_fp``…), or None.
        name: The integer field's wire name, for error messages.
    """
    values: list[int] = []
    if whole is not None:
        bound = COUNT_MAX_C // C_PER_CONTRACT
        values.append(bounds.int_in(name, whole, -bound, bound) * C_PER_CONTRACT)
    if fp is not None:
        values.append(parse_count(fp, f"{name}_fp"))
    if len(values) == 2 and values[0] != values[1]:
        raise _bad(f"{name} and {name}_fp must match when both are given")
    return values[0] if values else None


def yes_price_cc(req: lw.CreateOrderRequest | lw.AmendOrderRequest) -> int | None:
    """Return the YES price in centi-cents from the one price field given, or None."""
    given = [(name, getattr(req, name)) for name in _PRICE_FIELDS if getattr(req, name) is not None]
    if len(given) > 1:
        raise _bad("give only one of " + ", ".join(_PRICE_FIELDS))
    if not given:
        return None
    name, value = given[0]
    price = (
        value * CC_PER_CENT if isinstance(value, int) else parse_dollars(value, name, PRICE_MAX_CC)
    )
    return price if name.startswith("yes") else ONE_DOLLAR_CC - price


def _client_id(value: str | None, name: str) -> str | None:
    # Old clients send "" for "none" (Go's zero value); the engine treats None as absent.
    if not value:
        return None
    return bounds.client_order_id(name, value)


def subaccount_or_any(record: ApiKeyRecord, requested: int | None) -> int | None:
    """Return the subaccount to look an order up in: None (any of the caller's, order ids
    being unique) unless one was asked for or the key is restricted to one."""
    if requested is None:
        return record.subaccount
    return subaccount_for(record, requested)


def _aggressive_price_cc(exchange: Exchange, ticker: str, side: BookSide) -> int:
    market = exchange.markets.get(ticker)
    if market is None:
        # The engine answers market_not_found; the price does not matter.
        return ONE_DOLLAR_CC // 2
    prices = market.grid.prices_cc
    return prices[-1] if side == "bid" else prices[0]


def _time_in_force(
    req: CreateOrderRequest, market_order: bool, now_ns: int
) -> tuple[TimeInForce, int | None]:
    tif = req.time_in_force
    expiration = None
    if req.expiration_ts is not None:
        # Any past time keeps its 2024 meaning (immediate-or-cancel), so the window is
        # 0 .. 2100 here; the upper bound still catches milliseconds sent for seconds.
        seconds = bounds.int_in("expiration_ts", req.expiration_ts, 0, WIRE_TIME_MAX_S)
        expiration = seconds * _NS_PER_S
    past = expiration is not None and expiration <= now_ns
    if req.buy_max_cost is not None:
        if req.action != "buy":
            raise _bad("buy_max_cost applies to buy orders only")
        tif = "fill_or_kill"
    elif market_order:
        if tif == "good_till_canceled":
            raise _bad("a market order cannot rest: use immediate_or_cancel or fill_or_kill")
        tif = tif or "immediate_or_cancel"
    elif tif is None:
        tif = "immediate_or_cancel" if past else "good_till_canceled"
    if past and tif != "good_till_canceled":
        expiration = None
    return tif, expiration


def _reduce_only(req: CreateOrderRequest, tif: TimeInForce) -> bool:
    floor = req.sell_position_floor
    if floor not in (None, 0):
        raise _bad("sell_position_floor only accepts 0")
    if floor is None or req.action == "buy":
        return bool(req.reduce_only)
    if tif != "immediate_or_cancel":
        raise _bad(
            "sell_position_floor=0 is served as reduce_only, which needs "
            "time_in_force=immediate_or_cancel (or type=market)"
        )
    return True


def place_command(
    req: CreateOrderRequest, record: ApiKeyRecord, exchange: Exchange, now_ns: int
) -> c.PlaceOrder:
    """Translate a v1 create request into the engine's command.

    Args:
        req: The decoded request.
        record: The authenticated key.
        exchange: Engine memory, read for a market order's grid.
        now_ns: The current time, for the 2024 "expiration in the past" rule.
    """
    side = book_side(req.side, req.action)
    market_order = req.type == "market"
    count = count_c(req.count, req.count_fp, "count")
    if count is None:
        raise _bad("give count or count_fp")
    price = yes_price_cc(req)
    if price is None:
        if not market_order:
            raise _bad("a limit order needs one of " + ", ".join(_PRICE_FIELDS))
        price = _aggressive_price_cc(exchange, req.ticker, side)
    tif, expiration = _time_in_force(req, market_order, now_ns)
    max_cost = None
    if req.buy_max_cost is not None:
        max_cost_cents = MONEY_MAX_CC // CC_PER_CENT
        max_cost = bounds.int_in("buy_max_cost", req.buy_max_cost, -max_cost_cents, max_cost_cents)
    return c.PlaceOrder(
        user_id=record.user_id,
        ticker=bounds.ticker("ticker", req.ticker),
        side=side,
        price_cc=price,
        count_c=count,
        time_in_force=tif,
        self_trade_prevention=req.self_trade_prevention_type or "taker_at_cross",
        subaccount=subaccount_for(record, req.subaccount),
        client_order_id=_client_id(req.client_order_id, "client_order_id"),
        post_only=bool(req.post_only),
        reduce_only=_reduce_only(req, tif),
        cancel_order_on_pause=bool(req.cancel_order_on_pause),
        order_group_id=bounds.identifier("order_group_id", req.order_group_id)
        if req.order_group_id
        else None,
        expiration_ts_ns=expiration,
        legacy_side=req.side,
        legacy_action=req.action,
        order_type="market" if market_order else "limit",
        buy_max_cost_cc=max_cost * CC_PER_CENT if max_cost is not None else None,
    )


def amend_command(
    req: lw.AmendOrderRequest, record: ApiKeyRecord, order_id: str, exchange: Exchange
) -> c.AmendOrder:
    """Translate a v1 amend request; ``count`` is the new total (filled + resting)."""
    price = yes_price_cc(req)
    if price is None:
        raise _bad("give one of " + ", ".join(_PRICE_FIELDS))
    count = count_c(req.count, req.count_fp, "count")
    if count is None:
        # Without a count the order keeps its size. Filled + remaining does not change
        # when the order fills, so a fill racing this read cannot change the answer.
        order = exchange.orders.get(order_id)
        count = order.fill_c + order.remaining_c if order is not None else 0
    return c.AmendOrder(
        user_id=record.user_id,
        order_id=order_id,
        ticker=bounds.ticker("ticker", req.ticker),
        side=book_side(req.side, req.action),
        price_cc=price,
        count_c=count,
        subaccount=subaccount_or_any(record, req.subaccount),
        client_order_id=_client_id(req.client_order_id, "client_order_id"),
        updated_client_order_id=_client_id(req.updated_client_order_id, "updated_client_order_id"),
    )


def decrease_command(
    req: lw.DecreaseOrderRequest, record: ApiKeyRecord, order_id: str
) -> c.DecreaseOrder:
    """Translate a v1 decrease request (exactly one of reduce_by and reduce_to)."""
    by = count_c(req.reduce_by, req.reduce_by_fp, "reduce_by")
    to = count_c(req.reduce_to, req.reduce_to_fp, "reduce_to")
    if (by is None) == (to is None):
        raise _bad("give exactly one of reduce_by (or reduce_by_fp) and reduce_to")
    return c.DecreaseOrder(
        user_id=record.user_id,
        order_id=order_id,
        reduce_by_c=by,
        reduce_to_c=to,
        subaccount=subaccount_or_any(record, req.subaccount),
    )
