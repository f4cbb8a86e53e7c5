"""Collateral: how much cash an account's resting orders in a market hold back.

An account's live orders in one market and on one side form a collateral group
(``ledger.collateral.OrderGroupSide``, keyed ``(user, subaccount, ticker, is_bid)``). The
group's reserve is the worst case of what its orders' fills could cost, less what the
account's position lets them close (docs/decisions/0003-collateral.md). After a fill or a
cancel the required reserve only ever falls, so ``rebalance`` never needs cash the
account does not have; a placement or an amendment that raises it checks first
(``Ledger.can_reserve``) and is refused if it cannot be carried.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from augury.ledger.accounts import Account, AccountKey
from augury.ledger.collateral import OrderGroupSide, reserve_cc

if TYPE_CHECKING:
    from augury.engine.exchange import Exchange

__all__ = ["closable", "group_side", "rebalance", "rebalance_held", "required_reserve"]


def group_side(exchange: Exchange, key: AccountKey, ticker: str, is_bid: bool) -> OrderGroupSide:
    """Return the account's collateral group for one side of a market, made on first use."""
    gkey = (key[0], key[1], ticker, is_bid)
    group = exchange.collateral.get(gkey)
    if group is None:
        group = exchange.collateral[gkey] = OrderGroupSide()
    return group


def closable(exchange: Exchange, key: AccountKey, ticker: str, is_bid: bool) -> int:
    """Return how much of the account's position a bid (or ask) order would close."""
    position = exchange.ledger.peek_position(key, ticker)
    held = position.position_c if position is not None else 0
    can_close = -held if is_bid else held
    return can_close if can_close > 0 else 0


def required_reserve(
    exchange: Exchange, key: AccountKey, ticker: str, is_bid: bool, group: OrderGroupSide
) -> int:
    """Return the reserve the group's live orders require now."""
    return reserve_cc(group.target_fine(closable(exchange, key, ticker, is_bid)))


def rebalance(exchange: Exchange, key: AccountKey, ticker: str) -> None:
    """Set both of an account's reserves in a market to what their live orders now
    require. After a fill or a cancel this only ever lowers them (ledger.collateral);
    a fill on one side can also free the other, whose closable position grew."""
    position = exchange.ledger.peek_position(key, ticker)
    held = position.position_c if position is not None else 0
    rebalance_held(exchange, exchange.ledger.accounts[key], ticker, held)


def rebalance_held(exchange: Exchange, account: Account, ticker: str, held_c: int) -> None:
    """``rebalance`` for a caller that already knows the position (``held_c``, YES
    positive): a fill has it at hand, which saves looking it up again."""
    user_id, subaccount = account.key
    collateral = exchange.collateral
    set_reserve = exchange.ledger.set_reserve
    now = exchange.now_ns
    for is_bid in (True, False):
        group = collateral.get((user_id, subaccount, ticker, is_bid))
        if group is not None:
            can_close = -held_c if is_bid else held_c  # as in ``closable``
            target = reserve_cc(group.target_fine(can_close if can_close > 0 else 0))
            assert target <= group.reserve_cc or target - group.reserve_cc <= account.available_cc
            set_reserve(account, group, target, now)
