"""Collateral: how much cash a user's resting orders must hold, so no balance goes negative.

Orders are grouped per (account, market, book side). A bid group buys YES and can close a
NO position; an ask group buys NO and can close a YES position. Closing needs no fresh
collateral, opening does, and any fill may close or open depending on the position at that
moment, in any order. The group's requirement therefore assumes the worst allocation:

    open_c     = max(0, total remaining - closable position)
    if open_c > 0:
      target_fine = (cost of the open_c most expensive remaining centi-contracts at their limit)
                  + 100 * sum(max fee per lot * lots remaining)      (see ledger.fees)
                  + sum over live orders of (10_000 - fee accumulator) (< 1 cent of rounding)
    else (every fill can only close):
      target_fine = sum over lots of max(0, max fee per lot - least proceeds per lot)
                  + the rounding allowance above, only when that sum is positive
    reserve_cc = target_fine / 100, rounded up to a whole cent

in micro-dollars (``*_fine``). Proof sketch that a fill never needs more than the reserve
(docs/decisions/0003-collateral.md has it in full): a fill of ``q`` on an order at limit
``L`` pays at most ``L`` per opened unit plus a fee within the per-lot bound plus its
rounding (which the accumulator term covers); removing ``q`` units of price ``L`` from the
group lowers the "most expensive open units" sum by at least the cost of the units the fill
actually opened. So after every fill ``reserve - paid >= new reserve``, the surplus is
released. One exception, harmless: when a fill's rounding accumulator passes a cent, the
fill is rebated that cent and the accumulator term grows by the same cent. If the fill's
cash change is positive (the rebate outweighs a tiny, floored payment) the rebate lands in
available cash and the requirement can rise by at most that cent, taken straight back from
it; available cash never goes negative (``engine.reserves.rebalance_held`` asserts it).

A group that can only close (``open_c == 0``) stays so through its own fills (each closes
exactly what it fills) and through the other side's fills (they only add to what it can
close). A closing fill receives ``1 - price >= 1 - limit`` per contract and pays the fee,
so when the fee bound is below the least proceeds its cash change is never negative, even
floored to the cent: closing needs no fresh collateral. Only on sub-cent grids or with
large fee multipliers can a closing fill cost cash; then the shortfall is reserved.

Invariant (checked by the auditor): a group's reserve equals ``reserve_cc(group)`` after
every command, and is zero when the group has no live order.
"""

from __future__ import annotations

from typing import Protocol

from augury.domain.units import CC_PER_CENT, FINE_PER_CC, ONE_DOLLAR_CC

__all__ = ["CENT_FINE", "HoldingOrder", "OrderGroupSide", "reserve_cc"]

# One cent in micro-dollars: the most rounding an order can still owe (see module doc).
CENT_FINE = 10_000


class HoldingOrder(Protocol):
    """What the collateral rule needs to know about a live order."""

    order_id: str
    remaining_c: int
    outcome_limit_cc: int
    fee_lot_cc: int
    lot_c: int
    fee_acc_fine: int


class OrderGroupSide:
    """The live orders of one account on one side of one market, and their reserve."""

    __slots__ = (
        "allowance_fine",
        "fee_fine",
        "open_cost_all_fine",
        "orders",
        "remaining_c",
        "reserve_cc",
        "shortfall_fine",
    )

    def __init__(self) -> None:
        self.orders: dict[str, HoldingOrder] = {}
        self.reserve_cc = 0
        # Running sums so the common case (nothing to close) costs O(1).
        self.remaining_c = 0
        self.open_cost_all_fine = 0  # sum(remaining * limit) over all live orders
        self.fee_fine = 0  # sum of per-lot fee bounds over remaining lots
        self.allowance_fine = 0  # sum of (1 cent - accumulator) over live orders
        self.shortfall_fine = 0  # what closing fills could cost (fee above proceeds)

    # ``add`` and ``remove`` are mirror images, written out rather than sharing a signed
    # helper: they run several times per fill, and the extra call showed in profiles.

    def add(self, order: HoldingOrder) -> None:
        """Start counting a live order (its current remaining and accumulator)."""
        self.orders[order.order_id] = order
        rem = order.remaining_c
        limit = order.outcome_limit_cc
        lot = order.lot_c
        lots = rem // lot
        fee_lot_fine = order.fee_lot_cc * FINE_PER_CC
        self.remaining_c += rem
        self.open_cost_all_fine += rem * limit
        self.fee_fine += lots * fee_lot_fine
        self.allowance_fine += CENT_FINE - order.fee_acc_fine
        least_proceeds_fine = (ONE_DOLLAR_CC - limit) * lot
        if fee_lot_fine > least_proceeds_fine:
            self.shortfall_fine += lots * (fee_lot_fine - least_proceeds_fine)

    def remove(self, order: HoldingOrder) -> None:
        """Stop counting a live order, using the values it was counted with."""
        del self.orders[order.order_id]
        rem = order.remaining_c
        limit = order.outcome_limit_cc
        lot = order.lot_c
        lots = rem // lot
        fee_lot_fine = order.fee_lot_cc * FINE_PER_CC
        self.remaining_c -= rem
        self.open_cost_all_fine -= rem * limit
        self.fee_fine -= lots * fee_lot_fine
        self.allowance_fine -= CENT_FINE - order.fee_acc_fine
        least_proceeds_fine = (ONE_DOLLAR_CC - limit) * lot
        if fee_lot_fine > least_proceeds_fine:
            self.shortfall_fine -= lots * (fee_lot_fine - least_proceeds_fine)

    def target_fine(self, closable_c: int) -> int:
        """Return the worst-case cash the group's live orders may still need."""
        if not self.orders:
            return 0
        fixed = self.fee_fine + self.allowance_fine
        if closable_c <= 0:
            return self.open_cost_all_fine + fixed
        open_c = self.remaining_c - closable_c
        if open_c <= 0:
            if self.shortfall_fine == 0:
                return 0
            return self.shortfall_fine + self.allowance_fine
        # The most expensive open_c units: walk the orders from the highest limit down.
        cost = 0
        for order in sorted(self.orders.values(), key=_limit_desc):
            take = order.remaining_c if order.remaining_c < open_c else open_c
            cost += take * order.outcome_limit_cc
            open_c -= take
            if open_c == 0:
                break
        return cost + fixed


def reserve_cc(target_fine: int) -> int:
    """Round a requirement in micro-dollars up to a whole cent, in centi-cents.

    Whole cents keep available cash whole cents (Kalshi's balance precision), and the
    proof above survives the rounding: reserve and payments are both whole cents, so
    ``reserve - paid >= target_after / 100`` implies it is also >= the rounded target.
    """
    return -((-target_fine) // CENT_FINE) * CC_PER_CENT


def _limit_desc(order: HoldingOrder) -> int:
    return -order.outcome_limit_cc
