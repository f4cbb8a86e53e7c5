"""Formatting integer money for people: every amount on a page comes through here.

Inputs are integers in the unit their name says (``_cents``, ``_cc`` centi-cents, ``_c``
centi-contracts); outputs are strings. Nothing here computes money: it only divides by
powers of ten with ``divmod`` and groups digits, so what a page shows is exactly what the
API computed. Templates use these as Jinja filters (``{{ x | usd }}``).
"""

from __future__ import annotations

from augury.domain.units import C_PER_CONTRACT

__all__ = ["FILTERS", "contracts", "price_cc", "price_cents", "signed_usd", "usd", "usd_cc"]


def _group(whole: int) -> str:
    return f"{whole:,}"


def usd(value_cents: int | None) -> str:
    """``123456`` -> ``$1,234.56``; negative amounts get a leading minus; None -> ``—``."""
    if value_cents is None:
        return "—"
    sign = "-" if value_cents < 0 else ""
    whole, cents = divmod(abs(value_cents), 100)
    return f"{sign}${_group(whole)}.{cents:02d}"


def signed_usd(value_cents: int | None) -> str:
    """Like ``usd`` with an explicit ``+`` for gains (P&L columns)."""
    if value_cents is None:
        return "—"
    return ("+" if value_cents > 0 else "") + usd(value_cents)


def usd_cc(value_cc: int | None) -> str:
    """Centi-cents with four decimals, as the Kalshi API's dollar strings: ``$0.5600``."""
    if value_cc is None:
        return "—"
    sign = "-" if value_cc < 0 else ""
    whole, frac = divmod(abs(value_cc), 10_000)
    return f"{sign}${_group(whole)}.{frac:04d}"


def price_cents(value_cents: int | None) -> str:
    """A contract price in whole cents: ``56¢``."""
    return "—" if value_cents is None else f"{value_cents}¢"


def price_cc(value_cc: int | None) -> str:
    """A contract price in centi-cents: ``56¢``, or ``56.5¢`` on a sub-cent grid."""
    if not value_cc:
        return "—"
    cents, frac = divmod(value_cc, 100)
    if frac == 0:
        return f"{cents}¢"
    return f"{cents}.{frac:02d}".rstrip("0") + "¢"


def contracts(value_c: int | None) -> str:
    """Centi-contracts as contracts: ``1000`` -> ``10``, ``250`` -> ``2.50``."""
    if value_c is None:
        return "—"
    sign = "-" if value_c < 0 else ""
    whole, frac = divmod(abs(value_c), C_PER_CONTRACT)
    return f"{sign}{_group(whole)}" + (f".{frac:02d}" if frac else "")


def change_cents(value_cents: int | None) -> str:
    """A price change in cents with its sign: ``+3¢``, ``-2¢``, ``0¢``."""
    if value_cents is None:
        return "—"
    return ("+" if value_cents > 0 else "") + f"{value_cents}¢"


FILTERS = {
    "usd": usd,
    "signed_usd": signed_usd,
    "usd_cc": usd_cc,
    "price": price_cents,
    "price_cc": price_cc,
    "contracts": contracts,
    "change": change_cents,
}
