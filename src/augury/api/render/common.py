"""Small conversions every renderer shares."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["NS_PER_MS", "NS_PER_S", "meta_str", "ms", "outcome_side"]

NS_PER_S = 1_000_000_000
NS_PER_MS = 1_000_000


def ms(ts_ns: int) -> int:
    """Return a time in Unix milliseconds."""
    return ts_ns // NS_PER_MS


def outcome_side(book_side: str) -> str:
    """Return the outcome an order of this book side buys: ``bid`` YES, ``ask`` NO."""
    return "yes" if book_side == "bid" else "no"


def meta_str(meta: Mapping[str, object], key: str, default: str = "") -> str:
    """Return a catalog metadata string, or ``default`` when absent or not a string."""
    value = meta.get(key)
    return value if isinstance(value, str) else default
