"""Kalshi's fixed-point strings as integers, for the client side.

Units (the same convention the exchange uses, re-implemented here so the client imports
nothing from the server): ``*_cc`` centi-cents ($0.0001) for prices, costs, fees and
balances; ``*_c`` centi-contracts (0.01 contract) for sizes and positions; ``*_cents``
whole cents where Kalshi still sends integers. A dollar string has up to 4 decimals
(``"0.5600"``; up to 6 in a few computed fields, which ``dollars_cc`` rounds toward zero
only when asked), a count string up to 2 (``"10.00"``).

Invariant: parsing never goes through ``float``; a value that is not an exact multiple of
the unit is refused (``UnitError``) unless the caller says how to round.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "CC_PER_CENT",
    "CC_PER_DOLLAR",
    "C_PER_CONTRACT",
    "UnitError",
    "count_c",
    "count_str",
    "dollars_cc",
    "dollars_str",
]

CC_PER_DOLLAR: Final = 10_000
CC_PER_CENT: Final = 100
C_PER_CONTRACT: Final = 100
_NUMBER: Final = re.compile(r"^([+-]?)(\d{1,15})(?:\.(\d{0,12}))?$")


class UnitError(ValueError):
    """A wire value is not a well-formed fixed-point number in the expected unit."""


def _fixed(text: str, decimals: int, what: str, truncate: bool) -> int:
    match = _NUMBER.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise UnitError(f"{what} must be a decimal string, got {text!r}")
    sign, whole, frac = match.group(1), match.group(2), match.group(3) or ""
    extra = frac[decimals:]
    if extra.strip("0") and not truncate:
        raise UnitError(f"{what} {text!r} has more than {decimals} decimals")
    value: int = int(whole) * 10**decimals + int(frac[:decimals].ljust(decimals, "0") or "0")
    return -value if sign == "-" else value


def dollars_cc(text: str, *, truncate: bool = False) -> int:
    """Parse a dollar string (``"0.5600"``) into centi-cents (5600)."""
    return _fixed(text, 4, "dollar amount", truncate)


def count_c(text: str) -> int:
    """Parse a count string (``"10.00"``) into centi-contracts (1000)."""
    return _fixed(text, 2, "count", truncate=False)


def _render(value: int, decimals: int) -> str:
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), 10**decimals)
    return f"{sign}{whole}.{frac:0{decimals}d}"


def dollars_str(value_cc: int) -> str:
    """Render centi-cents as Kalshi's 4-decimal dollar string (5600 -> ``"0.5600"``)."""
    return _render(value_cc, 4)


def count_str(value_c: int) -> str:
    """Render centi-contracts as Kalshi's 2-decimal count string (1000 -> ``"10.00"``)."""
    return _render(value_c, 2)
