"""Reads on a big exchange: ``GET /portfolio/positions`` latency and what reads cost the
sequencer.

The exchange (default: 10,000 users holding 100,000 open positions in 100 markets, plus a
market maker holding the other side) is built through the real app in-process (ASGI, the
lifespan, the sequencer, an in-memory SQLite store), then:

1. **latency**: one signed ``GET /portfolio/positions`` at a time for random users, sent
   straight into the ASGI app (no HTTP client in the process: its work and its garbage
   would be counted too): p50 / p99 / max of the server's time from the request to the
   response (middleware, auth, the read port, rendering). Goal (issue 11): p99 < 5 ms.
2. **stall**: a steady writer submits orders through the sequencer, first alone, then
   with readers issuing positions reads back to back. An in-process request never
   suspends, so each read's server time is exactly how long it held the event loop, and
   with it the sequencer: its p99 / max is the stall reads cause. Goal: no stall > 1 ms.
3. **upkeep**: what keeping the read side's indexes costs per command, from replaying the
   setup's command stream through a bare engine with and without ``LiveIndex.on_applied``.

Times are printed as CPU time of the event loop's thread (``time.thread_time``) beside
wall time where both matter: on a shared machine the wall clock also counts the time the
OS gave the core to other processes, which no code of ours can stall or shorten.

For scale, (1) also times the read as it was before the read side existed: a sort and
scan of every user's positions in engine memory.

Usage: .venv/bin/python -m bench.reads [--users N] [--positions N] [--requests N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from augury.api.app import create_app
from augury.api.auth import generate_key_pair, signing_headers
from augury.api.context import Context
from augury.api.settings import Settings
from augury.engine import commands as c
from augury.engine.exchange import Exchange
from augury.queries import LiveIndex
from augury.runtime.clock import SystemClock

MARKETS = 100
V2 = "/trade-api/v2"
PATH = f"{V2}/portfolio/positions"
READERS = 20  # users with keys


def catalog() -> list[c.Single]:
    out: list[c.Single] = [c.AddSeries(ticker="R", fee_type="quadratic", fee_multiplier_e4=10_000)]
    for e in range(MARKETS // 10):
        out.append(c.AddEvent(event_ticker=f"R-E{e}", series_ticker="R"))
        out += [
            c.AddMarket(
                ticker=f"R-E{e}-M{m}",
                event_ticker=f"R-E{e}",
                open_ts_ns=0,
                close_ts_ns=2**62,
            )
            for m in range(10)
        ]
    return out


def population(users: int, positions: int) -> list[list[c.Single]]:
    """Batches that give ``users`` users ``positions`` open YES positions in all."""
    per_user = max(1, positions // users)
    per_market = -(-users * per_user // MARKETS)
    batches: list[list[c.Single]] = [catalog()]
    maker: list[c.Single] = [
        c.CreateUser(user_id="mm", name="maker"),
        c.Deposit(user_id="mm", amount_cc=10**13),
    ]
    maker += [
        c.PlaceOrder(
            user_id="mm",
            ticker=_ticker(m),
            side="ask",
            price_cc=5_000,
            count_c=(per_market + 10) * 100,
            time_in_force="good_till_canceled",
        )
        for m in range(MARKETS)
    ]
    batches.append(maker)
    rng = random.Random(1)
    for start in range(0, users, 500):
        batch: list[c.Single] = []
        for u in range(start, min(users, start + 500)):
            user = f"u{u}"
            batch.append(c.CreateUser(user_id=user, name=user))
            batch.append(c.Deposit(user_id=user, amount_cc=1_000_000))
            for m in rng.sample(range(MARKETS), per_user):
                batch.append(
                    c.PlaceOrder(
                        user_id=user,
                        ticker=_ticker(m),
                        side="bid",
                        price_cc=5_000,
                        count_c=100,
                        time_in_force="immediate_or_cancel",
                    )
                )
        batches.append(batch)
    return batches


def _ticker(m: int) -> str:
    return f"R-E{m // 10}-M{m % 10}"


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


class Bench:
    def __init__(self, context: Context, app: Any) -> None:
        self.context = context
        self.app = app
        self.keys: list[tuple[str, str]] = []
        self.cpu: list[float] = []  # each read's server CPU time

    async def build(self, users: int, positions: int) -> float:
        started = time.perf_counter()
        for batch in population(users, positions):
            outcome = await self.context.submit(c.Batch.of(batch))
            refused = [r.reject for r in outcome.value if r.reject is not None]
            assert not refused, refused[:3]
        for n in range(READERS):
            private_pem, public_pem = generate_key_pair("ed25519")
            key_id = f"reader-{n}"
            await self.context.submit(
                c.RegisterApiKey(
                    api_key_id=key_id,
                    user_id=f"u{n * (users // READERS)}",
                    name=key_id,
                    public_key_pem=public_pem,
                    key_type="ed25519",
                    scopes=["read", "write"],
                )
            )
            self.keys.append((key_id, private_pem))
        return time.perf_counter() - started

    async def read(self, key: tuple[str, str]) -> None:
        """Send one signed read into the app; record its server CPU time in ``cpu``."""
        signed = signing_headers(key[1], key[0], "GET", PATH, time.time_ns() // 1_000_000)
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": PATH,
            "raw_path": PATH.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(k.lower().encode(), v.encode()) for k, v in signed.items()],
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
            "app": self.app,
        }
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        started = time.thread_time()
        await self.app(scope, receive, send)
        self.cpu.append(time.thread_time() - started)
        assert sent[0]["status"] == 200, sent
        assert b'"market_positions":[{' in sent[1]["body"], "the reader holds positions"


async def _writer(context: Context, stop: asyncio.Event, latencies: list[float]) -> None:
    rng = random.Random(2)
    while not stop.is_set():
        started = time.perf_counter()
        await context.submit(
            c.PlaceOrder(
                user_id="mm",
                ticker=_ticker(rng.randrange(MARKETS)),
                side="bid",
                price_cc=100 * rng.randint(1, 40),
                count_c=100,
                time_in_force="immediate_or_cancel",
            )
        )
        latencies.append(time.perf_counter() - started)


async def stall_phase(
    bench: Bench, seconds: float, readers: int
) -> tuple[list[float], list[float]]:
    """Run the writer (and ``readers`` readers); return the writes' latencies and the
    reads' server CPU times."""
    stop = asyncio.Event()
    writes: list[float] = []
    bench.cpu.clear()

    async def reader(n: int) -> None:
        key = bench.keys[n % len(bench.keys)]
        while not stop.is_set():
            await bench.read(key)
            # An in-process request never suspends (nothing in it waits on I/O), so
            # without this a reader would hold the loop for good; over a socket each
            # request arrives in a loop pass of its own, as here.
            await asyncio.sleep(0)

    tasks = [asyncio.create_task(_writer(bench.context, stop, writes))]
    tasks += [asyncio.create_task(reader(n)) for n in range(readers)]
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.gather(*tasks)
    return writes, list(bench.cpu)


