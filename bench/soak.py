"""Soak: honest traders keep trading while every hostile client of issue 10 attacks at once.

Setup: ``augury serve`` (subprocess, durable SQLite, its default limits, rate limits on at
the default tier) with four markets. Loopback only; every process is bounded in time.

Phases (wall clock, all processes share one schedule):

1. *baseline* (``--baseline`` s): honest traffic only. Four Ed25519 traders place and
   cancel orders open-loop at ``--rate`` requests/s from 127.0.0.1 (latency measured from
   each request's scheduled time, so a stalled server shows up in the percentiles).
2. *attack* (``--attack`` s): the same honest traffic, plus, each from its own address
   in 127.0.0.0/8 and its own process:
   - ``sockets``: ``--sockets`` idle, partial-head (trickling) and slow-body connections,
     reopened whenever the server closes one;
   - ``heads``: 60 MB headers trickled in 1 KB pieces; 9 KB request targets;
   - ``bodies``: 10 MB declared bodies, 1 MB chunked bodies, JSON nested 5,000 deep, an
     order whose ticker is 20 MB;
   - ``ws``: never-reading clients flooding pings, "subscriptions" to 10 MB tickers, and
     as many anonymous connections as it can open, none of them ever read;
   - ``auth``: bad signatures on an honest trader's key id, replays of a captured signed
     order, forged public GETs and 404 writes billed to nobody but the attacker;
   - ``rejects``: correctly signed orders the engine refuses (a market that does not
     exist, more than the balance).
3. *recovery* (``--recovery`` s): honest traffic only again.
4. *rejects only* (10 s, no honest traffic): the ``bodies``, ``auth`` and ``rejects``
   attacks alone, to measure the journal growth per rejected request (journal rows and
   payload bytes read from the SQLite file, read-only).
5. ``kill -9``, restart, and every order the honest traders saw acknowledged (201) must
   be listed again by ``GET /portfolio/orders``.

Printed: honest p50/p99/max and failures per phase; the server's RSS (``/proc/PID/statm``,
resident pages x page size) at the end of the baseline, its peak and mean during the
attack, at the end of the recovery, after the rejects phase and 12 s later with no
traffic (one ``malloc_trim`` interval), with the ratio to the baseline; where the
resident memory is at the end of each phase (``/proc/PID/smaps``: C heap, anonymous
mappings, files) beside what the server reports inside (``/metrics``: SQLite's memory,
Python's live small-object blocks); what each attack
did and what the server answered; journal growth per rejected request; lost acknowledged
orders. Asserts nothing.

    .venv/bin/python -m bench.soak [--baseline 30] [--attack 60] [--recovery 40] [--rate 100]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import itertools
import json
import multiprocessing as mp
import os
import random
import resource
import shutil
import signal
import socket
import sqlite3
import time
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from augury.api.auth import generate_key_pair, signing_headers
from bench.bench_server import start_bench_server
from bench.rest import RawConn, Trader, percentile
from bench.stamps import UniqueStamps

ORDERS = "/trade-api/v2/portfolio/events/orders"
WS_PATH = "/trade-api/ws/v2"
HOST = "127.0.0.1"
ADDRESSES = {
    "sockets": "127.0.0.2",
    "heads": "127.0.0.3",
    "bodies": "127.0.0.4",
    "ws": "127.0.0.5",  # anonymous connections hoarded
    "ws-flood": "127.0.0.8",  # never-reading ping flooders
    "ws-fake": "127.0.0.9",  # 10 MB "tickers"
    "auth": "127.0.0.6",
    "rejects": "127.0.0.7",
}


class Pace:
    """At most ``per_s`` iterations a second (an attack of a given intensity, not a flood
    of whatever the attacker's CPU can produce: that measures the attacker)."""

    def __init__(self, per_s: float) -> None:
        self.interval = 1.0 / per_s
        self.next = time.time()

    async def wait(self) -> None:
        self.next = max(self.next + self.interval, time.time() - 1.0)
        delay = self.next - time.time()
        if delay > 0:
            await asyncio.sleep(delay)


# --- honest traders ------------------------------------------------------------------------


def honest_main(
    pipe: Connection,
    port: int,
    users: list[tuple[str, str]],
    markets: list[str],
    rate: float,
    phases: list[tuple[str, float, float]],
) -> None:
    asyncio.run(_honest(pipe, port, users, markets, rate, phases))


async def _honest(
    pipe: Connection,
    port: int,
    users: list[tuple[str, str]],
    markets: list[str],
    rate: float,
    phases: list[tuple[str, float, float]],
) -> None:
    traders = [Trader(k, p, markets, i) for i, (k, p) in enumerate(users)]
    pool: asyncio.Queue[RawConn] = asyncio.Queue()
    for _ in range(8):
        pool.put_nowait(RawConn(HOST, port))
    lat: dict[str, list[float]] = collections.defaultdict(list)
    failed: collections.Counter[str] = collections.Counter()
    acked: list[tuple[int, str]] = []
    end = phases[-1][2]
    tasks: set[asyncio.Task[None]] = set()

    def phase_of(t: float) -> str:
        return next((name for name, a, b in phases if a <= t < b), "")

    async def one(index: int, trader: Trader, due: float) -> None:
        conn = await pool.get()
        try:
            method, path, body, headers = trader.next_request()
            status, data = await conn.request(method, path, body, headers)
        except Exception as exc:  # a broken connection: a failure the client sees
            status, data = 0, repr(exc).encode()
            conn.close()
            conn = RawConn(HOST, port)
        finally:
            pool.put_nowait(conn)
        name = phase_of(due)
        lat[name].append((time.time() - due) * 1000)
        if method == "POST" and status == 201:
            order_id = json.loads(data)["order_id"]
            trader.resting.append(order_id)
            acked.append((index, order_id))
        elif not (method == "DELETE" and status == 200):
            failed[f"{name} {method} {status} {data[:80]!r}"] += 1

    i = 0
    start = phases[0][1]
    while True:
        due = start + i / rate
        if due >= end:
            break
        delay = due - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        k = i % len(traders)
        task = asyncio.get_running_loop().create_task(one(k, traders[k], due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        i += 1
    await asyncio.gather(*tasks)
    pipe.send((dict(lat), dict(failed), acked))


# --- attackers -----------------------------------------------------------------------------


async def _open(port: int, source: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection(HOST, port, local_addr=(source, 0))


async def _drain_until_closed(reader: asyncio.StreamReader, limit_s: float) -> bytes:
    data = b""
    with contextlib.suppress(Exception):
        async with asyncio.timeout(limit_s):
            while chunk := await reader.read(65536):
                data += chunk
    return data


async def attack_sockets(port: int, until: float, count: Counter, n: int) -> None:
    source = ADDRESSES["sockets"]
    partial = b"GET /trade-api/v2/exchange/status HTTP/1.1\r\nhost: x\r\nx-slow: "
    # A body under the 64 KiB limit, so only its deadline can end it.
    slow = b"POST " + ORDERS.encode() + b" HTTP/1.1\r\nhost: x\r\ncontent-length: 60000\r\n\r\n{"

    async def hold(i: int) -> None:
        while time.time() < until:
            try:
                reader, writer = await _open(port, source)
            except OSError:
                count["connect failed"] += 1
                await asyncio.sleep(0.5)
                continue
            count["opened"] += 1
            await asyncio.sleep(0.2)  # reconnect at most five times a second per socket
            try:
                if i % 3 == 1:
                    writer.write(partial)
                elif i % 3 == 2:
                    writer.write(slow)
                while time.time() < until:
                    if i % 3 and not writer.is_closing():
                        writer.write(b"x")  # a byte every second keeps data flowing
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(1.0):
                            if not await reader.read(65536):
                                break
                            count["answered"] += 1
                count["closed by server"] += time.time() < until
            except OSError:
                count["closed by server"] += 1
            finally:
                writer.close()

    await asyncio.gather(*(hold(i) for i in range(n)))


async def attack_heads(port: int, until: float, count: Counter) -> None:
    source = ADDRESSES["heads"]
    piece = b"h" * 1024
    while time.time() < until:
        reader, writer = await _open(port, source)
        writer.write(b"GET /trade-api/v2/exchange/status HTTP/1.1\r\nhost: x\r\nx-big: ")
        sent = 0
        try:
            while sent < 60_000_000 and time.time() < until:
                writer.write(piece)
                sent += len(piece)
                await writer.drain()
                if sent % 16384 == 0:
                    await asyncio.sleep(0.016)  # trickled at about 1 MB/s, not blasted
                    if reader.at_eof() or writer.is_closing():
                        break
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(0.001):
                            answer = await reader.read(200)
                            count[f"header answer {answer[9:12].decode()}"] += 1
                            break
        except OSError:
            count["header connection reset"] += 1
        count["header bytes sent"] += sent
        writer.close()
        reader, writer = await _open(port, source)
        writer.write(b"GET /" + b"u" * 9000 + b" HTTP/1.1\r\nhost: x\r\n\r\n")
        answer = await _drain_until_closed(reader, 5)
        count[f"long target {answer[9:12].decode() or 'closed'}"] += 1
        writer.close()


async def _post_raw(port: int, source: str, head: bytes, body_parts: list[bytes]) -> str:
    reader, writer = await _open(port, source)
    try:
        writer.write(head)
        for part in body_parts:
            writer.write(part)
            await writer.drain()
    except OSError:
        pass
    answer = await _drain_until_closed(reader, 10)
    writer.close()
    return answer[9:12].decode() or "closed"


async def attack_bodies(port: int, until: float, count: Counter, key: tuple[str, str]) -> None:
    source = ADDRESSES["bodies"]
    stamps = UniqueStamps()

    def head(extra: str) -> bytes:
        signed = signing_headers(key[1], key[0], "POST", ORDERS, stamps.next())
        lines = [f"POST {ORDERS} HTTP/1.1", "host: x", *(f"{k}: {v}" for k, v in signed.items())]
        return ("\r\n".join([*lines, extra]) + "\r\n\r\n").encode()

    pace = Pace(10)  # four requests per round
    deep = b'{"orders": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    huge_ticker = b'{"ticker":"' + b"T" * 20_000_000 + b'","side":"bid"}'
    chunks = [b"%x\r\n%b\r\n" % (65536, b"c" * 65536)] * 16
    cases = [
        ("10 MB declared", "content-length: 10000000", []),
        ("1 MB chunked", "transfer-encoding: chunked", chunks),
        ("deep JSON", f"content-length: {len(deep)}", [deep]),
        ("20 MB ticker", f"content-length: {len(huge_ticker)}", [huge_ticker]),
    ]
    while time.time() < until:
        for label, extra, parts in cases:
            count[f"{label} {await _post_raw(port, source, head(extra), parts)}"] += 1
        await pace.wait()


def _client_frame(opcode: int, payload: bytes) -> bytes:
    mask = os.urandom(4)
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65536:
        head = bytes((0x80 | opcode, 0xFE)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0xFF)) + n.to_bytes(8, "big")
    whole = (mask * (n // 4 + 1))[:n]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(whole, "big")).to_bytes(n, "big")
    return head + mask + (masked if n else b"")


async def _ws_open(
    port: int, source: str
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, int]:
    reader, writer = await _open(port, source)
    sock = writer.transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    writer.write(
        f"GET {WS_PATH} HTTP/1.1\r\nhost: x\r\nupgrade: websocket\r\nconnection: Upgrade\r\n"
        "sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n".encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    return reader, writer, int(head[9:12])


async def attack_ws(port: int, until: float, count: Counter) -> None:
    source = ADDRESSES["ws"]
    ping = _client_frame(0x9, b"p" * 125) * 100
    fake = json.dumps(
        {"id": 1, "cmd": "subscribe",
         "params": {"channels": ["ticker"], "market_tickers": ["T" * 10_000_000]}}
    ).encode()  # fmt: skip
    fake_frame = _client_frame(0x1, fake)

    async def flooder() -> None:
        pace = Pace(100)  # 100 x 100 pings a second: about 1.3 MB/s of pings
        while time.time() < until:
            try:
                _, writer, status = await _ws_open(port, ADDRESSES["ws-flood"])
            except (OSError, asyncio.IncompleteReadError):
                count["ws flood connect failed"] += 1
                await asyncio.sleep(1)
                continue
            count[f"ws flood handshake {status}"] += 1
            try:
                while time.time() < until:  # never reads
                    writer.write(ping)
                    await asyncio.wait_for(writer.drain(), 5)
                    await pace.wait()
            except (OSError, TimeoutError):
                count["ws flood dropped"] += 1
            writer.close()

    async def faker() -> None:
        while time.time() < until:
            try:
                reader, writer, _ = await _ws_open(port, ADDRESSES["ws-fake"])
                writer.write(fake_frame)
                await writer.drain()
                data = await _drain_until_closed(reader, 10)
                count[
                    "10 MB ticker closed 1009" if b"\x03\xf1" in data else "10 MB ticker other"
                ] += 1
                writer.close()
            except (OSError, asyncio.IncompleteReadError):
                count["10 MB ticker reset"] += 1
            await asyncio.sleep(0.5)

    async def hoarder() -> None:
        held: list[asyncio.StreamWriter] = []
        pace = Pace(50)
        while time.time() < until:
            await pace.wait()
            try:
                _, writer, status = await _ws_open(port, source)
            except (OSError, asyncio.IncompleteReadError):
                count["anonymous connect failed"] += 1
                await asyncio.sleep(0.2)
                continue
            count[f"anonymous handshake {status}"] += 1
            if status == 101:
                held.append(writer)
            else:
                writer.close()
        for writer in held:
            writer.close()

    await asyncio.gather(*(flooder() for _ in range(5)), *(faker() for _ in range(2)), hoarder())


async def attack_auth(
    port: int, until: float, count: Counter, victims: list[str], captured: bytes
) -> None:
    source = ADDRESSES["auth"]
    stranger = generate_key_pair("ed25519")[0]
    rng = random.Random(5)
    stamps = UniqueStamps()
    pace = Pace(100)  # two requests per round
    while time.time() < until:
        await pace.wait()
        victim = rng.choice(victims)
        path = rng.choice(
            ["/trade-api/v2/markets", ORDERS + "/nope/x", "/trade-api/v2/portfolio/balance"]
        )
        method = "GET" if "nope" not in path else "POST"
        headers = signing_headers(stranger, victim, method, path, stamps.next())
        try:
            status, _ = await _raw(port, source, method, path, headers)
            count[f"forged {method} {status}"] += 1
            reader, writer = await _open(port, source)
            writer.write(captured)
            answer = await reader.readuntil(b"\r\n\r\n")
            count[f"replay {answer[9:12].decode()}"] += 1
            writer.close()
        except (OSError, asyncio.IncompleteReadError):
            count["auth connection failed"] += 1


async def _raw(
    port: int, source: str, method: str, path: str, headers: dict[str, str]
) -> tuple[int, bytes]:
    reader, writer = await _open(port, source)
    lines = [f"{method} {path} HTTP/1.1", "host: x", "connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    data = await _drain_until_closed(reader, 10)
    writer.close()
    return int(data[9:12] or 0), data


async def attack_rejects(port: int, until: float, count: Counter, key: tuple[str, str]) -> None:
    source = ADDRESSES["rejects"]
    stamps = UniqueStamps()
    bodies = [
        {"ticker": "NO-SUCH-MARKET", "side": "bid", "price": "0.50", "count": "1"},
        {"ticker": "SOAK-M0", "side": "bid", "price": "0.99", "count": "1000000"},
    ]
    pace = Pace(50)  # two requests per round
    while time.time() < until:
        await pace.wait()
        for body in bodies:
            order = {**body, "time_in_force": "good_till_canceled",
                     "self_trade_prevention_type": "taker_at_cross"}  # fmt: skip
            raw = json.dumps(order)
            headers = signing_headers(key[1], key[0], "POST", ORDERS, stamps.next())
            headers |= {"content-type": "application/json", "content-length": str(len(raw))}
            reader, writer = await _open(port, source)
            lines = [f"POST {ORDERS} HTTP/1.1", "host: x", "connection: close"]
            lines += [f"{k}: {v}" for k, v in headers.items()]
            writer.write(("\r\n".join(lines) + "\r\n\r\n" + raw).encode())
            data = await _drain_until_closed(reader, 10)
            writer.close()
            count[f"engine reject {data[9:12].decode()}"] += 1


Counter = collections.Counter[str]


def attack_main(
    pipe: Connection, name: str, port: int, start: float, until: float, args: tuple[Any, ...]
) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    count: Counter = collections.Counter()
    attacks: dict[str, Callable[..., Awaitable[None]]] = {
        "sockets": attack_sockets,
        "heads": attack_heads,
        "bodies": attack_bodies,
        "ws": attack_ws,
        "auth": attack_auth,
        "rejects": attack_rejects,
    }

    async def run() -> None:
        await asyncio.sleep(max(0.0, start - time.time()))
        with contextlib.suppress(Exception):
            async with asyncio.timeout(until - time.time() + 15):
                await attacks[name](port, until, count, *args)

    asyncio.run(run())
    count["(attacker CPU ms)"] = int(time.process_time() * 1000)
    pipe.send(dict(count))


# --- the run -------------------------------------------------------------------------------


def cpu_and_starved(pid: int) -> tuple[float, float]:
    """CPU seconds of the server (all threads), and seconds its event-loop thread was
    runnable but waiting for a CPU (other processes on this shared host)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    wait_ns = int(Path(f"/proc/{pid}/schedstat").read_text().split()[1])
    return cpu, wait_ns / 1e9


def rss_mb(pid: int) -> float:
    pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def rss_parts_mb(pid: int) -> dict[str, float]:
    """Resident MB by kind of mapping (``/proc/PID/smaps``): the C heap (``[heap]``, brk),
    anonymous mappings (Python's 1 MiB object arenas, glibc's per-thread arenas and large
    ``malloc`` blocks, thread stacks), the store's files (SQLite's ``-shm`` index) and the
    rest (code and other files)."""
    parts: dict[str, float] = collections.defaultdict(float)
    kind = "other"
    for row in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        head = row.split()
        if not head:
            continue
        if not head[0].endswith(":"):  # a mapping's first line: range perms offset dev inode [path]
            path = head[5] if len(head) > 5 else ""
            if path == "[heap]":
                kind = "heap"
            elif not path or path.startswith("[anon") or path == "[stack]":
                kind = "anonymous"
            elif "augury.db" in path:
                kind = "store files"
            else:
                kind = "code and other files"
        elif head[0] == "Rss:":
            parts[kind] += int(head[1]) / 1024
    return dict(parts)


def server_memory(server: Any) -> dict[str, float]:
    """SQLite's memory (MB) and Python's live small-object blocks (thousands), from the
    server's own ``/metrics``."""
    wanted = {
        "augury_sqlite_memory_bytes": ("sqlite MB", 2**20),
        "augury_python_allocated_blocks": ("python kblocks", 1000),
    }
    found: dict[str, float] = {}
    with contextlib.suppress(Exception):
        for row in server.http.get("/metrics", timeout=5).text.splitlines():
            name, _, value = row.partition(" ")
            if name in wanted:
                label, scale = wanted[name]
                found[label] = float(value) / scale
    return found


def journal(db: Path) -> tuple[int, int]:
    """(rows, payload bytes) of the journal, read-only beside the running server."""
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as con:
        rows, size = con.execute(
            "SELECT count(*), coalesce(sum(length(payload)), 0) FROM journal"
        ).fetchone()
    return int(rows), int(size)


def capture_order(key: tuple[str, str], body: dict[str, str], ts_ms: int) -> bytes:
    raw = json.dumps(body)
    headers = signing_headers(key[1], key[0], "POST", ORDERS, ts_ms)
    lines = [f"POST {ORDERS} HTTP/1.1", "host: x", "connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines += ["content-type: application/json", f"content-length: {len(raw)}"]
    return ("\r\n".join(lines) + "\r\n\r\n" + raw).encode()


def line(name: str, lat: list[float], failures: int) -> str:
    lat = sorted(lat)
    return (
        f"  {name:<10} {len(lat):>6} requests  p50 {percentile(lat, 0.50):7.1f} ms  "
        f"p99 {percentile(lat, 0.99):7.1f} ms  max {(lat[-1] if lat else 0):8.1f} ms  "
        f"failed {failures}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--baseline", type=float, default=30.0)
    parser.add_argument("--attack", type=float, default=60.0)
    parser.add_argument("--recovery", type=float, default=40.0)
    parser.add_argument("--rate", type=float, default=100.0, help="honest requests/s")
    parser.add_argument("--sockets", type=int, default=1000, help="idle/partial/slow sockets")
    parser.add_argument(
        "--attacks",
        default="sockets,heads,bodies,ws,auth,rejects",
        help="which attacks run in the attack phase (comma-separated)",
    )
    parser.add_argument(
        "--no-rejects-phase", action="store_true", help="skip phase 4 (journal growth)"
    )
    args = parser.parse_args()
    chosen = [name for name in args.attacks.split(",") if name]

    server, markets, tmp = start_bench_server("SOAK", 4, rate_limits=True)
    try:
        assert server.proc is not None
        pid = server.proc.pid
        honest_users = [server.user(f"honest{i}", "100000", key_type="ed25519") for i in range(4)]
        attacker = server.user("attacker", "10", key_type="ed25519")
        # What a network attacker captured: a request the (honest) user "captive" sends
        # once at the start of the attack, valid for the attack's first 55 s.
        captive = server.user("captive", "100", key_type="ed25519")
        t0 = time.time() + 5
        b, a, r = args.baseline, args.attack, args.recovery
        captured = capture_order(
            captive,
            {"ticker": markets[0], "side": "bid", "price": "0.02", "count": "1",
             "time_in_force": "good_till_canceled",
             "self_trade_prevention_type": "taker_at_cross", "client_order_id": "captured-1"},
            int((t0 + b + 25) * 1000),
        )  # fmt: skip
        db = server.data / "augury.db"
        ctx = mp.get_context("spawn")
        phases = [("baseline", t0, t0 + b), ("attack", t0 + b, t0 + b + a),
                  ("recovery", t0 + b + a, t0 + b + a + r)]  # fmt: skip
        honest_pipe, child = ctx.Pipe()
        honest = ctx.Process(
            target=honest_main, args=(child, server.port, honest_users, markets, args.rate, phases)
        )
        honest.start()
        victims = [k for k, _ in honest_users]
        plan: dict[str, tuple[Any, ...]] = {
            "sockets": (args.sockets,),
            "heads": (),
            "bodies": (attacker,),
            "ws": (),
            "auth": (victims, captured),
            "rejects": (attacker,),
        }
        attackers = []
        for name in chosen:
            extra = plan[name]
            pipe, child = ctx.Pipe()
            proc = ctx.Process(
                target=attack_main, args=(child, name, server.port, t0 + b, t0 + b + a, extra)
            )
            proc.start()
            attackers.append((name, proc, pipe))
        print(
            f"server pid {pid}; {os.cpu_count()} CPUs; load average "
            f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}\n"
            f"honest: 4 traders, {args.rate:g} requests/s open loop; phases {b:g} s baseline, "
            f"{a:g} s attack ({', '.join(chosen)}), {r:g} s recovery",
            flush=True,
        )
        samples: dict[str, list[float]] = collections.defaultdict(list)
        parts_at: dict[str, dict[str, float]] = {}  # the last breakdown of each phase
        inside_at: dict[str, dict[str, float]] = {}  # ... and what the server reports
        inside_read = 0.0
        journal_at: dict[str, tuple[int, int]] = {}
        cpu_at: dict[str, tuple[float, float, float]] = {}
        captive_sent = False
        while time.time() < phases[-1][2]:
            now = time.time()
            if not captive_sent and now >= t0 + b - 1:
                with socket.create_connection((HOST, server.port)) as sock:
                    sock.sendall(captured)  # its first, honest use; replays follow
                    sock.recv(65536)
                captive_sent = True
            name = next((n for n, s, e in phases if s <= now < e), "setup")
            samples[name].append(rss_mb(pid))
            parts_at[name] = {**rss_parts_mb(pid), **inside_at.get(name, {})}
            if time.time() - inside_read > 5:  # a scrape is cheap, but not free
                inside_at[name], inside_read = server_memory(server), time.time()
            for n, s, _ in phases:
                if n not in journal_at and now >= s:
                    journal_at[n] = journal(db)
                    cpu_at[n] = (now, *cpu_and_starved(pid))
            time.sleep(0.5)
        journal_at["end"] = journal(db)
        cpu_at["end"] = (time.time(), *cpu_and_starved(pid))
        lat, failed, acked = honest_pipe.recv()
        honest.join()
        counts = {}
        for name, proc, pipe in attackers:
            counts[name] = pipe.recv()
            proc.join()

        # Rejected requests alone: what each costs the journal.
        rows0, bytes0 = journal(db)
        t1 = time.time() + 1
        solo = []
        for name in () if args.no_rejects_phase else ("bodies", "auth", "rejects"):
            pipe, child = ctx.Pipe()
            proc = ctx.Process(
                target=attack_main, args=(child, name, server.port, t1, t1 + 10, plan[name])
            )
            proc.start()
            solo.append((name, proc, pipe))
        solo_counts = {}
        for name, proc, pipe in solo:
            solo_counts[name] = pipe.recv()
            proc.join()
        rows1, bytes1 = journal(db)
        rss_final = rss_mb(pid)
        time.sleep(12)  # one malloc_trim interval (api.memory) with no traffic at all
        rss_settled = rss_mb(pid)

        # Nothing acknowledged may be lost: kill -9, restart, list every honest order.
        server.kill()
        server.start()
        listed: set[str] = set()
        for key_id, pem in honest_users:
            cursor = ""
            while True:
                path = "/trade-api/v2/portfolio/orders"
                params = {"limit": "1000", **({"cursor": cursor} if cursor else {})}
                response = server.http.get(
                    path, params=params,
                    headers=signing_headers(pem, key_id, "GET", path, int(time.time() * 1000)),
                )  # fmt: skip
                page = response.json()
                listed.update(o["order_id"] for o in page["orders"])
                cursor = page.get("cursor") or ""
                if not cursor:
                    break
        lost = [order_id for _, order_id in acked if order_id not in listed]

        print("\nhonest traffic (latency from the scheduled send)")
        marks = [n for n, _, _ in phases] + ["end"]
        for name, following in itertools.pairwise(marks):
            failures = sum(v for k, v in failed.items() if k.startswith(name))
            (t_a, cpu_a, wait_a), (t_b, cpu_b, wait_b) = cpu_at[name], cpu_at[following]
            print(
                line(name, lat.get(name, []), failures)
                + f"  server CPU {(cpu_b - cpu_a) / (t_b - t_a):4.0%}"
                + f"  srv-starved {(wait_b - wait_a) / (t_b - t_a):4.0%}"
            )
        for key, value in sorted(failed.items())[:8]:
            print(f"    failed: {value} x {key}")
        base = samples["baseline"][-1] if samples["baseline"] else float("nan")
        during = samples["attack"] or [float("nan")]
        after = samples["recovery"][-1] if samples["recovery"] else float("nan")
        print("\nserver RSS (resident pages x page size, /proc/PID/statm, sampled every 0.5 s)")
        print(f"  end of baseline   {base:8.1f} MB")
        mean = sum(during) / len(during)
        print(f"  during attack     {max(during):8.1f} MB peak, {mean:.1f} MB mean")
        print(f"  end of recovery   {after:8.1f} MB  ({after / base:.2f} x baseline)")
        print(f"  after rejects     {rss_final:8.1f} MB  ({rss_final / base:.2f} x baseline)")
        print(f"  12 s later, idle  {rss_settled:8.1f} MB  ({rss_settled / base:.2f} x baseline)")
        print(
            "  by mapping (/proc/PID/smaps) and inside (/metrics) at the end of: "
            "baseline -> attack -> recovery"
        )
        for kind in sorted({k for p in parts_at.values() for k in p}):
            figures = [
                parts_at.get(n, {}).get(kind, 0.0) for n in ("baseline", "attack", "recovery")
            ]
            unit = "" if kind.endswith(("MB", "kblocks")) else " MB"
            print(f"    {kind:<22} " + " -> ".join(f"{x:6.1f}" for x in figures) + unit)
        print("\nattacks (what was sent -> what the server answered, counts)")
        for name, count in counts.items():
            count = {k: v for k, v in count.items() if not k.startswith("(")}
            shown = ", ".join(f"{k}: {v:,}" for k, v in sorted(count.items()))
            print(f"  {name:<8} {shown}")
        attacker_cpu = sum(c.pop("(attacker CPU ms)", 0) for c in counts.values()) / 1000
        for c in solo_counts.values():
            c.pop("(attacker CPU ms)", None)
        print(
            f"  the attackers' own CPU: {attacker_cpu:.0f} s in {a:g} s "
            f"({attacker_cpu / a:.0%} of one core), on the same 2-core host"
        )
        rejected = sum(
            v for c in solo_counts.values() for k, v in c.items()
            if not k.endswith("failed") and k != "header bytes sent"
        )  # fmt: skip
        print("\nrejected requests alone (10 s: bodies, auth, engine rejects)")
        for name, count in solo_counts.items():
            print(f"  {name:<8} " + ", ".join(f"{k}: {v:,}" for k, v in sorted(count.items())))
        engine = sum(v for k, v in solo_counts.get("rejects", {}).items() if k.startswith("engine"))
        print(
            f"  journal +{rows1 - rows0} rows, +{bytes1 - bytes0:,} payload bytes for {rejected:,} "
            f"rejected requests: {(bytes1 - bytes0) / max(1, rejected):.1f} bytes per rejected "
            f"request ({(bytes1 - bytes0) / max(1, engine):.1f} per engine reject, the only "
            f"kind that reaches the journal)"
        )
        rows_a = journal_at["recovery"][0] - journal_at["attack"][0]
        print(f"  during the attack phase the journal grew {rows_a} rows (honest orders included)")
        print(f"\nload average now {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(
            f"acknowledged honest orders: {len(acked):,}; after kill -9 and restart: "
            f"{len(acked) - len(lost):,} listed, {len(lost)} lost"
        )
    finally:
        with contextlib.suppress(Exception):
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    main()
