"""Durable command throughput through the sequencer (group commit), and restart time.

Part 1 — throughput: many concurrent submitters (asyncio tasks, no HTTP) send a mix of
resting orders, crossing orders and cancels through the real Sequencer, which journals
each batch (one transaction, synchronous=FULL on SQLite) before applying it. Prints
durable commands/s, the process CPU per command, the batch sizes the group commit formed
and the median commit time. Goal (issue 3): >= 20,000 durable commands/s on SQLite.
Each submitter waits for its answer before it sends again, so at most ``--submitters``
commands are in flight and the rate cannot exceed submitters / commit time: the median
commit says which side bound a run (on the shared VM an fsync takes 0.1-0.3 ms, or about
4 ms while other processes are syncing too; docs/PERFORMANCE.md, "durable-pipe").

Part 2 — restart: writes a journal of N commands (default 1,000,000) through the same
path, then times recovery twice: from the last periodic snapshot plus the journal tail
(what a restart does), and a full replay from command 1 (no snapshot). Goal: restart
with 1,000,000 journaled commands under 15 s.

Usage: .venv/bin/python -m bench.durable [--commands N] [--restart-commands N] [--pg URL]
                                         [--engine all|native|python]
(--pg defaults to $AUGURY_TEST_POSTGRES_URL when set). ``--engine all`` (the default where
the native engine is built) prints every figure for both engines in one run; the restart
journal is written once (by the native engine when built: journals and snapshots are
engine-neutral) and recovered by each engine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Literal

from augury.engine import commands as c
from augury.engine.state import make_snapshot, state_digest
from augury.runtime import native_engine
from augury.runtime.boot import recover
from augury.runtime.clock import SystemClock
from augury.runtime.engines import new_exchange
from augury.runtime.sequencer import DEFAULT_SNAPSHOT_EVERY, Sequencer
from augury.store import Journal

USERS = 200
MARKETS = 20


def setup_commands() -> list[c.Single]:
    out: list[c.Single] = [
        c.AddSeries(ticker="B", fee_type="quadratic", fee_multiplier_e4=10_000),
        c.AddEvent(event_ticker="B-E", series_ticker="B"),
    ]
    out += [
        c.AddMarket(ticker=f"B-M{i}", event_ticker="B-E", open_ts_ns=0, close_ts_ns=2**62)
        for i in range(MARKETS)
    ]
    for u in range(USERS):
        out.append(c.CreateUser(user_id=f"u{u}", name=f"u{u}"))
        out.append(c.Deposit(user_id=f"u{u}", amount_cc=10_000_000_000))
    return out


SIDES: tuple[Literal["bid", "ask"], ...] = ("bid", "ask")


class Flow:
    """A stream of trading commands near the touch; remembers its own resting ids."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.live: list[tuple[str, str]] = []

    def next(self) -> c.Single:
        rng = self.rng
        if self.live and rng.random() < 0.3:
            user, order_id = self.live.pop(rng.randrange(len(self.live)))
            return c.CancelOrder(user_id=user, order_id=order_id)
        side = rng.choice(SIDES)
        crossing = rng.random() < 0.2
        base = 50 + (rng.randint(0, 3) if crossing else -rng.randint(1, 6))
        cents = base if side == "bid" else 100 - base
        return c.PlaceOrder(
            user_id=f"u{rng.randrange(USERS)}",
            ticker=f"B-M{rng.randrange(MARKETS)}",
            side=side,
            price_cc=cents * 100,
            count_c=100 * rng.randint(1, 10),
            time_in_force="good_till_canceled",
            self_trade_prevention="maker",
        )

    def saw(self, command: c.Single, value: object) -> None:
        if isinstance(command, c.PlaceOrder) and getattr(value, "status", "") == "resting":
            self.live.append((command.user_id, value.order_id))  # type: ignore[attr-defined]


async def throughput(url: str, commands: int, submitters: int, engine: str) -> None:
    loop = asyncio.get_running_loop()
    thread = ThreadPoolExecutor(1)
    journal = await loop.run_in_executor(thread, Journal.open, url)
    seq = Sequencer(
        new_exchange(engine, "bench"),
        journal,
        thread,
        SystemClock(),
        last_seq=0,
        snapshot_every=10**12,
    )
    seq.start()
    await seq.submit(c.Batch.of(setup_commands()))
    seq.batch_sizes.clear()
    commits_ns: list[int] = []
    seq.observe_batch = lambda _size, commit_ns, _apply_ns: commits_ns.append(commit_ns)
    per = commands // submitters

    async def worker(i: int) -> None:
        flow = Flow(i)
        for _ in range(per):
            command = flow.next()
            outcome = await seq.submit(command)
            if outcome.ok:  # a cancel of an order that has filled meanwhile is refused
                flow.saw(command, outcome.value)

    cpu_started = time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(submitters)))
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    sizes = seq.batch_sizes
    await seq.stop(snapshot=False)
    await loop.run_in_executor(thread, journal.close)
    thread.shutdown()
    kind = url.split(":", 1)[0]
    done = per * submitters
    print(
        f"[{kind}, {engine} engine] submitters={submitters} commands={done} "
        f"durable_commands_per_s={done / elapsed:,.0f} "
        f"cpu_us_per_command={cpu / done * 1e6:.1f} "
        f"batches={len(sizes)} batch_mean={statistics.mean(sizes):.1f} "
        f"batch_p50={statistics.median(sizes):.0f} batch_max={max(sizes)} "
        f"commit_ms_p50={statistics.median(commits_ns) / 1e6:.2f} "
        "(goal >= 20,000/s on sqlite; native engine: >= 50,000/s)"
    )


