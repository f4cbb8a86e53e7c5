"""Command family: cancel (one order, or all of a user's orders).

``CancelOrder`` -> the order's final state (``OrderUpdate``, reason ``canceled``)
    Rejects: ``order_not_found`` (not resting, not the caller's, or not in the given
    subaccount; ``market_closed`` instead for the owner of an order its market's close
    cancelled, until the market settles), ``market_closed`` (the market is past its
    close). Events: ``BookDelta``, ``OrderUpdate(canceled)``, ``BalanceUpdate``,
    ``PositionUpdate``. State: the book, ``orders``, collateral, the order's group.
``CancelAll`` -> the ids of the cancelled orders, sorted (possibly none)
    Rejects: ``unknown_user``. Cancels every resting order of the user, optionally only
    in one subaccount and/or one market, in order id order. Events: as above, per order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from augury.domain.rejects import Reject, RejectReason
from augury.engine import commands as c
from augury.engine.checks import check_maintenance, own_order
from augury.engine.events import OrderUpdate
from augury.engine.retire import cancel_order

if TYPE_CHECKING:
    from augury.engine.exchange import Exchange

__all__ = ["cancel", "cancel_all"]


def cancel(ex: Exchange, cmd: c.CancelOrder, ts: int) -> OrderUpdate:
    order = own_order(ex, cmd.user_id, cmd.order_id, cmd.subaccount)
    check_maintenance(ex, order)
    cancel_order(ex, order, "canceled")
    # The cancel's last event is the order's final state with this very reason; it is
    # equal to a fresh OrderUpdate, so it is returned instead of building another.
    final = ex.out[-1]
    assert isinstance(final, OrderUpdate)
    assert final.order_id == order.order_id
    return final


def cancel_all(ex: Exchange, cmd: c.CancelAll, ts: int) -> list[str]:
    if cmd.user_id not in ex.users:
        raise Reject(RejectReason.UNKNOWN_USER, f"unknown user {cmd.user_id!r}")
    doomed = sorted(
        order_id
        for order_id, order in ex.orders.items()
        if order.key[0] == cmd.user_id
        and (cmd.subaccount is None or order.key[1] == cmd.subaccount)
        and (cmd.ticker is None or order.ticker == cmd.ticker)
    )
    for order_id in doomed:
        cancel_order(ex, ex.orders[order_id], "canceled")
    return doomed
