"""Fixed-point units: the one convention for money and sizes in Augury.

Every amount in Augury is a Python ``int`` whose unit is the last part of its name:

- ``*_cc`` — **centi-cents**, $0.0001. Prices (a YES price lies in ``0..10_000``),
  balances, fees, costs and settlement values. Kalshi's dollar strings carry four
  decimals (``"0.5600"``), so every one of them is an exact whole number of centi-cents.
- ``*_c`` — **centi-contracts**, 0.01 contract. Order sizes, fills, positions, volume and
  open interest. Kalshi's count strings carry two decimals (``"10.00"``).
- ``*_fine`` — **micro-dollars**, $0.000001: the exact product of a price in centi-cents and
  a size in centi-contracts (``price_cc * count_c``). It is only used inside the ledger to
  carry the sub-centi-cent part of a cost on fractional, sub-cent markets until it is
  rounded into a centi-cent balance.
- ``*_cents`` — whole cents, only at the wire edge where Kalshi still sends integers
  (``balance``, ``revenue``, legacy ``yes_price``).
- ``*_ns`` / ``*_ms`` / ``*_s`` — times since the Unix epoch.

No float touches any of these. Conversions from and to Kalshi's strings live here and
reject anything that is not an exact multiple of the unit, so a value is never rounded
silently on the way in.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "CC_PER_CENT",
    "CC_PER_DOLLAR",
    "C_PER_CONTRACT",
    "FINE_PER_CC",
    "ONE_DOLLAR_CC",
    "UnitError",
    "cc_from_cents",
    "cc_to_cents_floor",
    "count_c_from_str",
    "count_c_to_str",
    "dollars_cc_from_str",
    "dollars_cc_to_str",
]

CC_PER_DOLLAR = 10_000
CC_PER_CENT = 100
ONE_DOLLAR_CC = CC_PER_DOLLAR
C_PER_CONTRACT = 100
# price_cc * count_c is in units of $0.0001 * 0.01 = $0.000001; 100 of them make 1 cc.
FINE_PER_CC = C_PER_CONTRACT

# ASCII digits only, nothing around them, as Kalshi's parser: "１" or " 1" is not a number.
_DECIMAL = re.compile(r"(-?)([0-9]{1,15})(?:\.([0-9]*))?", re.ASCII)


class UnitError(ValueError):
    """A wire value is not a well-formed fixed-point number in the expected unit."""


def _parse_fixed(text: str, decimals: int, what: str) -> int:
    match = _DECIMAL.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        # The value is not repeated: it may be megabytes long.
        raise UnitError(f"{what} must be a decimal string of ASCII digits")
    sign, whole, frac = match.group(1), match.group(2), match.group(3) or ""
    # Trailing zeros beyond the unit are harmless ("0.560000"); other digits are not.
    significant = frac.rstrip("0")
    if len(significant) > decimals:
        raise UnitError(f"{what} has more than {decimals} decimal places")
    value: int = int(whole) * 10**decimals + int((significant or "0").ljust(decimals, "0"))
    return -value if sign else value


def _format_fixed(value: int, decimals: int) -> str:
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), 10**decimals)
    return f"{sign}{whole}.{frac:0{decimals}d}"


def dollars_cc_from_str(text: str) -> int:
    """Parse a Kalshi dollar string (``"0.5600"``, ``"0.56"``) into centi-cents."""
    return _parse_fixed(text, 4, "dollar amount")


# Every response renders many amounts (an order has eight dollar fields, a market list
# thousands): the common ones, $0 to $1 and 0 to 100 contracts, are formatted once, here.
# A lookup costs 0.14 µs against 1.1-1.5 µs to format (measured on the dev VM).
_TABLE_MAX: Final = 10_000
_DOLLARS_TEXT: Final = tuple(_format_fixed(v, 4) for v in range(_TABLE_MAX + 1))
_COUNTS_TEXT: Final = tuple(_format_fixed(v, 2) for v in range(_TABLE_MAX + 1))


def dollars_cc_to_str(value_cc: int) -> str:
    """Format centi-cents as Kalshi's four-decimal dollar string (``5600 -> "0.5600"``)."""
    if 0 <= value_cc <= _TABLE_MAX:
        return _DOLLARS_TEXT[value_cc]
    return _format_fixed(value_cc, 4)


def count_c_from_str(text: str) -> int:
    """Parse a Kalshi count string (``"10"``, ``"10.5"``, ``"10.00"``) into centi-contracts."""
    return _parse_fixed(text, 2, "count")


def count_c_to_str(value_c: int) -> str:
    """Format centi-contracts as Kalshi's two-decimal count string (``1000 -> "10.00"``)."""
    if 0 <= value_c <= _TABLE_MAX:
        return _COUNTS_TEXT[value_c]
    return _format_fixed(value_c, 2)


def cc_from_cents(cents: int) -> int:
    """Convert whole cents into centi-cents."""
    return cents * CC_PER_CENT


def cc_to_cents_floor(value_cc: int) -> int:
    """Convert centi-cents into whole cents, rounding toward minus infinity."""
    return value_cc // CC_PER_CENT
