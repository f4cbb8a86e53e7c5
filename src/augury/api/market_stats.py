"""A market's rolling-day statistics for the Market shape, read from the history store.

``Market.volume_24h`` and ``previous_*`` ("a day ago") are not engine state: they come from
the 1-minute candles (``Queries.day_stats``). One page of markets costs one hop to the
reader thread, which runs two indexed queries per market; the reader lags the engine by at
most the batch being written, which a public read tolerates.
"""

from __future__ import annotations

from collections.abc import Sequence

from augury.api.context import Context
from augury.api.render import market as render
from augury.api.schemas import markets as wm

__all__ = ["render_markets"]


async def render_markets(context: Context, tickers: Sequence[str]) -> dict[str, wm.Market]:
    """Render markets with their 24-hour statistics, by ticker (unknown tickers skipped)."""
    queries = context.queries
    stats = await queries.day_stats(tickers, context.clock.now_ns())
    out: dict[str, wm.Market] = {}
    for ticker in tickers:
        market = queries.market(ticker)  # read after the await: the state of this moment
        if market is not None:
            volume, previous = stats.get(ticker, (0, (0, 0, 0)))
            out[ticker] = render.market(market, volume_24h_c=volume, previous=previous)
    return out
