"""Trading fees, computed exactly in integers.

Kalshi's schedule (CONTRACT.md §11.1): a fill of C contracts at price P (dollars) costs the
taker ``0.07 * C * P * (1 - P)`` and, only on ``quadratic_with_maker_fees`` series, the
maker ``0.0175 * C * P * (1 - P)`` (``0.035`` on combo-maker series). The series'
``fee_multiplier`` scales the whole amount. ``flat`` series charge a fixed
``$0.01 * fee_multiplier`` per contract to the taker (Kalshi does not publish its flat
table through the API; see docs/decisions/0002-fees-and-rounding.md).

The fee of one fill is rounded **up** to the centi-cent. Rounding of the balance change to
the cent, and the per-order accumulator that rebates whole cents, live in
``augury.ledger.book_keeping`` because they concern cash, not the fee itself.

Invariant: ``fill_fee_cc`` is monotone in the count, and for any split of a fill into lots
``fill_fee_cc(n * lot) <= n * fill_fee_cc(lot)`` (ceil(x*n) <= n*ceil(x)), which the
collateral bound in ``augury.ledger.collateral`` relies on.
"""

from __future__ import annotations

from typing import Final

from augury.domain.enums import FeeType
from augury.domain.units import ONE_DOLLAR_CC

__all__ = ["MULTIPLIER_ONE", "FeeSchedule", "fill_fee_cc", "max_fee_cc_per_lot"]

# fee_multiplier is carried as an integer in 1/10_000 (Kalshi publishes at most 4 decimals).
MULTIPLIER_ONE: Final = 10_000

# Coefficients as exact fractions: 0.07 = 7/100, 0.0175 = 7/400, 0.035 = 7/200.
_TAKER: Final = (7, 100)
_NO_FEE: Final = (0, 1)
_MAKER: Final[dict[FeeType, tuple[int, int]]] = {
    FeeType.QUADRATIC: _NO_FEE,
    FeeType.QUADRATIC_WITH_MAKER_FEES: (7, 400),
    FeeType.QUADRATIC_WITH_COMBO_MAKER_FEES: (7, 200),
    FeeType.FLAT: _NO_FEE,
}
# A flat fee of one cent per contract, before the multiplier.
_FLAT_CC_PER_CONTRACT: Final = 100
# The fixed part of the quadratic fee's denominator (see ``fill_fee_cc``).
_FEE_DENOMINATOR: Final = MULTIPLIER_ONE * 100 * ONE_DOLLAR_CC


class FeeSchedule:
    """The fee rule of one market: its series' fee type and multiplier (1/10_000 units)."""

    __slots__ = ("fee_type", "multiplier_e4")

    def __init__(self, fee_type: FeeType, multiplier_e4: int) -> None:
        assert multiplier_e4 >= 0
        self.fee_type = fee_type
        self.multiplier_e4 = multiplier_e4


def _ceil_div(num: int, den: int) -> int:
    return -((-num) // den)


def fill_fee_cc(schedule: FeeSchedule, yes_price_cc: int, count_c: int, is_taker: bool) -> int:
    """Return the fee of one side of a fill in centi-cents, rounded up.

    Args:
        schedule: the market's fee rule.
        yes_price_cc: the trade price; P(1-P) is the same on the YES and NO scale.
        count_c: the fill size in centi-contracts.
        is_taker: whether this side removed liquidity.
    """
    fee_type = schedule.fee_type
    if fee_type is FeeType.FLAT:
        if not is_taker:
            return 0
        return _ceil_div(_FLAT_CC_PER_CONTRACT * schedule.multiplier_e4 * count_c, 100 * 10_000)
    # The side's quadratic coefficient, as a fraction.
    num, den = _TAKER if is_taker else _MAKER[fee_type]
    if num == 0:
        return 0
    # fee$ = k * mult * (count_c/100) * (p/1e4) * (1 - p/1e4); fee_cc = fee$ * 1e4.
    numerator = (
        num * schedule.multiplier_e4 * count_c * yes_price_cc * (ONE_DOLLAR_CC - yes_price_cc)
    )
    return -((-numerator) // (den * _FEE_DENOMINATOR))  # _ceil_div, inlined


def max_fee_cc_per_lot(schedule: FeeSchedule, outcome_limit_cc: int, lot_c: int) -> int:
    """Return an upper bound on the fee of one lot filled at any price the order accepts.

    An order buying an outcome at limit ``L`` fills at a price ``<= L`` (on its own scale),
    so ``P(1-P)`` is at most ``L(1-L)`` below $0.50 and 0.25 above. The bound uses the taker
    coefficient because a resting order can still take liquidity after an amend.
    """
    # Every new or re-priced order needs this bound, and it depends on few distinct inputs
    # (the markets' fee rules, the grid prices, the lot), so it is memoised; the value is a
    # pure function of the key, so the cache cannot change a result.
    key = (schedule.fee_type, schedule.multiplier_e4, outcome_limit_cc, lot_c)
    bound = _MAX_FEE_CACHE.get(key)
    if bound is None:
        half = ONE_DOLLAR_CC // 2
        worst_price = outcome_limit_cc if outcome_limit_cc < half else half
        bound = fill_fee_cc(schedule, worst_price, lot_c, is_taker=True)
        if len(_MAX_FEE_CACHE) >= _MAX_FEE_CACHE_SIZE:
            _MAX_FEE_CACHE.clear()  # only reachable with very many distinct fee rules
        _MAX_FEE_CACHE[key] = bound
    return bound


_MAX_FEE_CACHE_SIZE: Final = 100_000
_MAX_FEE_CACHE: dict[tuple[FeeType, int, int, int], int] = {}
