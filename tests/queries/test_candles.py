"""Tutorial-compat candle periods folded from stored minutes: window edges and folding."""

from __future__ import annotations

from typing import cast

from augury.queries.candles import read_candles
from augury.store.history_reader import HistoryReader
from augury.store.records import Candle

T = "KXTEST-26DEC-T1"


def _minute(end_ts_s: int, price_cc: int, volume_c: int) -> Candle:
    return Candle(
        ticker=T,
        period_min=1,
        end_ts_s=end_ts_s,
        yes_bid_open_cc=price_cc - 100,
        yes_bid_high_cc=price_cc - 100,
        yes_bid_low_cc=price_cc - 100,
        yes_bid_close_cc=price_cc - 100,
        yes_ask_open_cc=price_cc + 100,
        yes_ask_high_cc=price_cc + 100,
        yes_ask_low_cc=price_cc + 100,
        yes_ask_close_cc=price_cc + 100,
        price_open_cc=price_cc,
        price_high_cc=price_cc,
        price_low_cc=price_cc,
        price_close_cc=price_cc,
        price_previous_cc=None,
        price_volume_fine=price_cc * 100 * volume_c,
        volume_c=volume_c,
        open_interest_c=volume_c,
    )


class _Minutes:
    """A history reader holding one traded minute per minute end 60..1200 (Unix seconds)."""

    def __init__(self) -> None:
        self.rows = [_minute(60 * m, 4000 + 10 * m, 100) for m in range(1, 21)]

    def candles(
        self, ticker: str, period_min: int, start_ts_s: int, end_ts_s: int, *, limit: int
    ) -> list[Candle]:
        assert (ticker, period_min) == (T, 1)
        return [r for r in self.rows if start_ts_s <= r.end_ts_s <= end_ts_s][:limit]


def _read(period_min: int, start_ts_s: int, end_ts_s: int) -> list[Candle]:
    reader = cast(HistoryReader, _Minutes())
    return read_candles(reader, T, period_min, start_ts_s, end_ts_s, 100)


def test_a_folded_period_that_ends_after_end_ts_is_not_served() -> None:
    # 5-minute periods end at 300, 600, 900, ...; the window 300..720 holds the ends 300 and
    # 600 only. The period ending at 900 would hold the minutes 660 and 720 of the window,
    # but it ends past end_ts, like a stored period still running: it is not served.
    got = _read(5, 300, 720)
    assert [c.end_ts_s for c in got] == [300, 600]


def test_a_folded_period_sums_its_minutes_and_keeps_first_open_last_close() -> None:
    (fifteen,) = _read(15, 900, 900)
    # Minutes 1..15 (ends 60..900) at prices 4010..4150, 1 contract (100 c) each.
    assert fifteen.period_min == 15
    assert fifteen.volume_c == 15 * 100
    assert (fifteen.price_open_cc, fifteen.price_close_cc) == (4010, 4150)
    assert (fifteen.price_low_cc, fifteen.price_high_cc) == (4010, 4150)
    assert fifteen.price_volume_fine == sum(4000 + 10 * m for m in range(1, 16)) * 100 * 100
    assert fifteen.open_interest_c == 100
