"""REST through the real server: signed durable V2 orders/s and latency, beside the ceilings.

Setup: ``augury serve`` (subprocess, durable SQLite journal, rate limits off unless
``--rate-limits on``) with a few markets and N funded users, each with an Ed25519 API
key made through the admin API. A
load generator runs in its own process (``--procs`` of them if one cannot saturate):
asyncio (uvloop when installed) and one ``httpx.AsyncClient`` with ``--connections``
keep-alive connections, so the generator never shares the server's interpreter.

Phases, all in one run so the figures can be read against each other:

(a) ceilings. First the generator alone: the CPU it spends per order request building the
    path, the JSON body and the three signed ``KALSHI-ACCESS-*`` headers (Ed25519, and
    RSA-2048 for comparison; signing happens just before each send, so timestamps are
    always fresh inside the server's ±30 s window). Then unsigned
    ``GET /exchange/status``, closed loop with every connection busy: the throughput of
    generator + HTTP stack with no auth and no journal, the honest upper bound for (b).
(b) maximum signed durable order throughput, closed loop: every connection sends one
    request after another, half ``POST /portfolio/events/orders`` (a resting GTC order
    at a price that never crosses) and half ``DELETE /portfolio/events/orders/{id}`` of
    an earlier order of the same user. Each request is one journaled command.
(c) open loop at a fixed rate (default 1,000 orders/s): request i is *scheduled* at
    ``t0 + i / rate`` and its latency is measured from that scheduled time, not from
    when a connection became free, so a stalled server shows up in the percentiles
    instead of slowing the load down (no coordinated omission).

Beside each figure: the CPU the server (all threads, and its event-loop thread alone) and
the generator(s) used, from /proc; the share of time the event-loop thread was runnable
but waiting for a CPU ("srv-starved": other processes on this shared host); and "others",
the CPU the rest of the host used meanwhile (from /proc/stat, in cores). Prints the load
average; asserts nothing.

    .venv/bin/python -m bench.rest [--quick] [--connections 64] [--rate 1000] [--procs 1]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import multiprocessing as mp
import os
import random
import shutil
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from augury.api.auth import generate_key_pair, signing_headers
from bench.bench_server import start_bench_server
from bench.stamps import UniqueStamps

PREFIX = "/trade-api/v2"
ORDERS = f"{PREFIX}/portfolio/events/orders"
STATUS = f"{PREFIX}/exchange/status"
TICK_S = os.sysconf("SC_CLK_TCK")
GOAL_MAX = 2000  # signed durable orders/s
GOAL_P99_MS = 20.0  # p99 at the open-loop rate


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK_S


def thread_cpu_seconds(pid: int) -> float:
    """CPU seconds of the process's main thread (the server's event loop)."""
    return cpu_seconds_at(f"/proc/{pid}/task/{pid}/stat")


def cpu_seconds_at(stat: str) -> float:
    fields = Path(stat).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK_S


def wait_seconds(pid: int) -> float:
    """Seconds the main thread was runnable but waiting for a CPU."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9


def host_busy_seconds() -> float:
    """CPU seconds all processes on the host have used (user + nice + system + irq)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    return sum(int(fields[i]) for i in (0, 1, 2, 5, 6)) / TICK_S


def percentile(sorted_ms: list[float], q: float) -> float:
    if not sorted_ms:
        return float("nan")
    return sorted_ms[min(len(sorted_ms) - 1, int(q * len(sorted_ms)))]


# --- the load generator process -------------------------------------------------------------


class RawConn:
    """One keep-alive HTTP/1.1 connection: write a request, read status + Content-Length body.

    httpx's AsyncClient spent milliseconds of CPU per request with 64 connections here
    (pool bookkeeping), so it measured itself; this is the minimum a client must do.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = [f"{method} {path} HTTP/1.1", f"host: {self.host}:{self.port}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        if body is not None:
            head.append(f"content-length: {len(body)}")
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + (body or b""))
        raw = await self.reader.readuntil(b"\r\n\r\n")
        status = int(raw[9:12])
        lower = raw.lower()
        at = lower.find(b"content-length:")
        if at < 0:
            raise RuntimeError(f"response without content-length: {raw[:200]!r}")
        length = int(lower[at + 15 : lower.find(b"\r\n", at)])
        data = await self.reader.readexactly(length) if length else b""
        if b"connection: close" in lower:
            self.writer.close()
            self.writer = None
        return status, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


