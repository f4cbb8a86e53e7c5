"""Backtest replay speed: recorded events per second, without and with a strategy.

Writes a synthetic Parquet recording (one market wandering around $0.50: book deltas, a
snapshot every 1,000 events, a trade every 20), then times

- ``replay_books``: every book event applied to plain books straight from the columns
  (the goal: >= 1,000,000 book-delta events/s without a strategy);
- ``run_backtest`` with the market maker: events through the runner, the fill model, the
  ledger and the strategy;
- ``read_events``: decoding the file into event objects alone.

Prints figures only; asserts nothing.

    .venv/bin/python -m bench.backtest [--events 2000000] [--strategy-events 200000]
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

from augury.client.backtest import replay_books, run_backtest
from augury.client.bots import MarketMaker
from augury.client.recording import Recorder, read_events
from augury.client.sim import BookDelta, BookSnapshot, Trade

TICKER = "KXBENCH-1"


def write(path: Path, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    rec = Recorder(path, flush_rows=100_000)
    mid = 5000
    for i in range(n):
        ts = i * 1_000_000
        if i % 1000 == 0:
            mid = max(1000, min(9000, mid + rng.choice((-100, 0, 100))))
            yes = tuple((mid - 100 * k, 1000 * k) for k in range(1, 6))
            no = tuple((10_000 - mid - 100 * k, 1000 * k) for k in range(1, 6))
            rec.write(BookSnapshot(ts, TICKER, yes, no))
        elif i % 20 == 0:
            # Trades print 3 cents either side of the mid, alternately: through the market
            # maker's quotes (2 cents away), so the strategy run really fills.
            if i % 40 == 0:
                rec.write(Trade(ts, TICKER, mid - 300, 100, "no"))
            else:
                rec.write(Trade(ts, TICKER, mid + 300, 100, "yes"))
        else:
            side = "yes" if i & 1 else "no"
            base = mid if side == "yes" else 10_000 - mid
            rec.write(
                BookDelta(
                    ts, TICKER, side, base - 100 * rng.randint(1, 5), rng.choice((-100, 100, 200))
                )
            )
    rec.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--strategy-events", type=int, default=200_000)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        big, small = Path(tmp) / "big.parquet", Path(tmp) / "small.parquet"
        started = time.perf_counter()
        write(big, args.events)
        write(small, args.strategy_events)
        print(
            f"wrote {args.events + args.strategy_events:,} events in "
            f"{time.perf_counter() - started:.1f} s "
            f"({big.stat().st_size / args.events:.1f} B/event)"
        )
        for _ in range(3):
            started = time.perf_counter()
            count, _books = replay_books(big)
            seconds = time.perf_counter() - started
            print(
                f"replay_books (no strategy): {count:,} events in {seconds:.2f} s = "
                f"{count / seconds:,.0f} events/s"
            )
        started = time.perf_counter()
        decoded = sum(1 for _ in read_events(small))
        seconds = time.perf_counter() - started
        print(f"read_events (decode only): {decoded / seconds:,.0f} events/s")
        print(f"load average before the strategy runs: {os.getloadavg()[0]:.1f}")
        for _ in range(3):
            started = time.perf_counter()
            result = run_backtest(read_events(small), MarketMaker(TICKER))
            seconds = time.perf_counter() - started
            print(
                f"run_backtest (market maker): {result.events:,} events in {seconds:.2f} s = "
                f"{result.events / seconds:,.0f} events/s, {len(result.fills):,} fills"
            )


if __name__ == "__main__":
    main()
