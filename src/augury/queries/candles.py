"""Candles as the read side serves them: stored periods as they are, and the tutorial-compat
periods (5 and 15 minutes, ``--compat tutorials``) folded from the stored 1-minute candles.

Folding keeps the stored semantics: a folded candle takes the opens and ``previous`` of
its first minute, the closes and open interest of its last, highs and lows over all its
minutes, and sums volumes; its price OHLC comes only from minutes that traded. A folded
period ends on a multiple of its length (Unix seconds), like the stored ones, and is served
only when that end lies in ``start_ts..end_ts``: a period that runs past ``end_ts`` is not
served half-folded, as a stored period still running would not be.
"""

from __future__ import annotations

from dataclasses import replace

from augury.store.history_reader import MAX_CANDLES, HistoryReader
from augury.store.records import Candle

__all__ = ["STORED_PERIODS", "aggregate", "read_candles"]

STORED_PERIODS = (1, 60, 1440)


def aggregate(rows: list[Candle], period_min: int) -> list[Candle]:
    """Fold consecutive 1-minute candles (oldest first) into ``period_min`` ones."""
    out: list[Candle] = []
    span = period_min * 60
    for row in rows:
        end = -(-row.end_ts_s // span) * span
        if not out or out[-1].end_ts_s != end:
            out.append(replace(row, period_min=period_min, end_ts_s=end))
            continue
        acc = out[-1]
        prices = [p for p in (acc.price_high_cc, row.price_high_cc) if p is not None]
        lows = [p for p in (acc.price_low_cc, row.price_low_cc) if p is not None]
        out[-1] = replace(
            acc,
            yes_bid_high_cc=max(acc.yes_bid_high_cc, row.yes_bid_high_cc),
            yes_bid_low_cc=min(acc.yes_bid_low_cc, row.yes_bid_low_cc),
            yes_bid_close_cc=row.yes_bid_close_cc,
            yes_ask_high_cc=max(acc.yes_ask_high_cc, row.yes_ask_high_cc),
            yes_ask_low_cc=min(acc.yes_ask_low_cc, row.yes_ask_low_cc),
            yes_ask_close_cc=row.yes_ask_close_cc,
            price_open_cc=acc.price_open_cc if acc.price_open_cc is not None else row.price_open_cc,
            price_high_cc=max(prices) if prices else None,
            price_low_cc=min(lows) if lows else None,
            price_close_cc=row.price_close_cc
            if row.price_close_cc is not None
            else acc.price_close_cc,
            price_volume_fine=acc.price_volume_fine + row.price_volume_fine,
            volume_c=acc.volume_c + row.volume_c,
            open_interest_c=row.open_interest_c,
        )
    return out


def read_candles(
    reader: HistoryReader, ticker: str, period_min: int, start_ts_s: int, end_ts_s: int, limit: int
) -> list[Candle]:
    """Return at most ``limit`` candles of ``period_min`` whose period ends in the window."""
    if period_min in STORED_PERIODS:
        return reader.candles(ticker, period_min, start_ts_s, end_ts_s, limit=limit)
    # A folded period ending at start_ts_s began period_min - 1 minutes before it.
    first_minute = start_ts_s - period_min * 60 + 60
    minutes = reader.candles(ticker, 1, max(0, first_minute), end_ts_s, limit=MAX_CANDLES)
    folded = [c for c in aggregate(minutes, period_min) if start_ts_s <= c.end_ts_s <= end_ts_s]
    return folded[:limit]
