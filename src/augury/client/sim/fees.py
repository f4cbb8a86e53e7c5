"""The exchange's fee schedule (CONTRACT §11.1), re-derived for the client side.

Per fill of ``C`` contracts at YES price ``P`` dollars, rounded **up** to $0.0001:
taker ``0.07 * C * P * (1 - P) * multiplier``; maker ``0.0175 *...`` on
``quadratic_with_maker_fees``, ``0.035 *...`` on ``quadratic_with_combo_maker_fees``,
nothing on ``quadratic``; ``flat`` charges takers $0.01 per contract times the multiplier.
All in integers: with ``p`` centi-cents, ``c`` centi-contracts and the multiplier in
1/10,000, ``fee_cc = ceil(k_num * m * c * p * (10^4 - p) / (k_den * 100 * 10^4 * 10^4))``.
The test compares it with the fee of every fill a real server reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["FEE_TYPES", "FeeSchedule", "multiplier_e4"]

_TAKER: Final = (7, 100)
_MAKER: Final = {
    "quadratic": (0, 1),
    "quadratic_with_maker_fees": (7, 400),
    "quadratic_with_combo_maker_fees": (7, 200),
    "flat": (0, 1),
}
FEE_TYPES: Final = tuple(_MAKER)


def multiplier_e4(text: str | float | int) -> int:
    """Parse a wire fee multiplier (``1``, ``0.5``) into 1/10,000 units via its decimal text."""
    raw = str(text)
    whole, _, frac = raw.partition(".")
    return int(whole or "0") * 10_000 + int((frac + "0000")[:4])


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    """A series' fee rule."""

    fee_type: str = "quadratic"
    multiplier_e4: int = 10_000

    def describe(self) -> str:
        """Return ``fee_type x multiplier`` for reports (the multiplier as a decimal)."""
        whole, frac = divmod(self.multiplier_e4, 10_000)
        return f"{self.fee_type} x{whole}.{frac:04d}".rstrip("0").rstrip(".")

    def fee_cc(self, yes_price_cc: int, count_c: int, is_taker: bool) -> int:
        """Return the fee of one side of one fill, in centi-cents, rounded up."""
        if self.fee_type == "flat":
            return -(-100 * self.multiplier_e4 * count_c // (100 * 10_000)) if is_taker else 0
        num, den = _TAKER if is_taker else _MAKER.get(self.fee_type, (0, 1))
        if num == 0:
            return 0
        top = num * self.multiplier_e4 * count_c * yes_price_cc * (10_000 - yes_price_cc)
        return -(-top // (den * 100 * 10_000 * 10_000))