class Trader:
    """One user: its key, its resting orders, and how to build its next signed request."""

    def __init__(self, key_id: str, pem: str, markets: list[str], seed: int) -> None:
        self.key_id = key_id
        self.pem = pem
        self.markets = markets
        self.rng = random.Random(seed)
        self.resting: collections.deque[str] = collections.deque()
        self.place_next = True
        self.stamps = UniqueStamps()  # one key, many requests per ms: no repeated stamp

    def order_body(self) -> bytes:
        rng = self.rng
        bid = rng.random() < 0.5
        price = rng.randint(1, 49) if bid else rng.randint(51, 99)
        return json.dumps(
            {
                "ticker": rng.choice(self.markets),
                "side": "bid" if bid else "ask",
                "price": f"0.{price:02d}",
                "count": str(rng.randint(1, 5)),
                "time_in_force": "good_till_canceled",
                "self_trade_prevention_type": "taker_at_cross",
            }
        ).encode()

    def next_request(self) -> tuple[str, str, bytes | None, dict[str, str]]:
        """Alternate place and cancel (cancel the oldest resting order; place if none)."""
        if self.place_next or not self.resting:
            method, path, body = "POST", ORDERS, self.order_body()
            self.place_next = False
        else:
            method, path, body = "DELETE", f"{ORDERS}/{self.resting.popleft()}", None
            self.place_next = True
        headers = signing_headers(self.pem, self.key_id, method, path, self.stamps.next())
        if body is not None:
            headers["content-type"] = "application/json"
        return method, path, body, headers


def generator_main(
    pipe: Connection,
    url: str,
    users: list[tuple[str, str]],
    markets: list[str],
    conns: int,
    client: str,
) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(_generator(pipe, url, users, markets, conns, client))


def _signing_cost(traders: list[Trader]) -> dict[str, float]:
    """Microseconds of generator CPU to build + sign one order request (no I/O)."""
    out: dict[str, float] = {}
    trader = Trader(traders[0].key_id, traders[0].pem, traders[0].markets, 1)
    trader.resting.extend(f"id-{i}" for i in range(10_000))
    n = 4000
    t0 = time.process_time()
    for _ in range(n):
        trader.next_request()
    out["ed25519"] = (time.process_time() - t0) / n * 1e6
    rsa_pem, _ = generate_key_pair("rsa")
    n = 200
    t0 = time.process_time()
    for i in range(n):
        signing_headers(rsa_pem, "k", "POST", ORDERS, int(time.time() * 1000) + i)
    out["rsa2048"] = (time.process_time() - t0) / n * 1e6
    return out


