"""Market events as the toolkit sees them, from a live feed or a recording.

One vocabulary for paper trading, recording, replay and backtests, in integer units: YES
prices in centi-cents, sizes in centi-contracts, times in Unix nanoseconds. Book sides are
Kalshi's: ``yes`` bids at YES prices and ``no`` bids at NO prices.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BookDelta", "BookSnapshot", "Event", "Lifecycle", "Timer", "Trade"]


@dataclass(frozen=True, slots=True)
class BookSnapshot:
    ts_ns: int
    ticker: str
    yes: tuple[tuple[int, int], ...]  # (price_cc, size_c), any order
    no: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class BookDelta:
    ts_ns: int
    ticker: str
    side: str  # "yes" | "no"
    price_cc: int  # on the side's own scale
    delta_c: int


@dataclass(frozen=True, slots=True)
class Trade:
    ts_ns: int
    ticker: str
    yes_price_cc: int
    count_c: int
    taker_side: str  # the taker's outcome side: "yes" bought YES, "no" bought NO


@dataclass(frozen=True, slots=True)
class Lifecycle:
    ts_ns: int
    ticker: str
    event: str  # "determined", "settled", "closed", ...
    result: str = ""  # "yes" | "no" | "scalar" | "void" | ""
    value_cc: int = 0  # a scalar market's YES payout


@dataclass(frozen=True, slots=True)
class Timer:
    ts_ns: int


Event = BookSnapshot | BookDelta | Trade | Lifecycle | Timer
