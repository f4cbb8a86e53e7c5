"""A market's rolling-day statistics for the Market shape, read from the history store.

``Market.volume_24h`` and ``previous_*`` ("a day ago") are not engine state: they come from
the 1-minute candles (``HistoryReader.volume_24h`` and ``quotes_at``). One page of markets
costs one hop to the reader thread, which runs two indexed queries per market; the reader
lags the engine by at most the batch being written, which a public read tolerates.
"""

from __future__ import annotations

from collections.abc import Sequence

from augury.api.context import Context
from augury.api.schemas import markets as wm
from augury.api.wire import market_wire
from augury.store.history_read import HistoryReader

__all__ = ["DayStats", "day_stats", "render_markets"]

_DAY_NS = 86_400 * 1_000_000_000

# ticker -> (volume_24h_c, (yes_bid_cc, yes_ask_cc, price_cc) a day ago)
DayStats = dict[str, tuple[int, tuple[int, int, int]]]


def _read(reader: HistoryReader, tickers: Sequence[str], now_ns: int) -> DayStats:
    out: DayStats = {}
    for ticker in tickers:
        volume = reader.volume_24h(ticker, now_ns)
        quotes = reader.quotes_at(ticker, now_ns - _DAY_NS)
        previous = (0, 0, 0)
        if quotes is not None:
            previous = (quotes.yes_bid_cc, quotes.yes_ask_cc, quotes.last_price_cc or 0)
        out[ticker] = (volume, previous)
    return out


async def day_stats(context: Context, tickers: Sequence[str]) -> DayStats:
    """Return each market's 24-hour volume and day-ago quotes (one reader-thread hop)."""
    if not tickers:
        return {}
    now_ns = context.clock.now_ns()
    wanted = list(tickers)
    return await context.runtime.history.read(lambda reader: _read(reader, wanted, now_ns))


async def render_markets(context: Context, tickers: Sequence[str]) -> dict[str, wm.Market]:
    """Render markets with their 24-hour statistics, by ticker (unknown tickers skipped)."""
    stats = await day_stats(context, tickers)
    exchange = context.exchange  # read after the await: the state of this moment
    out: dict[str, wm.Market] = {}
    for ticker in tickers:
        market = exchange.markets.get(ticker)
        if market is not None:
            volume, previous = stats.get(ticker, (0, (0, 0, 0)))
            out[ticker] = market_wire(exchange, market, volume_24h_c=volume, previous=previous)
    return out
