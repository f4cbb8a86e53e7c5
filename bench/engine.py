"""Engine benchmark: throughput and latency of ``Exchange.apply``, and memory of a full book.

    .venv/bin/python -m bench.engine [--engine all|native|python] [--quick] [--commands N]
                                     [--warmup W] [--seed S] [--resting N] [--profile FILE]
                                     [--gc-off] [--batch B]

``--engine all`` (the default) prints, in one run and on the same stream, the native
engine through its Python binding with batches of ``--batch`` journal payloads
(``Core.apply_batch``: encoded commands in, encoded outcomes out; also with the outcomes
decoded into event objects, as the sequencer does), the Python engine, and a bare
pure-Python order book (``bench.bare_book``: matching only). Memory is measured for each
engine in a process of its own.

Two measurements, both with the ledger on (it always is: every fill, cancel and reserve
change is booked as it happens):

1. Memory: a fresh exchange with 100 markets and 1,000 funded users takes 1,000,000
   non-crossing resting orders (bids below 50c, asks above); then ``VmRSS`` is read from
   ``/proc/self/status``. Goal: < 1 GiB.
2. Throughput and latency: a mixed workload over 100 markets and 1,000 users, about 55%
   resting limits near the touch, 15% crossing orders (half immediate-or-cancel), 25%
   cancels and 5% amends (a tick up or down, or a contract more or less). Goal: >= 250,000
   commands/s on one core.

The commands are generated before timing, so generation costs nothing in the figures.
Cancels and amends need the ids of live orders, and ids are assigned by the engine, so the
generator drives a scratch exchange (reading its book for the touch and its events for
the live orders); the timed run then applies the same command list to a fresh exchange,
which, the engine being deterministic, assigns the same ids. The process is pinned to one
core; the first ``--warmup`` commands are applied but left out of every figure; each
command's latency is taken with ``time.perf_counter_ns`` into a preallocated list. Before
timing, ``gc.freeze()`` moves the pre-generated commands out of the collector's sight (a
server receives commands one by one and never holds a million of them); the collector
otherwise stays on, as in the server, and its pauses during the timed run are reported
(``--gc-off`` shows the figures without it). ``--quick`` runs 40,000 commands and
100,000 resting orders.

Prints figures only and asserts nothing. The last line is always
``commands_per_s=<number> p99_us=<number>``.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import random
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Literal

from augury.engine import commands as c
from augury.engine.events import OrderUpdate
from augury.engine.exchange import Exchange, Outcome
from augury.runtime import native_engine
from bench.bare_book import BareBook

MARKETS = 100
USERS = 1_000
DEPOSIT_CC = 1_000_000 * 10_000  # $1,000,000 per user: nobody runs out of cash
TS0 = 1_767_225_600_000_000_000
GOAL_COMMANDS_PER_S = 250_000
GOAL_RSS_MIB = 1_024

Tif = Literal["good_till_canceled", "immediate_or_cancel", "fill_or_kill"]
Timed = tuple[c.Command, int]  # a command and its time, as the sequencer hands them over


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def pin_to_one_core() -> str:
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
    except (AttributeError, OSError):
        return "not pinned"
    return f"pinned to cpu {cpu}"


def setup_commands() -> list[c.Command]:
    """Series, event, 100 open markets (linear cent grid), 1,000 funded users."""
    cmds: list[c.Command] = [
        c.AddSeries(ticker="BENCH", fee_type="quadratic", fee_multiplier_e4=10_000),
        c.AddEvent(event_ticker="BENCH-EV", series_ticker="BENCH"),
    ]
    for m in range(MARKETS):
        cmds.append(
            c.AddMarket(
                ticker=f"BENCH-{m:03d}",
                event_ticker="BENCH-EV",
                open_ts_ns=TS0,
                close_ts_ns=TS0 + 10**15,
            )
        )
    for u in range(USERS):
        cmds.append(c.CreateUser(user_id=f"u{u:04d}", name=f"bench {u}"))
        cmds.append(c.Deposit(user_id=f"u{u:04d}", amount_cc=DEPOSIT_CC))
    return cmds


def apply_all(exchange: Exchange, cmds: Sequence[c.Command]) -> None:
    for cmd in cmds:
        outcome = exchange.apply(cmd, TS0)
        if outcome.reject is not None:
            raise RuntimeError(f"setup command refused: {cmd!r}: {outcome.reject!r}")


# --- 1. memory with a million resting orders --------------------------------------------


def bench_memory(orders: int, seed: int) -> None:
    rng = random.Random(seed)
    before = rss_mib()
    exchange = Exchange("bench-memory")
    apply_all(exchange, setup_commands())
    started = time.perf_counter()
    refused = 0
    for i in range(orders):
        is_bid = rng.random() < 0.5
        cents = rng.randint(1, 49) if is_bid else rng.randint(51, 99)  # never crosses
        outcome = exchange.apply(
            c.PlaceOrder(
                user_id=f"u{i % USERS:04d}",
                ticker=f"BENCH-{i // USERS % MARKETS:03d}",
                side="bid" if is_bid else "ask",
                price_cc=cents * 100,
                count_c=100 * rng.randint(1, 10),
                time_in_force="good_till_canceled",
            ),
            TS0 + i,
        )
        refused += outcome.reject is not None
    elapsed = time.perf_counter() - started
    gc.collect()
    after = rss_mib()
    label = "1m" if orders == 1_000_000 else f"{orders // 1000}k"
    print(
        f"placed {orders:,} non-crossing orders in {elapsed:.1f} s "
        f"({orders / elapsed:,.0f} orders/s); resting={len(exchange.orders):,} refused={refused}"
    )
    print(
        f"rss_{label}_resting_mib={after:.0f}  (goal: < {GOAL_RSS_MIB:,} MiB with 1M resting; "
        f"process before: {before:.0f} MiB, about {(after - before) * 2**20 / orders:,.0f} "
        "bytes per resting order)"
    )
    del exchange
    gc.collect()


# --- 2. mixed workload ---------------------------------------------------------------


class Generator:
    """Builds the mixed workload against a scratch exchange (for the touch and the ids)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.scratch = Exchange("bench-mixed")
        apply_all(self.scratch, setup_commands())
        self.tickers = [f"BENCH-{m:03d}" for m in range(MARKETS)]
        self.users = [f"u{u:04d}" for u in range(USERS)]
        self.ts = TS0 + 1
        self.live: dict[str, OrderUpdate] = {}
        self.ids: list[str] = []
        self.pos: dict[str, int] = {}
        self.kinds = {"rest": 0, "cross": 0, "cancel": 0, "amend": 0}
        self.errors: list[str] = []

    def issue(self, cmd: c.Command) -> Timed:
        try:
            outcome: Outcome[object] = self.scratch.apply(cmd, self.ts)
        except Exception as exc:  # an engine bug: record it, the timed run will meet it too
            self.errors.append(f"{type(exc).__name__}: {exc} on {cmd!r}")
            return cmd, self.ts
        for event in outcome.events:
            if type(event) is OrderUpdate:
                if event.status == "resting":
                    if event.order_id not in self.pos:
                        self.pos[event.order_id] = len(self.ids)
                        self.ids.append(event.order_id)
                    self.live[event.order_id] = event
                elif event.order_id in self.pos:
                    at = self.pos.pop(event.order_id)
                    last = self.ids.pop()
                    if last != event.order_id:
                        self.ids[at] = last
                        self.pos[last] = at
                    del self.live[event.order_id]
        return cmd, self.ts

    def touch(self, ticker: str, is_bid: bool, cross: bool) -> int:
        """A grid index near the touch: joining or behind it, or through the other side."""
        book = self.scratch.markets[ticker].book
        rng = self.rng
        off = 0
        while rng.random() < 0.5:
            off += 1
        if cross:
            far = book.best_ask if is_bid else book.best_bid
            idx = (far + off if is_bid else far - off) if 0 <= far < book.size else book.size // 2
        else:
            near = book.best_bid if is_bid else book.best_ask
            far = book.best_ask if is_bid else book.best_bid
            if not 0 <= near < book.size:  # this side is empty: start next to the other
                near = far - 1 if is_bid else far + 1
                if not 0 <= far < book.size:  # both are: start around 50c
                    near = book.size // 2 - 1 if is_bid else book.size // 2 + 1
            idx = near - off if is_bid else near + off
            idx = min(idx, far - 1) if is_bid else max(idx, far + 1)
        return max(0, min(book.size - 1, idx))

    def place(self, cross: bool) -> c.Command:
        rng = self.rng
        ticker = rng.choice(self.tickers)
        is_bid = rng.random() < 0.5
        idx = self.touch(ticker, is_bid, cross)
        grid = self.scratch.markets[ticker].grid
        tif: Tif = "immediate_or_cancel" if cross and rng.random() < 0.5 else "good_till_canceled"
        return c.PlaceOrder(
            user_id=rng.choice(self.users),
            ticker=ticker,
            side="bid" if is_bid else "ask",
            price_cc=grid.prices_cc[idx],
            count_c=100 * rng.randint(1, 10),
            time_in_force=tif,
        )

    def next(self) -> Timed:
        rng = self.rng
        self.ts += 1_000
        r = rng.random()
        if r >= 0.70 and self.ids:
            order = self.live[self.ids[rng.randrange(len(self.ids))]]
            if r < 0.95:
                self.kinds["cancel"] += 1
                return self.issue(c.CancelOrder(user_id=order.user_id, order_id=order.order_id))
            self.kinds["amend"] += 1
            grid = self.scratch.markets[order.ticker].grid
            idx = grid.index_of(order.price_cc)
            if rng.random() < 0.5:
                idx = max(0, min(len(grid) - 1, idx + rng.choice((-1, 1))))
                remaining = order.remaining_c
            else:
                remaining = max(100, order.remaining_c + rng.choice((-100, 100)))
            return self.issue(
                c.AmendOrder(
                    user_id=order.user_id,
                    order_id=order.order_id,
                    ticker=order.ticker,
                    side="bid" if order.side == "bid" else "ask",
                    price_cc=grid.prices_cc[idx],
                    count_c=order.fill_c + remaining,
                )
            )
        cross = 0.55 <= r < 0.70
        self.kinds["cross" if cross else "rest"] += 1
        return self.issue(self.place(cross))

    def prefill(self, per_market: int) -> list[Timed]:
        """Resting orders on both sides of every market, so cancels have targets."""
        cmds = []
        for _ in range(per_market * MARKETS):
            self.ts += 1_000
            cmds.append(self.issue(self.place(cross=False)))
        return cmds


