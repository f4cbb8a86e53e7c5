"""A fresh demo has an open market in every series it advertises, from its first round.

``augury demo`` prints an SDK snippet that takes ``get_markets(series_ticker=...,
status="open").markets[0]``; before issue 16 a rolling series started late in its window
listed nothing tradable (its next window opened only when the current one closed), so the
snippet failed with ``IndexError`` for up to a minute. Each start time below is a moment
inside the windows where that happened (and around them); the expectation comes from the
demo's promise, not from the listing code: every series, an ACTIVE market still open.
The real CLI test runs the printed snippet as a user would, right after startup.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from augury.demo.catalogue import SERIES
from augury.demo.runner import DemoConfig, DemoRunner
from augury.domain.enums import MarketStatus
from augury.runtime.clock import FakeClock
from tests.demo.test_demo import InlineRuntime
from tests.e2e.server_harness import free_port

NS = 1_000_000_000
# 2026-11-24T06:00:00Z: a five- and ten-minute boundary.
BOUNDARY_NS = 1_795_500_000 * NS
AUGURY = Path(sys.executable).parent / "augury"


def open_series_after_first_round(start_ns: int) -> dict[str, int]:
    async def run() -> dict[str, int]:
        clock = FakeClock(start_ns)
        runtime = InlineRuntime(clock)
        runner = DemoRunner(DemoConfig(seed=7), clock)
        await runner.attach(runtime)
        clock.set(runner.next_round_ns)
        await runner.step()
        now = clock.now_ns()
        exchange = runtime.exchange
        counts = {spec.ticker: 0 for spec in SERIES}
        for market in exchange.markets.values():
            series = exchange.events[market.event_ticker].series_ticker
            if market.status is MarketStatus.ACTIVE and market.close_ts_ns > now:
                counts[series] += 1
        return counts

    return asyncio.run(run())


@pytest.mark.parametrize("offset_s", [0, 100, 200, 215, 230, 250, 290, 299, 420, 540, 590])
def test_every_series_is_open_from_the_first_round(offset_s: int) -> None:
    counts = open_series_after_first_round(BOUNDARY_NS + offset_s * NS)
    assert [series for series, n in counts.items() if n == 0] == []


@pytest.mark.process
def test_the_printed_snippet_runs_right_after_startup(tmp_path: Path) -> None:
    port = free_port()
    data = tmp_path / "data"
    proc = subprocess.Popen(
        [str(AUGURY), "demo", "--data", str(data), "--port", str(port), "--activity", "low"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 120
        while "Stop with Ctrl-C" not in "".join(lines[-2:]):
            assert time.monotonic() < deadline, "".join(lines)
            line = proc.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
        banner = "".join(lines)
        found = re.search(r"Trade with the official SDK.*?\n\n(.*?)\n\nStop with", banner, re.S)
        assert found is not None, banner
        snippet = "\n".join(line[4:] for line in found.group(1).splitlines())
        ran = subprocess.run(
            [sys.executable, "-c", snippet], capture_output=True, text=True, timeout=120
        )
        assert ran.returncode == 0, ran.stdout + ran.stderr
        printed = ran.stdout.splitlines()
        assert len(printed) == 3, printed  # balance; market and quotes; fill count and price
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
