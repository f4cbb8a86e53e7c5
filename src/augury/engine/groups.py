"""Command family: order groups, a contracts limit over a rolling 15-second window.

Every fill of an order in a group adds its size to the group's window. When the matched
size within the last 15 seconds reaches the group's ``contracts_limit``, the group
*triggers*: all its resting orders are cancelled (reason ``order_group_triggered``) and
it accepts no new order until it is reset. ``trigger`` does the same on demand,
``reset`` re-arms the group and empties the window, ``delete`` cancels the orders and
forgets the group. A group without a limit only collects orders (so they can be
cancelled together). Only a group's owner (user) sees it: anyone else is told
``order_group_not_found``.

``CreateOrderGroup`` -> the new group's id (``IdAllocator``)
    Rejects: ``unknown_user``, ``invalid_parameters`` (no such subaccount; a limit not
    positive). Events: ``OrderGroupUpdate(created)``. State: ``groups``.
``OrderGroupAction`` -> the group id
    Rejects: ``order_group_not_found``.
    Events: the cancels' (``trigger``, ``delete``), then ``OrderGroupUpdate``
    (``reset``/``triggered``/``deleted``). State: the group (``delete`` removes it).
``UpdateOrderGroupLimit`` -> the group id
    Rejects: ``order_group_not_found``, ``invalid_parameters`` (limit not positive).
    Events: ``OrderGroupUpdate(limit_updated)``; if the window already reaches the new
    limit, the group triggers at once (cancels, ``OrderGroupUpdate(triggered)``).

Placement asks ``open_group`` for the group of a new order (``order_group_not_found``,
then ``order_group_triggered``), and matching reports every fill with ``group_fill``.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from augury.domain.rejects import Reject, RejectReason
from augury.engine import commands as c
from augury.engine.checks import account_of
from augury.engine.events import OrderGroupUpdate
from augury.engine.retire import cancel_order

if TYPE_CHECKING:
    from augury.engine.exchange import Exchange

__all__ = [
    "WINDOW_NS",
    "OrderGroup",
    "create_group",
    "group_action",
    "group_fill",
    "open_group",
    "update_limit",
]

WINDOW_NS = 15 * 1_000_000_000


class OrderGroup:
    """One order group and its rolling window of matched size."""

    __slots__ = (
        "created_ns",
        "group_id",
        "key",
        "limit_c",
        "orders",
        "triggered",
        "window",
        "window_c",
    )

    def __init__(
        self, group_id: str, key: tuple[str, int], limit_c: int | None, ts_ns: int
    ) -> None:
        self.group_id = group_id
        self.key = key
        self.limit_c = limit_c
        self.triggered = False
        self.orders: dict[str, None] = {}  # live member order ids, in insertion order
        self.window: deque[tuple[int, int]] = deque()
        self.window_c = 0
        self.created_ns = ts_ns

    def record_fill(self, count_c: int, ts_ns: int) -> bool:
        """Add a matched size to the window; return True when the limit is now reached."""
        self.window.append((ts_ns, count_c))
        self.window_c += count_c
        self._expire(ts_ns)
        return self.limit_c is not None and self.window_c >= self.limit_c

    def _expire(self, ts_ns: int) -> None:
        horizon = ts_ns - WINDOW_NS
        window = self.window
        while window and window[0][0] <= horizon:
            self.window_c -= window.popleft()[1]

    def reset(self) -> None:
        """Re-arm the group with an empty window."""
        self.triggered = False
        self.window.clear()
        self.window_c = 0


def open_group(ex: Exchange, group_id: str, user_id: str) -> OrderGroup:
    """Return the user's group for a new order, or refuse the order."""
    group = ex.groups.get(group_id)
    if group is None or group.key[0] != user_id:
        raise Reject(RejectReason.ORDER_GROUP_NOT_FOUND, f"order group {group_id} not found")
    if group.triggered:
        raise Reject(RejectReason.ORDER_GROUP_TRIGGERED, "order group is triggered; reset it first")
    return group


def group_fill(ex: Exchange, group_id: str, count_c: int) -> None:
    """Count a fill of one of the group's orders; trigger the group at its limit."""
    group = ex.groups.get(group_id)
    if group is None or group.triggered:
        return
    if group.record_fill(count_c, ex.now_ns):
        _trigger(ex, group)


def _own_group(ex: Exchange, group_id: str, user_id: str) -> OrderGroup:
    group = ex.groups.get(group_id)
    if group is None or group.key[0] != user_id:
        raise Reject(RejectReason.ORDER_GROUP_NOT_FOUND, f"order group {group_id} not found")
    return group


def _event(ex: Exchange, group: OrderGroup, kind: str) -> None:
    ex.out.append(
        OrderGroupUpdate(
            ts_ns=ex.now_ns,
            group_id=group.group_id,
            user_id=group.key[0],
            subaccount=group.key[1],
            kind=kind,
            contracts_limit_c=group.limit_c,
        )
    )


def _cancel_orders(ex: Exchange, group: OrderGroup) -> None:
    for order_id in list(group.orders):
        order = ex.orders.get(order_id)
        # A taker whose last fill tripped the limit has nothing left to cancel.
        if order is not None and order.remaining_c > 0:
            cancel_order(ex, order, "order_group_triggered")


def _trigger(ex: Exchange, group: OrderGroup) -> None:
    group.triggered = True
    _cancel_orders(ex, group)
    _event(ex, group, "triggered")


def create_group(ex: Exchange, cmd: c.CreateOrderGroup, ts: int) -> str:
    account_of(ex, cmd.user_id, cmd.subaccount)
    if cmd.contracts_limit_c is not None and cmd.contracts_limit_c <= 0:
        raise Reject(RejectReason.INVALID_PARAMETERS, "contracts_limit must be positive")
    group_id = ex.ids.new_group_id()
    group = ex.groups[group_id] = OrderGroup(
        group_id, (cmd.user_id, cmd.subaccount), cmd.contracts_limit_c, ts
    )
    _event(ex, group, "created")
    return group_id


def group_action(ex: Exchange, cmd: c.OrderGroupAction, ts: int) -> str:
    group = _own_group(ex, cmd.group_id, cmd.user_id)
    if cmd.action == "reset":
        group.reset()
        _event(ex, group, "reset")
    elif cmd.action == "trigger":
        _trigger(ex, group)
    else:
        _cancel_orders(ex, group)
        del ex.groups[cmd.group_id]
        _event(ex, group, "deleted")
    return cmd.group_id


def update_limit(ex: Exchange, cmd: c.UpdateOrderGroupLimit, ts: int) -> str:
    group = _own_group(ex, cmd.group_id, cmd.user_id)
    if cmd.contracts_limit_c <= 0:
        raise Reject(RejectReason.INVALID_PARAMETERS, "contracts_limit must be positive")
    group.limit_c = cmd.contracts_limit_c
    _event(ex, group, "limit_updated")
    if not group.triggered and group.window_c >= group.limit_c:
        _trigger(ex, group)
    return cmd.group_id