def percentile(sorted_ns: list[int], q: float) -> float:
    return sorted_ns[min(len(sorted_ns) - 1, int(len(sorted_ns) * q))] / 1_000


def bench_mixed(
    commands: int, warmup: int, seed: int, profile: str | None = None, gc_off: bool = False
) -> None:
    print(f"generating {warmup:,} warm-up + {commands:,} measured commands ...", flush=True)
    started = time.perf_counter()
    gen = Generator(random.Random(seed))
    setup = setup_commands()
    prefill = gen.prefill(per_market=40)
    stream = [gen.next() for _ in range(warmup + commands)]
    resting_after = len(gen.scratch.orders)
    errors = gen.errors
    mix = ", ".join(f"{k} {v / len(stream):.0%}" for k, v in gen.kinds.items())
    print(f"  generated in {time.perf_counter() - started:.1f} s; mix: {mix}")
    if errors:
        print(f"  WARNING: the engine raised on {len(errors)} commands (engine bug); first:")
        print(f"    {errors[0][:400]}")
    del gen

    exchange = Exchange("bench-mixed")
    apply_all(exchange, setup)
    failed = 0
    for cmd, ts in prefill:
        try:
            exchange.apply(cmd, ts)
        except Exception:
            failed += 1
    gc.collect()
    gc.freeze()
    # The same collector settings the server uses after recovery (runtime/boot.py).
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000, 50, 1000)
    apply = exchange.apply
    clock = time.perf_counter_ns
    for cmd, ts in stream[:warmup]:
        try:
            apply(cmd, ts)
        except Exception:
            failed += 1
    latencies = [0] * commands
    measured = stream[warmup:]
    profiler = cProfile.Profile() if profile else None
    if profiler is not None:
        profiler.enable()
    gc_pauses: list[int] = []
    gc_started = [0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_started[0] = clock()
        else:
            gc_pauses.append(clock() - gc_started[0])

    gc.callbacks.append(on_gc)
    if gc_off:
        gc.disable()
    cpu_start = time.process_time_ns()
    wall_start = clock()
    for i, (cmd, ts) in enumerate(measured):
        t0 = clock()
        try:
            apply(cmd, ts)
        except Exception:
            failed += 1
        latencies[i] = clock() - t0
    wall_ns = clock() - wall_start
    cpu_ns = time.process_time_ns() - cpu_start
    gc.callbacks.remove(on_gc)
    gc.enable()
    if profiler is not None and profile:
        profiler.disable()
        profiler.dump_stats(profile)
        print(f"  profile of the measured commands written to {profile} (figures include it)")
    gc.unfreeze()
    gc.set_threshold(*thresholds)
    latencies.sort()
    per_s = commands / (wall_ns / 1e9)
    busy_per_s = commands / (sum(latencies) / 1e9)
    cpu_per_s = commands / (cpu_ns / 1e9)
    print(
        f"mixed workload, {commands:,} commands after {warmup:,} warm-up "
        f"(resting at the end: {len(exchange.orders):,}, generator saw {resting_after:,};"
        f" commands that raised: {failed})"
    )
    print(
        f"  throughput {per_s:,.0f} commands/s wall ({busy_per_s:,.0f}/s inside apply, "
        f"{cpu_per_s:,.0f} per CPU-second)   goal: >= {GOAL_COMMANDS_PER_S:,} commands/s "
        "on one core"
    )
    print(
        f"  latency p50 {percentile(latencies, 0.50):,.1f} us  p90 "
        f"{percentile(latencies, 0.90):,.1f} us  p99 {percentile(latencies, 0.99):,.1f} us  "
        f"p99.9 {percentile(latencies, 0.999):,.1f} us  max {latencies[-1] / 1e3:,.1f} us"
    )
    print(
        f"  garbage collector during the measured run: {len(gc_pauses)} collections, "
        f"{sum(gc_pauses) / 1e6:,.1f} ms in all, longest {max(gc_pauses, default=0) / 1e3:,.0f} us"
    )
    print(f"load average after: {load_average()} (other work on the machine skews p99)")
    print(f"commands_per_s={per_s:.0f} p99_us={percentile(latencies, 0.99):.1f}")


# --- 3. the native engine and the bare book on the same stream ----------------------------


def bench_memory_native(orders: int, seed: int) -> None:
    """1,000,000 non-crossing resting orders in the native engine (payloads in chunks)."""
    rng = random.Random(seed)
    before = rss_mib()
    exchange = native_engine.NativeExchange("bench-memory")
    core = exchange.core
    core.apply_batch([c.encode_command(cmd) for cmd in setup_commands()], TS0)
    started = time.perf_counter()
    chunk: list[bytes] = []
    for i in range(orders):
        is_bid = rng.random() < 0.5
        cents = rng.randint(1, 49) if is_bid else rng.randint(51, 99)
        chunk.append(
            c.encode_command(
                c.PlaceOrder(
                    user_id=f"u{i % USERS:04d}",
                    ticker=f"BENCH-{i // USERS % MARKETS:03d}",
                    side="bid" if is_bid else "ask",
                    price_cc=cents * 100,
                    count_c=100 * rng.randint(1, 10),
                    time_in_force="good_till_canceled",
                )
            )
        )
        if len(chunk) == 10_000:  # a chunk is applied at the time of its last order
            core.apply_batch(chunk, TS0 + i)
            chunk = []
    if chunk:
        core.apply_batch(chunk, TS0 + orders)
    elapsed = time.perf_counter() - started
    gc.collect()
    after = rss_mib()
    print(
        f"native: placed {orders:,} non-crossing orders in {elapsed:.1f} s "
        f"(including encoding them in Python); resting={core.resting_count():,}"
    )
    label = "1m" if orders == 1_000_000 else f"{orders // 1000}k"
    print(
        f"native_rss_{label}_resting_mib={after:.0f}  (goal: <= 300 MiB with 1M resting; "
        f"process before: {before:.0f} MiB, about {(after - before) * 2**20 / orders:,.0f} "
        "bytes per resting order)"
    )


def _batches(timed: list[Timed], batch: int) -> list[tuple[list[bytes], int]]:
    """Payloads in sequencer-like batches, each at the time of its last command."""
    return [
        ([c.encode_command(cmd) for cmd, _ in timed[i : i + batch]], timed[i : i + batch][-1][1])
        for i in range(0, len(timed), batch)
    ]


def bench_native(
    setup: list[c.Command],
    prefill: list[Timed],
    stream: list[Timed],
    warmup: int,
    batch: int,
) -> float:
    """The stream through ``Core.apply_batch`` in batches; return commands/s."""
    results = []
    for decode in (False, True):
        exchange = native_engine.NativeExchange("bench-mixed")
        core = exchange.core
        core.apply_batch([c.encode_command(cmd) for cmd in setup], TS0)
        for payloads, ts_ns in _batches(prefill, batch) + _batches(stream[:warmup], batch):
            core.apply_batch(payloads, ts_ns)
        batches = _batches(stream[warmup:], batch)
        measured = stream[warmup:]
        clock = time.perf_counter_ns
        per_batch = []
        apply_batch = core.apply_batch
        decode_outcomes = native_engine.decode_outcomes
        wall = clock()
        for chunk, ts_ns in batches:
            t0 = clock()
            out = apply_batch(chunk, ts_ns)
            if decode:
                decode_outcomes(out, ts_ns)
            per_batch.append(clock() - t0)
        wall_ns = clock() - wall
        per_s = len(measured) / (wall_ns / 1e9)
        per_batch.sort()
        what = "with outcomes decoded to events" if decode else "outcomes left encoded"
        print(
            f"  native engine, batches of {batch} ({what}): {per_s:,.0f} commands/s; "
            f"batch p50 {percentile(per_batch, 0.5):,.0f} us "
            f"p99 {percentile(per_batch, 0.99):,.0f} us "
            f"(resting at the end: {core.resting_count():,})"
        )
        results.append(per_s)
    return results[0]


def bench_bare(
    setup: list[c.Command], prefill: list[Timed], stream: list[Timed], warmup: int
) -> float:
    book = BareBook(native_engine_prefix("bench-mixed"))
    for cmd in setup:
        book.apply(cmd)
    for cmd, _ in prefill:
        book.apply(cmd)
        book.counter += 0
    for cmd, _ in stream[:warmup]:
        book.apply(cmd)
    measured = [cmd for cmd, _ in stream[warmup:]]
    apply = book.apply
    started = time.perf_counter()
    for cmd in measured:
        apply(cmd)
    per_s = len(measured) / (time.perf_counter() - started)
    print(f"  bare pure-Python book (matching only): {per_s:,.0f} commands/s")
    return per_s


def native_engine_prefix(instance_id: str) -> str:
    return Exchange(instance_id).id_prefix


def bench_all(commands: int, warmup: int, seed: int, batch: int) -> None:
    """All three on one stream (see the module docstring)."""
    print(f"generating {warmup:,} warm-up + {commands:,} measured commands ...", flush=True)
    gen = Generator(random.Random(seed))
    setup = setup_commands()
    prefill = gen.prefill(per_market=40)
    stream = [gen.next() for _ in range(warmup + commands)]
    del gen
    gc.collect()
    print("same stream, same process:")
    native_per_s = (
        bench_native(setup, prefill, stream, warmup, batch) if native_engine.available() else 0.0
    )
    if not native_engine.available():
        print("  native engine: not built (make install builds it)")
    exchange = Exchange("bench-mixed")
    apply_all(exchange, setup)
    for cmd, ts_ns in prefill:
        exchange.apply(cmd, ts_ns)
    for cmd, ts_ns in stream[:warmup]:
        exchange.apply(cmd, ts_ns)
    apply = exchange.apply
    started = time.perf_counter()
    for cmd, ts_ns in stream[warmup:]:
        apply(cmd, ts_ns)
    python_per_s = commands / (time.perf_counter() - started)
    print(f"  Python engine: {python_per_s:,.0f} commands/s")
    bare_per_s = bench_bare(setup, prefill, stream, warmup)
    print(
        f"native_commands_per_s={native_per_s:.0f} python_commands_per_s={python_per_s:.0f} "
        f"bare_book_commands_per_s={bare_per_s:.0f}  (native goal: >= 1,000,000)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short run (about 20 s)")
    parser.add_argument("--commands", type=int, help="measured commands (default 300,000)")
    parser.add_argument("--warmup", type=int, help="warm-up commands (default 10%%)")
    parser.add_argument("--resting", type=int, help="orders for the memory figure (1,000,000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", metavar="FILE", help="cProfile the measured commands")
    parser.add_argument(
        "--gc-off", action="store_true", help="disable the cyclic garbage collector while timing"
    )
    parser.add_argument("--engine", choices=("all", "native", "python"), default="all")
    parser.add_argument("--batch", type=int, default=1024, help="native batch size")
    parser.add_argument("--memory-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    commands = args.commands or (40_000 if args.quick else 300_000)
    warmup = args.warmup if args.warmup is not None else commands // 10
    resting = args.resting or (100_000 if args.quick else 1_000_000)
    print(
        f"augury engine benchmark ({pin_to_one_core()}, {os.cpu_count()} cpus, "
        f"load average {load_average()}, seed {args.seed})",
        flush=True,
    )
    if args.memory_only:
        if args.engine == "native":
            bench_memory_native(resting, args.seed)
        else:
            bench_memory(resting, args.seed)
        return
    if args.engine == "python":
        if not args.profile:
            bench_memory(resting, args.seed)
        bench_mixed(commands, warmup, args.seed, args.profile, args.gc_off)
        return
    engines = ["native", "python"] if args.engine == "all" else ["native"]
    for engine in engines:
        if engine == "native" and not native_engine.available():
            continue
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.engine",
                "--memory-only",
                "--engine",
                engine,
                "--resting",
                str(resting),
                "--seed",
                str(args.seed),
            ],
            check=True,
        )
    bench_all(commands, warmup, args.seed, args.batch)


if __name__ == "__main__":
    main()