async def build_journal(url: str, total: int, snapshot_every: int, engine: str) -> str:
    loop = asyncio.get_running_loop()
    thread = ThreadPoolExecutor(1)
    journal = await loop.run_in_executor(thread, Journal.open, url)
    seq = Sequencer(
        new_exchange(engine, "augury"),
        journal,
        thread,
        SystemClock(),
        last_seq=0,
        snapshot_every=snapshot_every,
    )
    seq.start()
    await seq.submit(c.Batch.of(setup_commands()))
    flows = [Flow(1000 + i) for i in range(64)]

    async def worker(flow: Flow, n: int) -> None:
        for _ in range(n):
            command = flow.next()
            outcome = await seq.submit(command)
            if outcome.ok:
                flow.saw(command, outcome.value)

    await asyncio.gather(*(worker(f, (total - 1) // len(flows)) for f in flows))
    digest = state_digest(seq.exchange)
    await seq.stop(snapshot=False)
    await loop.run_in_executor(thread, journal.close)
    thread.shutdown()
    return digest


def restart(url: str, expected: str, engine: str) -> None:
    journal = Journal.open(url)
    last = journal.last_seq()
    result = recover(journal, "augury", engine=engine)
    ok = state_digest(result.exchange) == expected
    print(
        f"restart ({engine} engine): journal={last:,} commands, snapshot at "
        f"{result.snapshot_seq:,}, replayed {result.replayed:,} in {result.seconds:.2f}s "
        f"(digest {'matches' if ok else 'DIFFERS'}; goal < 15 s, native: <= 3 s)"
    )
    # A full replay from command 1, as if every snapshot were lost.
    started = time.perf_counter()
    exchange = recover(journal, "augury", engine=engine, max_snapshot_seq=0).exchange
    full = time.perf_counter() - started
    snap_started = time.perf_counter()
    size = len(make_snapshot(exchange))
    snap = time.perf_counter() - snap_started
    print(
        f"full replay without snapshots ({engine} engine): {last:,} commands in {full:.2f}s "
        f"({last / full:,.0f}/s); snapshot of that state: {size / 1e6:.1f} MB in {snap:.2f}s "
        f"(digest {'matches' if state_digest(exchange) == expected else 'DIFFERS'}; "
        "native goal: <= 10 s)"
    )
    journal.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commands", type=int, default=100_000)
    parser.add_argument("--submitters", type=int, default=256)
    parser.add_argument("--restart-commands", type=int, default=1_000_000)
    parser.add_argument("--pg", default=os.environ.get("AUGURY_TEST_POSTGRES_URL"))
    parser.add_argument("--engine", choices=("all", "native", "python"), default="all")
    args = parser.parse_args()
    built_native = native_engine.available()
    engines = ["native", "python"] if args.engine == "all" else [args.engine]
    if not built_native:
        engines = [e for e in engines if e != "native"] or ["python"]
    with tempfile.TemporaryDirectory() as tmp:
        for engine in engines:
            db = f"sqlite:///{Path(tmp) / f'tp-{engine}.db'}"
            asyncio.run(throughput(db, args.commands, args.submitters, engine))
            if args.pg:
                from bench.bench_pg import fresh_schema_url

                pg = fresh_schema_url(args.pg)
                asyncio.run(throughput(pg, args.commands, args.submitters, engine))
        if args.restart_commands:
            url = f"sqlite:///{Path(tmp) / 'restart.db'}"
            built = time.perf_counter()
            writer = "native" if "native" in engines else "python"
            digest = asyncio.run(
                build_journal(url, args.restart_commands, DEFAULT_SNAPSHOT_EVERY, writer)
            )
            print(
                f"built a journal of {args.restart_commands:,} commands in "
                f"{time.perf_counter() - built:.1f}s ({writer} engine)"
            )
            for engine in engines:
                restart(url, digest, engine)


if __name__ == "__main__":
    main()