class HttpxConn:
    """The same interface over one shared ``httpx.AsyncClient`` (``--client httpx``)."""

    def __init__(self, http: Any) -> None:
        self.http = http

    async def request(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        response = await self.http.request(method, path, content=body, headers=headers)
        return response.status_code, response.content

    def close(self) -> None:
        pass


async def _generator(
    pipe: Connection,
    url: str,
    users: list[tuple[str, str]],
    markets: list[str],
    conns: int,
    client: str,
) -> None:
    host, port = url.removeprefix("http://").split(":")
    pool: asyncio.Queue[RawConn | HttpxConn] = asyncio.Queue()
    http: Any = None
    if client == "httpx":
        import httpx

        http = httpx.AsyncClient(
            base_url=url,
            timeout=60,
            limits=httpx.Limits(max_connections=conns, max_keepalive_connections=conns),
        )
    for _ in range(conns):
        pool.put_nowait(HttpxConn(http) if http is not None else RawConn(host, int(port)))
    traders = [Trader(k, p, markets, i) for i, (k, p) in enumerate(users)]
    loop = asyncio.get_running_loop()
    errors: collections.Counter[str] = collections.Counter()

    async def order(trader: Trader) -> bool:
        # Sign only once a connection is free, so the timestamp is fresh when sent.
        conn = await pool.get()
        try:
            method, path, body, headers = trader.next_request()
            status, data = await conn.request(method, path, body, headers)
        finally:
            pool.put_nowait(conn)
        if method == "POST":
            if status == 201:
                trader.resting.append(json.loads(data)["order_id"])
                return True
        elif status == 200:
            return True
        errors[f"{method} {status} {data[:120].decode(errors='replace')}"] += 1
        return False

    async def exchange_status(_: Trader) -> bool:
        conn = await pool.get()
        try:
            status, _data = await conn.request("GET", STATUS, None, {})
        finally:
            pool.put_nowait(conn)
        return status == 200

    async def closed(kind: str, warmup: float, window: float) -> dict[str, Any]:
        """Every connection busy; count completions and latencies inside the window."""
        call = exchange_status if kind == "status" else order
        t_start = time.monotonic()
        t_window, t_end = t_start + warmup, t_start + warmup + window
        lat: list[float] = []
        bad = 0
        cpu0 = [0.0]

        async def worker(i: int) -> None:
            nonlocal bad
            trader = traders[i % len(traders)]
            while True:
                t0 = time.monotonic()
                if t0 >= t_end:
                    return
                ok = await call(trader)
                t1 = time.monotonic()
                if t0 >= t_window:
                    lat.append((t1 - t0) * 1000)
                    bad += not ok

        async def mark() -> None:
            await asyncio.sleep(warmup)
            cpu0[0] = cpu_seconds(os.getpid())

        await asyncio.gather(mark(), *(worker(i) for i in range(conns)))
        cpu = cpu_seconds(os.getpid()) - cpu0[0]
        return {"lat": lat, "bad": bad, "cpu": cpu / window, "window": window}

    async def open_loop(rate: float, warmup: float, window: float) -> dict[str, Any]:
        """Request i scheduled at t0 + i/rate; latency from the schedule, not the send."""
        t_start = time.monotonic()
        t_window, t_end = t_start + warmup, t_start + warmup + window
        lat: list[float] = []
        bad = 0
        late = 0.0  # worst lag of the dispatcher itself behind the schedule
        tasks: set[asyncio.Task[None]] = set()
        cpu0 = 0.0

        async def one(trader: Trader, due: float) -> None:
            nonlocal bad
            ok = await order(trader)
            if due >= t_window:
                lat.append((time.monotonic() - due) * 1000)
                bad += not ok

        i = 0
        while True:
            now = time.monotonic()
            if now >= t_end:
                break
            if not cpu0 and now >= t_window:
                cpu0 = cpu_seconds(os.getpid())
            due = t_start + i / rate
            if due > now:
                await asyncio.sleep(due - now)
                continue
            late = max(late, now - due) if due >= t_window else late
            task = loop.create_task(one(traders[i % len(traders)], due))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            i += 1
        cpu = cpu_seconds(os.getpid()) - cpu0
        if tasks:
            await asyncio.wait(tasks)
        return {"lat": lat, "bad": bad, "cpu": cpu / window, "window": window, "late": late}

    while True:
        message = await loop.run_in_executor(None, pipe.recv)
        if message == "stop":
            while not pool.empty():
                pool.get_nowait().close()
            if http is not None:
                await http.aclose()
            return
        phase, args = message
        if phase == "sign":
            pipe.send(_signing_cost(traders))
            continue
        if phase == "open":
            result = await open_loop(*args)
        else:
            result = await closed(phase, *args)
        result["errors"] = dict(errors.most_common(3))
        errors.clear()
        pipe.send(result)


# --- the driver -------------------------------------------------------------------------------


class Fleet:
    """The generator processes; a phase runs on all of them at once."""

    def __init__(self, procs: list[tuple[Any, Connection]], server_pid: int) -> None:
        self.procs = procs
        self.server_pid = server_pid

    def run(self, phase: str, args: tuple[Any, ...], warmup: float) -> dict[str, Any]:
        for _, pipe in self.procs:
            pipe.send((phase, args))
        time.sleep(warmup)
        t0 = time.monotonic()
        s0, w0 = cpu_seconds(self.server_pid), wait_seconds(self.server_pid)
        h0, m0 = host_busy_seconds(), thread_cpu_seconds(self.server_pid)
        results = [pipe.recv() for _, pipe in self.procs]
        # The generator replies after the window and after draining in-flight requests;
        # the server's CPU over that span is a close (slightly high) share of the window.
        span = time.monotonic() - t0
        host = (host_busy_seconds() - h0) / span
        lat = sorted(x for r in results for x in r["lat"])
        errors: dict[str, int] = {}
        for r in results:
            for k, v in r["errors"].items():
                errors[k] = errors.get(k, 0) + v
        return {
            "rate": len(lat) / results[0]["window"],
            "p50": percentile(lat, 0.5),
            "p99": percentile(lat, 0.99),
            "max": lat[-1] if lat else float("nan"),
            "bad": sum(r["bad"] for r in results),
            "gen_cpu": sum(r["cpu"] for r in results),
            "srv_cpu": (srv := (cpu_seconds(self.server_pid) - s0) / span),
            "srv_main": (thread_cpu_seconds(self.server_pid) - m0) / span,
            "others": max(0.0, host - srv - sum(r["cpu"] for r in results)),
            "srv_wait": (wait_seconds(self.server_pid) - w0) / span,
            "late": max((r.get("late", 0.0) for r in results), default=0.0),
            "errors": errors,
        }


def line(name: str, r: dict[str, Any], unit: str, goal: str) -> str:
    return (
        f"{name:<34} {r['rate']:>8,.0f} {unit:<9} p50 {r['p50']:>6.1f} ms  p99 {r['p99']:>6.1f} ms"
        f"  max {r['max']:>6.1f} ms  cpu srv {r['srv_cpu']:>4.0%} (loop {r['srv_main']:>4.0%})"
        f" gen {r['gen_cpu']:>4.0%}"
        f" others {r['others']:>4.0%}  srv-starved {r['srv_wait']:>4.0%}  {goal}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="short windows (about 25 s)")
    parser.add_argument("--connections", type=int, default=64, help="per generator process")
    parser.add_argument("--procs", type=int, default=1, help="generator processes")
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument(
        "--client", choices=["raw", "httpx"], default="raw", help="HTTP client of the generator"
    )
    parser.add_argument("--markets", type=int, default=4)
    parser.add_argument("--rate", type=float, default=1000.0, help="open-loop orders/s")
    parser.add_argument("--seconds", type=float, default=10.0, help="window per phase")
    parser.add_argument(
        "--rate-limits",
        choices=["on", "off"],
        default="off",
        help="the server's limiter (on: every user at the default prestige tier)",
    )
    args = parser.parse_args()
    warmup, window = (1.0, 3.0) if args.quick else (2.0, args.seconds)

    server, markets, tmp = start_bench_server(
        "RSB", args.markets, rate_limits=args.rate_limits == "on"
    )
    procs: list[tuple[Any, Connection]] = []
    try:
        users = [
            server.user(f"trader{i}", "100000000", key_type="ed25519") for i in range(args.users)
        ]
        assert server.proc is not None
        ctx = mp.get_context("spawn")
        for p in range(args.procs):
            mine = users[p :: args.procs] or users
            pipe, child = ctx.Pipe()
            proc = ctx.Process(
                target=generator_main,
                args=(child, server.url, mine, markets, args.connections, args.client),
            )
            proc.start()
            procs.append((proc, pipe))
        fleet = Fleet(procs, server.proc.pid)
        print(
            f"server pid {server.proc.pid}; {os.cpu_count()} CPUs; "
            f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        print(
            f"{args.procs} generator process(es) x {args.connections} keep-alive connections "
            f"({args.client} client), {args.users} users with Ed25519 keys, "
            f"{args.markets} markets, rate limits {args.rate_limits}; "
            f"windows {window:g} s after {warmup:g} s warm-up"
        )

        procs[0][1].send(("sign", ()))
        sign = procs[0][1].recv()
        print(
            f"\n(a) generator: build + sign one order request {sign['ed25519']:.0f} us CPU "
            f"(Ed25519; RSA-2048 signing alone {sign['rsa2048']:.0f} us)"
        )
        results: list[tuple[str, dict[str, Any], str, str]] = []
        ceiling = fleet.run("status", (warmup, window), warmup)
        results.append(("(a) GET /exchange/status unsigned", ceiling, "req/s", "(ceiling)"))
        print(line(*results[-1]))
        peak = fleet.run("orders", (warmup, window), warmup)
        ok = "met" if peak["rate"] >= GOAL_MAX else "NOT met"
        results.append(
            ("(b) signed orders, closed loop", peak, "orders/s", f"goal >= {GOAL_MAX:,}: {ok}")
        )
        print(line(*results[-1]))
        rate = args.rate / args.procs
        fixed = fleet.run("open", (rate, warmup, window), warmup)
        ok = "met" if fixed["p99"] < GOAL_P99_MS else "NOT met"
        results.append(
            (
                f"(c) signed orders, open loop {args.rate:,.0f}/s",
                fixed,
                "orders/s",
                f"goal p99 < {GOAL_P99_MS:g} ms: {ok}",
            )
        )
        print(line(*results[-1]))
        print(
            f"    open-loop dispatcher's worst lag behind schedule: {fixed['late'] * 1000:.1f} ms"
        )
        for _, r, _, _ in results:
            if r["bad"] or r["errors"]:
                print(f"    failed requests: {r['bad']}; {r['errors']}")

        gen_per_req = ceiling["gen_cpu"] / ceiling["rate"] * 1e6 if ceiling["rate"] else 0
        gen_per_order = peak["gen_cpu"] / peak["rate"] * 1e6 if peak["rate"] else 0
        srv_per_order = peak["srv_cpu"] / peak["rate"] * 1e6 if peak["rate"] else 0
        loop_per_order = peak["srv_main"] / peak["rate"] * 1e6 if peak["rate"] else 0
        print("\nsummary")
        print(f"  load average now      {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(
            f"  server ceiling        {ceiling['rate']:>8,.0f} req/s unsigned GET status "
            f"(generator {gen_per_req:.0f} us CPU/request)"
        )
        print(
            f"  max signed orders/s   {peak['rate']:>8,.0f}  (goal >= {GOAL_MAX:,})  "
            f"p50 {peak['p50']:.1f} ms p99 {peak['p99']:.1f} ms; server {srv_per_order:.0f} us "
            f"(event loop {loop_per_order:.0f} us), "
            f"generator {gen_per_order:.0f} us CPU/order"
        )
        print(
            f"  at {args.rate:,.0f} orders/s         p50 {fixed['p50']:.1f} ms  p99 "
            f"{fixed['p99']:.1f} ms  (goal p99 < {GOAL_P99_MS:g} ms)  achieved "
            f"{fixed['rate']:,.0f}/s"
        )
        bound = "generator" if peak["gen_cpu"] >= 0.9 * args.procs else "server/host"
        print(
            f"  (b) limited by        {bound} (generator CPU {peak['gen_cpu']:.0%} of "
            f"{args.procs} core(s), server CPU {peak['srv_cpu']:.0%})"
        )
    finally:
        for _, pipe in procs:
            with contextlib.suppress(OSError):
                pipe.send("stop")
        for proc, _ in procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.terminate()
        server.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