def scan_all_positions(exchange: Exchange, user_id: str) -> int:
    """The positions read before the read side: sort every user's positions, keep one's."""
    return sum(
        1
        for (user, sub, _ticker), _position in sorted(exchange.ledger.positions.items())
        if user == user_id and sub == 0
    )


def upkeep(batches: list[list[c.Single]]) -> tuple[float, float, int]:
    commands = [item for batch in batches for item in batch]

    def run(with_index: bool) -> float:
        exchange = Exchange("augury")
        index = LiveIndex("augury")
        started = time.process_time()
        for seq, command in enumerate(commands, 1):
            outcome = exchange.apply(command, seq)
            if with_index:
                index.on_applied(seq, command, outcome)
        return time.process_time() - started

    # The collector off: its passes walk every live object, and the indexed run keeps
    # more alive, so they would charge the engine's own objects to the index. (The server
    # freezes its recovered state and collects rarely: runtime/boot.py.)
    gc.disable()
    try:
        bare = min(run(False) for _ in range(3))
        indexed = min(run(True) for _ in range(3))
    finally:
        gc.enable()
    return bare, indexed, len(commands)


async def main(users: int, positions: int, requests: int, seconds: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), db_url="sqlite://", rate_limits=False)
        app = create_app(settings, SystemClock())
        async with app.router.lifespan_context(app):
            context: Context = app.state.context
            bench = Bench(context, app)
            built = await bench.build(users, positions)
            # Let the history writer catch up first (its thread would compete for the
            # interpreter), and freeze what was built, as a restart does after recovery
            # (runtime/boot.py): otherwise a full collection over the millions of objects
            # just made lands in some request.
            await context.runtime.history.drain()
            gc.collect()
            gc.freeze()
            held = sum(
                len(context.queries.positions(f"u{u}", limit=1000).items)
                for u in range(0, users, max(1, users // 100))
            )
            print(
                f"built {users:,} users and {positions:,} positions in {built:.1f}s "
                f"(a sampled user holds {held / min(users, 100):.1f} positions)"
            )
            rng = random.Random(3)
            for _ in range(50):  # warm up
                await bench.read(rng.choice(bench.keys))
            bench.cpu.clear()
            for _ in range(requests):
                await bench.read(rng.choice(bench.keys))
            cpu = bench.cpu
            print(
                f"(1) GET /portfolio/positions x{requests}, server CPU: "
                f"p50 {_ms(statistics.median(cpu))}  p99 {_ms(_percentile(cpu, 0.99))}  "
                f"max {_ms(max(cpu))} (goal p99 < 5 ms)"
            )
            exchange = context.runtime.exchange
            scans = []
            for _ in range(5):
                started = time.thread_time()
                scan_all_positions(exchange, "u0")
                scans.append(time.thread_time() - started)
            print(
                f"    before the read side (sort and scan every position): "
                f"median {_ms(statistics.median(scans))} CPU per request"
            )
            writes, steps = await stall_phase(bench, seconds, readers=4)
            print(
                f"(2) {len(steps):,} reads beside {len(writes):,} sequenced commands in "
                f"{seconds:.0f}s: each read held the loop (server CPU) "
                f"p50 {_ms(statistics.median(steps))} p99 {_ms(_percentile(steps, 0.99))} "
                f"max {_ms(max(steps))} (goal: no stall > 1 ms)"
            )
    bare, indexed, count = upkeep(population(users, positions))
    per = (indexed - bare) / count * 1e6
    print(
        f"(3) index upkeep: {count:,} commands in {bare:.2f}s bare, {indexed:.2f}s with the "
        f"live index (CPU): +{per:.2f} us per command ({(indexed / bare - 1) * 100:.0f}%)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--positions", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(args.users, args.positions, args.requests, args.seconds))
