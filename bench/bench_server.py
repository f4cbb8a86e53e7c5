"""The server the REST and WebSocket benchmarks drive: ``augury serve`` in a subprocess.

Durable SQLite store in a fresh temporary directory, rate limits off (or on), quiet logs, and one
series with ``markets`` binary markets (tickers ``<TAG>-M0`` ...) listed through the admin
API, as an operator would.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.e2e.server_harness import Server

__all__ = ["Server", "list_bench_markets", "start_bench_server"]


def start_bench_server(
    tag: str, markets: int, *, rate_limits: bool = False
) -> tuple[Server, list[str], Path]:
    """Start the server and list the markets; return it, the tickers and its directory.

    Rate limits are off unless asked for: the benchmarks measure capacity, and the default
    tier (prestige: 800 orders/s per user) would otherwise cap a run with few users.
    The caller stops the server and removes the directory.
    """
    tmp = Path(tempfile.mkdtemp(prefix=f"augury-{tag.lower()}-bench-"))
    limits = "on" if rate_limits else "off"
    server = Server(tmp / "data", extra=["--rate-limits", limits, "--log-level", "warning"])
    server.start()
    tickers = list_bench_markets(server, tag, markets)
    return server, tickers, tmp


def list_bench_markets(server: Server, tag: str, count: int) -> list[str]:
    """List ``count`` open markets ``TAG-M0``.. under one series and event; return them."""
    tickers = [f"{tag}-M{i}" for i in range(count)]
    server.admin(
        "POST",
        "/catalog",
        {
            "series": [{"ticker": tag, "title": "bench", "fee_type": "quadratic"}],
            "events": [{"event_ticker": f"{tag}-E", "series_ticker": tag, "title": "bench"}],
            "markets": [
                {
                    "ticker": t,
                    "event_ticker": f"{tag}-E",
                    "title": t,
                    "close_time": "2030-01-01T00:00:00Z",
                }
                for t in tickers
            ],
        },
    )
    return tickers
