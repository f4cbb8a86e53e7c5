"""The look-ups and checks several command families share; each refuses with its reason.

Each function either returns what it looked up or raises ``Reject``; none changes state,
so a family may call them in any order before it changes anything. The order a family
calls them in is its reject precedence (each family's docstring lists it).

- ``market_of``: ``market_not_found``.
- ``account_of``: ``unknown_user``, then ``invalid_parameters`` (no such subaccount).
  (Creating a user or a subaccount opens its account, so this only looks it up.)
- ``check_trading``: ``exchange_is_paused``, then by market status ``market_not_open``
  (initialized), ``trading_is_paused`` (inactive), ``market_closed`` (closed or later).
- ``check_size``: ``invalid_count`` (not a positive multiple of the market's lot).
- ``price_index``: ``invalid_price`` (not on the market's grid).
- ``own_order``: ``market_closed`` for the owner of an order its market's close
  cancelled (until the market settles), else ``order_not_found`` (not resting, or not
  the caller's, or not in the given subaccount).
- ``check_maintenance``: ``market_closed`` once the order's market is past its close.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from augury.domain.enums import MarketStatus
from augury.domain.rejects import Reject, RejectReason
from augury.domain.units import ONE_DOLLAR_CC
from augury.engine.market import Market
from augury.engine.orders import Order
from augury.ledger.accounts import Account

if TYPE_CHECKING:
    from augury.engine.exchange import Exchange

__all__ = [
    "account_of",
    "check_maintenance",
    "check_size",
    "check_trading",
    "market_of",
    "own_order",
    "price_index",
]


def market_of(exchange: Exchange, ticker: str) -> Market:
    market = exchange.markets.get(ticker)
    if market is None:
        raise Reject(RejectReason.MARKET_NOT_FOUND, f"market {ticker!r} not found")
    return market


def account_of(exchange: Exchange, user_id: str, subaccount: int) -> Account:
    user = exchange.users.get(user_id)
    if user is None:
        raise Reject(RejectReason.UNKNOWN_USER, f"unknown user {user_id!r}")
    if not 0 <= subaccount < user.subaccounts:
        raise Reject(RejectReason.INVALID_PARAMETERS, f"subaccount {subaccount} does not exist")
    return exchange.ledger.open_account((user_id, subaccount), exchange.now_ns)


def check_trading(exchange: Exchange, market: Market) -> None:
    if exchange.trading_paused:
        raise Reject(RejectReason.EXCHANGE_PAUSED, "exchange is paused")
    status = market.status
    if status is MarketStatus.ACTIVE:
        return
    if status is MarketStatus.INITIALIZED:
        raise Reject(RejectReason.MARKET_NOT_OPEN, f"market {market.ticker} is not open yet")
    if status is MarketStatus.INACTIVE:
        raise Reject(RejectReason.TRADING_PAUSED, f"trading is paused on {market.ticker}")
    raise Reject(RejectReason.MARKET_CLOSED, f"market {market.ticker} is closed")


def check_size(market: Market, count_c: int) -> None:
    if count_c <= 0 or count_c % market.lot_c:
        what = "a positive number of" if market.fractional else "a positive whole number of"
        raise Reject(RejectReason.INVALID_COUNT, f"count must be {what} contracts")


def price_index(market: Market, price_cc: int) -> int:
    """Return the price's step index on the market's grid."""
    idx = market.grid.index_of(price_cc)
    if idx < 0:
        raise Reject(
            RejectReason.INVALID_PRICE,
            f"price {price_cc / ONE_DOLLAR_CC:.4f} is not on the {market.grid.name} grid",
        )
    return idx


def own_order(exchange: Exchange, user_id: str, order_id: str, subaccount: int | None) -> Order:
    """Return the caller's resting order (in ``subaccount``, when one is given)."""
    order = exchange.orders.get(order_id)
    if (
        order is None
        or order.key[0] != user_id
        or (subaccount is not None and order.key[1] != subaccount)
    ):
        # Only the owner learns that the order existed and its market closed.
        closed = exchange.closed_orders.get(order_id)
        if (
            closed is not None
            and closed[1][0] == user_id
            and (subaccount is None or closed[1][1] == subaccount)
        ):
            raise Reject(RejectReason.MARKET_CLOSED, f"market {closed[0]} is closed")
        raise Reject(RejectReason.ORDER_NOT_FOUND, f"order {order_id} not found")
    return order


def check_maintenance(exchange: Exchange, order: Order) -> Market:
    """Return the order's market if its orders can still be changed."""
    market = exchange.markets[order.ticker]
    if not market.before_close:
        raise Reject(RejectReason.MARKET_CLOSED, f"market {market.ticker} is closed")
    return market
