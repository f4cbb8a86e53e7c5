"""WebSocket fan-out through the real server: deltas/s delivered and engine-to-client delay.

Setup: ``augury serve`` (subprocess, SQLite journal with synchronous=FULL, rate limits
off) with a few markets. N WebSocket connections (default 1,000), all authenticated and
subscribed to ``orderbook_delta`` on the same market set, live in separate client
process(es) so they do not share the server's interpreter. A load generator process
drives orders through the real REST API (signed V2 batch create + batch cancel, 20
orders per request by default, prices that never cross), so every order and every cancel
is one ``BookDelta`` in the engine and one ``orderbook_delta`` per connection.

For each target rate the generator runs a warm-up and then a measured window. Reported:

- engine deltas/s the generator really achieved (and, once at the start without any
  subscriber, the ceiling of generator + server: the honest upper bound of the load);
- deliveries/s counted by the clients (every ``orderbook_delta`` frame they parsed) and
  the ratio to ``engine deltas/s x connections``;
- p50 / p99 / max delay from the delta's engine time (its ``ts_ms``, stamped by the
  sequencer before the journal commit) to the client's receipt (wall clock, same host;
  ``ts_ms`` is truncated to the millisecond, so delays carry up to 1 ms of rounding);
- CPU used by the server, the generator and the clients (from /proc) during the window,
  the share of the window the server's event-loop thread was runnable but waiting for a
  CPU ("srv-starved", from /proc/<pid>/schedstat: other processes on the host), and the
  server CPU per delivery (everything the server did, HTTP and journal included).

The clients are minimal hand-written WebSocket readers (one asyncio Protocol per
connection, frame headers parsed in Python, ``ts_ms`` found with ``bytes.find``): a
full client library costs ~10 us per message and would measure itself, not the server.

    .venv/bin/python -m bench.ws [--connections 1000] [--rates 50,100,250,500,1000] [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import multiprocessing as mp
import os
import random
import shutil
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, cast

from augury.api.auth import signing_headers
from bench.bench_server import start_bench_server
from bench.stamps import UniqueStamps

WS_PATH = "/trade-api/ws/v2"
BUCKET_MS = 0.5  # latency histogram resolution
BUCKETS = 40_000  # up to 20 s
TICK_S = os.sysconf("SC_CLK_TCK")


def schedstat(pid: int) -> tuple[float, float]:
    """Seconds the main thread ran, and seconds it was runnable but waiting for a CPU."""
    run_ns, wait_ns, _ = Path(f"/proc/{pid}/schedstat").read_text().split()
    return int(run_ns) / 1e9, int(wait_ns) / 1e9


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK_S


# --- the client process ---------------------------------------------------------------------


class Stats:
    """Per-second delivery counts and a latency histogram per second of receipt."""

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self.hists: dict[int, list[int]] = {}


class Feed(asyncio.Protocol):
    """A minimal WebSocket client: handshake, subscribe, count deltas, answer pings."""

    def __init__(self, stats: Stats, request: bytes, subscribe: bytes, ready: asyncio.Future[None]):
        self.stats = stats
        self.request = request
        self.subscribe = subscribe
        self.ready = ready
        self.buf = b""
        self.open = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A TCP connection. Typed by a cast, not an isinstance check: uvloop's TCPTransport
        # is not a subclass of asyncio.Transport, and the check refused every connection.
        self.transport = cast(asyncio.Transport, transport)
        self.transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.ready.done():
            self.ready.set_exception(ConnectionError(f"closed during setup: {exc}"))

    def data_received(self, data: bytes) -> None:
        now_ms = time.time() * 1000.0
        buf = self.buf + data if self.buf else data
        if not self.open:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                self.buf = buf
                return
            if not buf.startswith(b"HTTP/1.1 101"):
                self.ready.set_exception(ConnectionError(buf[:200].decode(errors="replace")))
                return
            self.open = True
            assert self.transport is not None
            self.transport.write(masked(0x1, self.subscribe))
            buf = buf[end + 4 :]
        self.buf = self.parse(buf, now_ms)

    def parse(self, buf: bytes, now_ms: float) -> bytes:
        stats = self.stats
        second = int(now_ms // 1000)
        n_deltas = 0
        hist = stats.hists.get(second)
        if hist is None:
            hist = stats.hists[second] = [0] * BUCKETS
        pos, size = 0, len(buf)
        while size - pos >= 2:
            opcode = buf[pos] & 0x0F
            n = buf[pos + 1] & 0x7F
            head = 2
            if n == 126:
                if size - pos < 4:
                    break
                n = int.from_bytes(buf[pos + 2 : pos + 4], "big")
                head = 4
            elif n == 127:
                if size - pos < 10:
                    break
                n = int.from_bytes(buf[pos + 2 : pos + 10], "big")
                head = 10
            start, end = pos + head, pos + head + n
            if end > size:
                break
            if opcode == 0x1:
                if buf.startswith(b'{"type":"orderbook_delta"', start):
                    n_deltas += 1
                    at = buf.find(b'"ts_ms":', start, end)
                    ts_ms = int(buf[at + 8 : buf.find(b"}", at, end)])
                    bucket = int((now_ms - ts_ms) / BUCKET_MS)
                    hist[
                        bucket if 0 <= bucket < BUCKETS else (0 if bucket < 0 else BUCKETS - 1)
                    ] += 1
                elif not self.ready.done() and buf.startswith(
                    b'{"id":1,"type":"subscribed"', start
                ):
                    self.ready.set_result(None)
            elif opcode == 0x9:  # ping: answer with the same payload
                assert self.transport is not None
                self.transport.write(masked(0xA, buf[start:end]))
            pos = end
        if n_deltas:
            stats.counts[second] = stats.counts.get(second, 0) + n_deltas
        return buf[pos:]


def masked(opcode: int, payload: bytes) -> bytes:
    mask = os.urandom(4)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    else:
        head = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
    return head + mask + body


def client_main(
    pipe: Connection,
    port: int,
    key_id: str,
    pem: str,
    n: int,
    markets: list[str],
    slot: tuple[int, int] = (0, 1),
) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(_clients(pipe, port, key_id, pem, n, markets, slot))


async def _clients(
    pipe: Connection,
    port: int,
    key_id: str,
    pem: str,
    n: int,
    markets: list[str],
    slot: tuple[int, int],
) -> None:
    loop = asyncio.get_running_loop()
    stats = Stats()
    # The client processes share one key: each keeps to its own timestamps.
    stamps = UniqueStamps(*slot)
    subscribe = json.dumps(
        {
            "id": 1,
            "cmd": "subscribe",
            "params": {"channels": ["orderbook_delta"], "market_tickers": markets},
        }
    ).encode()

    async def one() -> None:
        headers = signing_headers(pem, key_id, "GET", WS_PATH, stamps.next())
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET {WS_PATH} HTTP/1.1",
            f"Host: 127.0.0.1:{port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
            *(f"{k}: {v}" for k, v in headers.items()),
        ]
        request = ("\r\n".join(lines) + "\r\n\r\n").encode()
        ready: asyncio.Future[None] = loop.create_future()
        await loop.create_connection(
            lambda: Feed(stats, request, subscribe, ready), "127.0.0.1", port
        )
        await asyncio.wait_for(ready, 60)

    for i in range(0, n, 50):
        await asyncio.gather(*(one() for _ in range(min(50, n - i))))
    pipe.send("ready")
    while True:
        if await loop.run_in_executor(None, pipe.poll, 0.2) and pipe.recv() == "report":
            pipe.send((stats.counts, stats.hists))
            return


# --- the load generator process -------------------------------------------------------------


def generator_main(
    pipe: Connection, url: str, key_id: str, pem: str, markets: list[str], batch: int
) -> None:
    asyncio.run(_generator(pipe, url, key_id, pem, markets, batch))


async def _generator(
    pipe: Connection, url: str, key_id: str, pem: str, markets: list[str], batch: int
) -> None:
    import httpx

    http = httpx.AsyncClient(base_url=url, timeout=60, limits=httpx.Limits(max_connections=16))
    rng = random.Random(7)
    resting: list[str] = []
    loop = asyncio.get_running_loop()

    stamps = UniqueStamps()  # one key, many requests per ms: no repeated stamp

    async def call(method: str, path: str, body: Any) -> httpx.Response:
        headers = signing_headers(pem, key_id, method, path, stamps.next())
        return await http.request(method, path, json=body, headers=headers)

    async def one_batch() -> int:
        """Create a batch, or cancel one when enough rest; return the deltas it made."""
        if (len(resting) >= 10 * batch and rng.random() < 0.5) or len(resting) >= 40 * batch:
            ids, resting[:batch] = resting[:batch], []
            body = {"orders": [{"order_id": i} for i in ids]}
            response = await call("DELETE", "/trade-api/v2/portfolio/events/orders/batched", body)
            return len(ids) if response.status_code == 200 else 0
        orders = []
        for _ in range(batch):
            bid = rng.random() < 0.5
            price = rng.randint(1, 49) if bid else rng.randint(51, 99)
            orders.append(
                {
                    "ticker": rng.choice(markets),
                    "side": "bid" if bid else "ask",
                    "price": f"0.{price:02d}",
                    "count": str(rng.randint(1, 5)),
                    "time_in_force": "good_till_canceled",
                    "self_trade_prevention_type": "taker_at_cross",
                }
            )
        response = await call(
            "POST", "/trade-api/v2/portfolio/events/orders/batched", {"orders": orders}
        )
        if response.status_code != 201:
            return 0
        made = [o["order_id"] for o in response.json()["orders"] if o.get("order_id")]
        resting.extend(made)
        return len(made)

    while True:
        message = await loop.run_in_executor(None, pipe.recv)
        if message == "stop":
            await http.aclose()
            return
        rate, warmup_s, window_s = message  # rate 0 = as fast as possible
        sent = 0
        inflight: set[asyncio.Task[int]] = set()
        t_start = time.monotonic()
        t_window = t_start + warmup_s
        t_end = t_window + window_s
        counted = 0
        requests = 0
        i = 0
        cpu0 = 0.0
        while True:
            now = time.monotonic()
            if now >= t_end:
                break
            if now >= t_window and not cpu0:
                cpu0 = cpu_seconds(os.getpid())
                counted = 0
                requests = 0
            due = t_start + i * batch / rate if rate else now
            if due > now:
                await asyncio.sleep(due - now)
                continue
            if len(inflight) >= 8:
                await asyncio.wait(inflight, return_when=asyncio.FIRST_COMPLETED)
                continue
            task = loop.create_task(one_batch())
            inflight.add(task)

            def done(
                t: asyncio.Task[int],
                inflight: set[asyncio.Task[int]] = inflight,
                t_window: float = t_window,
            ) -> None:
                nonlocal counted, sent, requests
                inflight.discard(t)
                sent += t.result()
                if time.monotonic() >= t_window:
                    counted += t.result()
                    requests += 1

            task.add_done_callback(done)
            i += 1
        if inflight:
            await asyncio.wait(inflight)
        cpu = cpu_seconds(os.getpid()) - cpu0
        pipe.send((counted / window_s, requests / window_s, cpu / window_s))


# --- the driver -------------------------------------------------------------------------------


def percentile(hist: list[int], q: float) -> float:
    total = sum(hist)
    if not total:
        return float("nan")
    target = q * total
    acc = 0
    for i, count in enumerate(hist):
        acc += count
        if acc >= target:
            return (i + 0.5) * BUCKET_MS
    return BUCKETS * BUCKET_MS


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--rates", default="50,100,250,500,1000", help="target engine deltas/s")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured window per rate")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--markets", type=int, default=4)
    parser.add_argument("--client-procs", type=int, default=1)
    parser.add_argument("--batch", type=int, default=20, help="orders per REST request (1-20)")
    args = parser.parse_args()
    rates = [int(r) for r in args.rates.split(",") if r]

    server, markets, tmp = start_bench_server("WSB", args.markets)
    maker = server.user("maker", "100000000", key_type="ed25519")
    watcher = server.user("watcher", "0", key_type="ed25519")
    assert server.proc is not None
    server_pid = server.proc.pid
    ctx = mp.get_context("spawn")
    gen_pipe, gen_child = ctx.Pipe()
    generator = ctx.Process(
        target=generator_main, args=(gen_child, server.url, *maker, markets, args.batch)
    )
    generator.start()
    print(f"server pid {server_pid}; {os.cpu_count()} CPUs; load average {os.getloadavg()}")
    print(f"load: V2 batch create/cancel, {args.batch} orders per request, one delta each")
    try:
        gen_pipe.send((0, 1.0, 3.0))
        ceiling, req_s, gen_cpu = gen_pipe.recv()
        print(
            f"load generator ceiling (no subscribers): {ceiling:,.0f} deltas/s "
            f"({req_s:,.0f} requests/s, generator CPU {gen_cpu:.0%})"
        )

        started = time.monotonic()
        clients = []
        per = [args.connections // args.client_procs] * args.client_procs
        per[0] += args.connections - sum(per)
        for i, n in enumerate(per):
            pipe, child = ctx.Pipe()
            slot = (i, args.client_procs)
            proc = ctx.Process(
                target=client_main, args=(child, server.port, *watcher, n, markets, slot)
            )
            proc.start()
            clients.append((proc, pipe))
        for _, pipe in clients:
            assert pipe.recv() == "ready"
        print(f"{args.connections} connections subscribed in {time.monotonic() - started:.1f}s")

        windows = []
        for rate in rates:
            gen_pipe.send((rate, args.warmup, args.seconds))
            time.sleep(args.warmup)
            t0 = time.time()
            s0 = cpu_seconds(server_pid)
            _, w0 = schedstat(server_pid)
            c0 = sum(cpu_seconds(p.pid) for p, _ in clients if p.pid)
            achieved, req_s, gen_cpu = gen_pipe.recv()
            t1 = time.time()
            s_cpu = (cpu_seconds(server_pid) - s0) / (t1 - t0)
            s_wait = (schedstat(server_pid)[1] - w0) / (t1 - t0)
            c_cpu = (sum(cpu_seconds(p.pid) for p, _ in clients if p.pid) - c0) / (t1 - t0)
            windows.append((rate, t0, t1, achieved, req_s, gen_cpu, s_cpu, s_wait, c_cpu))
            time.sleep(1.0)  # let the tail of this window drain before the next

        counts: dict[int, int] = {}
        hists: dict[int, list[int]] = {}
        for _, pipe in clients:
            pipe.send("report")
            c, h = pipe.recv()
            for sec, n in c.items():
                counts[sec] = counts.get(sec, 0) + n
            for sec, hist in h.items():
                into = hists.setdefault(sec, [0] * BUCKETS)
                for i, v in enumerate(hist):
                    if v:
                        into[i] += v
        print()
        print(
            f"{'target/s':>8} {'engine/s':>9} {'req/s':>6} {'delivered/s':>12} {'expected/s':>11}"
            f" {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>8}"
            f"  cpu: server gen clients  srv-starved  srv us/delivery"
        )
        for rate, t0, t1, achieved, req_s, gen_cpu, s_cpu, s_wait, c_cpu in windows:
            secs = [s for s in counts if int(t0) + 1 <= s < int(t1)]
            delivered = sum(counts[s] for s in secs) / max(1, len(secs))
            hist = [0] * BUCKETS
            for s in secs:
                for i, v in enumerate(hists.get(s, ())):
                    if v:
                        hist[i] += v
            expected = achieved * args.connections
            maximum = max((i for i, v in enumerate(hist) if v), default=0) * BUCKET_MS
            ratio = delivered / expected if expected else 0
            per_delivery_us = s_cpu / delivered * 1e6 if delivered else 0
            print(
                f"{rate:>8,} {achieved:>9,.0f} {req_s:>6,.0f} {delivered:>12,.0f}"
                f" {expected:>11,.0f} {ratio:>6.2f} {percentile(hist, 0.5):>7.1f}"
                f" {percentile(hist, 0.99):>7.1f} {maximum:>8.1f}  {s_cpu:>10.0%} {gen_cpu:>4.0%}"
                f" {c_cpu:>6.0%}  {s_wait:>11.0%}  {per_delivery_us:>15.1f}"
            )
    finally:
        gen_pipe.send("stop")
        generator.join(timeout=10)
        for proc, _ in clients if "clients" in locals() else []:
            proc.terminate()
            proc.join(timeout=10)
        server.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
