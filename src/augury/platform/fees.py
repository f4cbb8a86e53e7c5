"""The fee a platform user is shown: what the fees took from their balance, in cents.

The exchange computes each fill's fee exactly (centi-cents, rounded up to the centi-cent)
and moves cash in whole cents: each fill's balance change is floored to the cent and the
overpayment is kept in the ORDER's accumulator, which rebates a cent whenever it holds
one (decision 0002). So after the first k fills of an order, the fees have taken exactly
``ceil_cents(S_k)`` from the balance, S_k being the sum of those fills' exact fees (for a
whole-cent notional; see decision 0041 for a sub-cent one).

The one rule (decision 0041), used by every figure ``/api/*`` and its notifications show:

- a fill's fee is ``ceil_cents(S_k) - ceil_cents(S_(k-1))``: what that fill added to the
  fees its order had taken from the balance (``fill_fee_cents``);
- an order's fee (the trade reply) is ``ceil_cents(S)`` over its fills;
- a position's ``feesPaidCents`` is the sum of its fills' fees, which is the sum of
  ``ceil_cents`` over the orders that traded in that market (``orders_fee_cents``); its
  realised P&L is net of exactly that.

So the fees of the fills listed add up to the fees of their orders, and to the position's.
"""

from __future__ import annotations

from collections.abc import Iterable

from augury.domain.units import CC_PER_CENT

__all__ = ["ceil_cents", "fill_fee_cents", "orders_fee_cents"]


def ceil_cents(amount_cc: int) -> int:
    """Return ``amount_cc`` (>= 0) in cents, rounded up."""
    return -(-amount_cc // CC_PER_CENT)


def fill_fee_cents(order_fees_before_cc: int, fee_cc: int) -> int:
    """Return the cents one fill's fee took, given its order's exact fees before it."""
    return ceil_cents(order_fees_before_cc + fee_cc) - ceil_cents(order_fees_before_cc)


def orders_fee_cents(order_totals_cc: Iterable[int]) -> int:
    """Return the cents the fees of these orders took (each order's exact total)."""
    return sum(ceil_cents(total) for total in order_totals_cc)
