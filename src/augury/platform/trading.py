"""Platform orders as ordinary exchange commands, and engine refusals as platform errors.

Direction (one book per market, YES-priced): BUY YES at p is a bid at p; SELL YES at p an
ask at p; BUY NO at p an ask at the YES price 100 - p; SELL NO at p a bid at 100 - p. The
person's own words are kept in ``legacy_side``/``legacy_action``, so the Kalshi API shows
the same order the way a v1 client would have said it.

``/api/trades`` is immediate-or-cancel limited at ``priceCents``; a SELL there is
reduce-only (it sells what you hold and never opens the other side). Limit orders rest
good-till-cancelled; a limit SELL must not exceed what you hold when it is placed.

Refusals: insufficient funds 402; market not open (closed, paused, not yet open, exchange
paused) 409; nothing to sell 409; unknown market or order 404; malformed 400.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from augury.domain.rejects import Reject, RejectReason
from augury.domain.units import C_PER_CONTRACT, ONE_DOLLAR_CC, UnitError, count_c_from_str
from augury.engine import commands as c
from augury.engine.events import FillEvent
from augury.engine.exchange import Outcome
from augury.platform.http import PlatformError
from augury.store.records import OrderRecord

__all__ = [
    "Fills",
    "OrderIntent",
    "amend_command",
    "error_for",
    "parse_quantity_c",
    "place_command",
    "summarise_fills",
]

MAX_CONTRACTS = 1_000_000
_DECIMAL = re.compile(r"^\d{1,7}(\.\d{1,2})?$")

_STATUS: dict[RejectReason, int] = {
    RejectReason.INSUFFICIENT_BALANCE: 402,
    RejectReason.EXCHANGE_PAUSED: 409,
    RejectReason.MARKET_NOT_OPEN: 409,
    RejectReason.TRADING_PAUSED: 409,
    RejectReason.MARKET_CLOSED: 409,
    RejectReason.ORDER_NOT_RESTING: 409,
    RejectReason.REDUCE_ONLY_NO_POSITION: 409,
    RejectReason.TOO_MANY_ORDERS: 409,
    RejectReason.ORDER_ALREADY_EXISTS: 409,
    RejectReason.ALREADY_EXISTS: 409,
    RejectReason.MARKET_NOT_FOUND: 404,
    RejectReason.ORDER_NOT_FOUND: 404,
    RejectReason.UNKNOWN_USER: 404,
}
_MESSAGE: dict[RejectReason, str] = {
    RejectReason.INSUFFICIENT_BALANCE: "insufficient funds",
    RejectReason.EXCHANGE_PAUSED: "the market is not open: trading is paused exchange-wide",
    RejectReason.MARKET_NOT_OPEN: "the market is not open yet",
    RejectReason.TRADING_PAUSED: "the market is not open: trading is paused",
    RejectReason.MARKET_CLOSED: "the market is not open: it has closed",
    RejectReason.REDUCE_ONLY_NO_POSITION: "you hold nothing on that side to sell",
    RejectReason.ORDER_NOT_FOUND: "no such order",
    RejectReason.MARKET_NOT_FOUND: "no such option",
}


def error_for(reject: Reject) -> PlatformError:
    """Return the platform error for an engine refusal."""
    status = _STATUS.get(reject.reason, 400)
    return PlatformError(status, _MESSAGE.get(reject.reason, reject.message))


def parse_quantity_c(value: int | str) -> int:
    """Return a quantity in centi-contracts: whole contracts, or a string with 2 decimals."""
    if isinstance(value, bool):
        raise PlatformError(400, "quantity must be a number of contracts")
    if isinstance(value, int):
        count_c = value * C_PER_CONTRACT
    else:
        if not _DECIMAL.match(value):
            raise PlatformError(400, 'quantity must be like 10 or "2.50" (contracts)')
        try:
            count_c = count_c_from_str(value)
        except UnitError:
            raise PlatformError(400, 'quantity must be like 10 or "2.50" (contracts)') from None
    if not 0 < count_c <= MAX_CONTRACTS * C_PER_CONTRACT:
        raise PlatformError(400, f"quantity must be more than 0 and at most {MAX_CONTRACTS}")
    return count_c


@dataclass(frozen=True, slots=True)
class OrderIntent:
    """What a person asked for, in the platform's words and the engine's units."""

    user_id: str
    ticker: str
    side: Literal["YES", "NO"]
    action: Literal["BUY", "SELL"]
    count_c: int
    price_cents: int  # the price of ``side``, 1..99

    @property
    def book_side(self) -> Literal["bid", "ask"]:
        buys_yes = (self.side == "YES") == (self.action == "BUY")
        return "bid" if buys_yes else "ask"

    @property
    def yes_price_cc(self) -> int:
        price_cc = self.price_cents * 100
        return price_cc if self.side == "YES" else ONE_DOLLAR_CC - price_cc


def place_command(
    intent: OrderIntent,
    *,
    immediate: bool,
    reduce_only: bool = False,
    expiration_ts_ns: int | None = None,
    client_order_id: str | None = None,
) -> c.PlaceOrder:
    """Return the engine command for an intent."""
    return c.PlaceOrder(
        user_id=intent.user_id,
        ticker=intent.ticker,
        side=intent.book_side,
        price_cc=intent.yes_price_cc,
        count_c=intent.count_c,
        time_in_force="immediate_or_cancel" if immediate else "good_till_canceled",
        reduce_only=reduce_only,
        expiration_ts_ns=expiration_ts_ns,
        client_order_id=client_order_id,
        legacy_side="yes" if intent.side == "YES" else "no",
        legacy_action="buy" if intent.action == "BUY" else "sell",
    )


def amend_command(
    user_id: str,
    order: OrderRecord,
    limit_price_cents: int,
    remaining_c: int,
) -> c.AmendOrder:
    """Return the engine command that re-prices and/or re-sizes a resting platform order.

    ``limit_price_cents`` is the order's own side's price (as the person placed it) and
    ``remaining_c`` the size still to fill; the engine takes the YES price and the total
    size including what already filled. A price change loses queue position (the engine's
    amend rule).
    """
    if not 1 <= limit_price_cents <= 99:
        raise PlatformError(400, "the limit price is a whole number of cents, 1 to 99")
    if not 0 < remaining_c <= MAX_CONTRACTS * C_PER_CONTRACT:
        raise PlatformError(400, f"the quantity must be more than 0 and at most {MAX_CONTRACTS}")
    price_cc = limit_price_cents * 100
    yes_price_cc = ONE_DOLLAR_CC - price_cc if order.legacy_side == "no" else price_cc
    return c.AmendOrder(
        user_id=user_id,
        order_id=order.order_id,
        ticker=order.ticker,
        side="bid" if order.side == "bid" else "ask",
        price_cc=yes_price_cc,
        count_c=order.fill_c + remaining_c,
        subaccount=0,
    )


@dataclass(frozen=True, slots=True)
class Fills:
    """An order's fills in one command, priced on the order's own side."""

    count_c: int
    notional_cc: int  # sum of side price x contracts
    fee_cc: int

    @property
    def average_price_cc(self) -> int:
        return self.notional_cc * C_PER_CONTRACT // self.count_c if self.count_c else 0


def summarise_fills(outcome: Outcome[object], order_id: str, side: Literal["YES", "NO"]) -> Fills:
    """Total the fills of ``order_id`` among an outcome's events."""
    count_c = notional_fine = fee_cc = 0
    for event in outcome.events:
        if isinstance(event, FillEvent) and event.order_id == order_id:
            price = event.price_cc if side == "YES" else ONE_DOLLAR_CC - event.price_cc
            count_c += event.count_c
            notional_fine += price * event.count_c
            fee_cc += event.fee_cc
    return Fills(count_c, notional_fine // C_PER_CONTRACT, fee_cc)


def yes_mark_cc(bid_cc: int, ask_cc: int, last_cc: int) -> int | None:
    """Return the YES mark: the book's mid when both sides rest, else the last trade."""
    if bid_cc and ask_cc:
        return (bid_cc + ask_cc) // 2
    return last_cc or None
