"""Leaderboards: profit, volume and predictions per user over all time, 30 or 7 days.

Profit is realised P&L net of fees, recomputed from the history of fills and settlements
with the ledger's own rule (average cost; ``ledger.accounts.Ledger.fill_side`` and
``settle_market``): closing part of a position realises ``proceeds - cost * closed // held``
(micro-dollars), settlement realises ``revenue - remaining cost``. Each market's realised
amount is floored to the centi-cent as the engine's ``realized_pnl_cc`` is, so over all
time a user's profit equals the sum over positions of ``realized_pnl_cc - fees_paid_cc``.
A period counts what was realised, paid in fees and traded inside it (the cost basis still
comes from all earlier fills). Volume is contracts traded; predictions the number of
distinct options traded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from augury.domain.units import ONE_DOLLAR_CC
from augury.platform.reads import FillRecord, SettlementRecord

__all__ = ["Standing", "standings"]


@dataclass(slots=True)
class Standing:
    """One user's figures for one period."""

    profit_cc: int = 0
    volume_c: int = 0
    tickers: set[str] = field(default_factory=set)

    @property
    def predictions(self) -> int:
        return len(self.tickers)


@dataclass(slots=True)
class _Book:
    position_c: int = 0
    exposure_fine: int = 0
    realized_fine: int = 0  # inside the period


def standings(
    fills: Sequence[FillRecord], settlements: Sequence[SettlementRecord], since_ns: int
) -> dict[str, Standing]:
    """Return each user's standing from ``since_ns`` on (0: all time).

    Args:
        fills: every fill of the users concerned, in the order they happened.
        settlements: their settlements, in order.
        since_ns: the start of the period.
    """
    books: dict[tuple[str, str], _Book] = {}
    out: dict[str, Standing] = {}
    events: list[tuple[int, int, FillRecord | SettlementRecord]] = [
        (f.seq, 0, f) for f in fills
    ] + [(st.seq, 1, st) for st in settlements]
    events.sort(key=lambda e: (e[0], e[1]))
    for _, _, event in events:
        key = (event.user_id, event.ticker)
        book = books.setdefault(key, _Book())
        inside = event.ts_ns >= since_ns
        standing = out.setdefault(event.user_id, Standing())
        if isinstance(event, SettlementRecord):
            realized = event.revenue_cc * 100 - book.exposure_fine
            book.exposure_fine = 0
            book.position_c = 0
            if inside:
                book.realized_fine += realized
            continue
        _apply_fill(book, event, inside, standing)
    for (user_id, _ticker), book in books.items():
        out[user_id].profit_cc += book.realized_fine // 100
    return out


def _apply_fill(book: _Book, fill: FillRecord, inside: bool, standing: Standing) -> None:
    buys_yes = fill.side == "bid"
    outcome_price = fill.price_cc if buys_yes else ONE_DOLLAR_CC - fill.price_cc
    held = book.position_c if buys_yes else -book.position_c
    closed = min(fill.count_c, -held) if held < 0 else 0
    if closed:
        size = -held
        removed = book.exposure_fine * closed // size if closed < size else book.exposure_fine
        if inside:
            book.realized_fine += (ONE_DOLLAR_CC - outcome_price) * closed - removed
        book.exposure_fine -= removed
    book.exposure_fine += outcome_price * (fill.count_c - closed)
    book.position_c += fill.count_c if buys_yes else -fill.count_c
    if inside:
        standing.profit_cc -= fill.fee_cc
        standing.volume_c += fill.count_c
        standing.tickers.add(fill.ticker)
