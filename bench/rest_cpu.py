"""Server cost per signed REST order over a fixed number of orders, optionally in instructions.

``bench.rest`` reports the server's CPU per order over a time window on a shared host,
where other processes move the figure by 20-40 % between identical runs. This one sends a
fixed number of signed orders (the same closed-loop mix as ``bench.rest`` phase (b):
alternately a resting GTC order and the cancel of the user's oldest, with its ``Trader``
and ``RawConn``) after a warm-up, and reports the server's cost for exactly those orders:

- default: the server's CPU seconds (all threads, from /proc) per order, still
  load-sensitive (caches, frequency, steal) but with no window edges;
- ``--callgrind``: the server runs under ``valgrind --tool=callgrind`` with
  instrumentation off until the warm-up is done, on for the measured orders only, then
  dumped: **instructions per order** (all threads), which the host's load does not move.
  About 50x slower; the server takes a minute or more to start.

The file imports only ``bench.rest``, ``bench.stamps`` and the test server harness, so it
can be copied into an exported older tree to compare two commits the same way
(``PYTHONPATH=$dir/src:$dir python -m bench.rest_cpu --callgrind``). Asserts nothing.

    .venv/bin/python -m bench.rest_cpu [--orders 1000] [--warmup 300] [--connections 16]
        [--engine python] [--callgrind]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.e2e.server_harness import Server

from bench.bench_server import list_bench_markets
from bench.rest import RawConn, Trader, cpu_seconds

TAG = "RCP"


class LaunchedServer(Server):
    """The harness's server, started through ``launcher`` (e.g. valgrind) with a long wait."""

    def __init__(self, data: Path, extra: list[str], launcher: list[str]) -> None:
        super().__init__(data, extra=extra)
        self.launcher = launcher
        self.start_timeout_s = 900.0  # valgrind: a slow start, not a failure


async def send_orders(url: str, traders: list[Trader], count: int, conns: int) -> int:
    """Send ``count`` signed requests over ``conns`` connections; return how many failed."""
    host, port = url.removeprefix("http://").split(":")
    pool = [RawConn(host, int(port)) for _ in range(conns)]
    left = count
    bad = 0

    async def worker(i: int) -> None:
        nonlocal left, bad
        conn, trader = pool[i], traders[i % len(traders)]
        while left > 0:
            left -= 1
            method, path, body, headers = trader.next_request()
            status, data = await conn.request(method, path, body, headers)
            if method == "POST" and status == 201:
                trader.resting.append(json.loads(data)["order_id"])
            elif not (method == "DELETE" and status == 200):
                bad += 1

    await asyncio.gather(*(worker(i) for i in range(conns)))
    for conn in pool:
        conn.close()
    return bad


def callgrind(pid: int, *args: str) -> None:
    subprocess.run(["callgrind_control", *args, str(pid)], check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=1000, help="measured requests")
    parser.add_argument("--warmup", type=int, default=300, help="requests before measuring")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--markets", type=int, default=4)
    parser.add_argument("--engine", default="python", help="the server's --engine")
    parser.add_argument("--callgrind", action="store_true", help="count instructions")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="augury-rcp-bench-"))
    out = tmp / "callgrind.out"
    launcher = (
        ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}"]
        if args.callgrind
        else []
    )
    extra = ["--rate-limits", "off", "--log-level", "warning", "--engine", args.engine]
    server = LaunchedServer(tmp / "data", extra, launcher)
    try:
        server.start()
        assert server.proc is not None
        pid = server.proc.pid
        markets = list_bench_markets(server, TAG, args.markets)
        users = [
            server.user(f"trader{i}", "100000000", key_type="ed25519") for i in range(args.users)
        ]
        traders = [Trader(k, p, markets, i) for i, (k, p) in enumerate(users)]
        if asyncio.run(send_orders(server.url, traders, args.warmup, args.connections)):
            raise RuntimeError("warm-up requests failed")
        if args.callgrind:
            callgrind(pid, "--instr=on")
        cpu0, wall0 = cpu_seconds(pid), time.monotonic()
        bad = asyncio.run(send_orders(server.url, traders, args.orders, args.connections))
        cpu, wall = cpu_seconds(pid) - cpu0, time.monotonic() - wall0
        line = (
            f"{args.orders:,} signed requests (half place, half cancel), engine {args.engine}, "
            f"{args.connections} connections, {bad} failed; load average "
            f"{os.getloadavg()[0]:.2f}\n  server CPU per order {cpu / args.orders * 1e6:,.0f} us "
            f"(wall {wall:.2f} s)"
        )
        if args.callgrind:
            callgrind(pid, "--instr=off")
            callgrind(pid, "--dump")
            dumps = sorted(tmp.glob("callgrind.out*"), key=lambda p: p.stat().st_mtime)
            totals = next(
                int(row.split()[1])
                for row in dumps[-1].read_text(errors="replace").splitlines()
                if row.startswith("totals:")
            )
            line += (
                f" under valgrind\n  server instructions per order {totals / args.orders:,.0f}"
                f" ({dumps[-1]})"
            )
        print(line)
    finally:
        server.close()
        if not args.callgrind:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
