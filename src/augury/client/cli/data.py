"""``augury record``, ``augury replay`` and ``augury backtest``: market data in and out.

``record`` writes the feed of some markets to a Parquet recording until ``--duration`` or
``--events`` (or Ctrl-C), flushing a row group every second. ``replay`` plays a recording
into a running exchange as a market maker at ``--speed``. ``backtest`` runs a strategy over
a recording and prints the report (``--json``, ``--html FILE``); ``--compare-live FILE``
puts the fills of a paper or live run (a JSON-lines file of fills: the bot's decision log
or ``augury export fills``) beside the backtest's.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress

from augury.client.backtest import BacktestResult, run_backtest
from augury.client.bots.strategies import STRATEGIES
from augury.client.cli.common import (
    HostOpt,
    JsonOpt,
    ProfileOpt,
    RootOpt,
    client_for,
    fail,
    print_json,
    run_api,
    signer_for,
    ws_host,
)
from augury.client.clock import SystemClock
from augury.client.feed import FEED_CHANNELS, events_from
from augury.client.hosts import Host
from augury.client.market_fees import market_fees
from augury.client.recording import Recorder, count_events, read_events, read_fees
from augury.client.replay import Replayer
from augury.client.report import render_html, render_json, render_table
from augury.client.sim.fees import FEE_TYPES, FeeSchedule
from augury.client.units import count_c, dollars_cc
from augury.client.ws import WsClient

__all__ = ["backtest", "compare_fills", "record", "replay"]


def record(
    out: Annotated[Path, typer.Option("--out", help="Parquet file to write")],
    tickers: Annotated[str | None, typer.Option("--tickers", help="comma-separated")] = None,
    series: Annotated[str | None, typer.Option("--series", help="every market of a series")] = None,
    duration: Annotated[float | None, typer.Option("--duration", help="seconds")] = None,
    events: Annotated[int | None, typer.Option("--events", help="stop after N events")] = None,
    host: HostOpt = None,
    profile: ProfileOpt = None,
    root: RootOpt = None,
) -> None:
    """Record books, trades and lifecycle of markets into a Parquet file."""
    if not tickers and not series:
        raise fail("give --tickers or --series")
    client = client_for(host, profile, root, signed=False)
    names = [t for t in (tickers or "").split(",") if t]
    if series:
        names += [m.ticker for m in client.markets(series_ticker=series, limit=1000).markets]
    fees = run_api(lambda: market_fees(client, names))
    signer, profile_host = signer_for(profile, root, required=True)
    asyncio.run(_record(out, names, ws_host(host or profile_host), signer, duration, events, fees))


async def _record(
    out: Path,
    tickers: list[str],
    host: str | Host,
    signer: Any,
    duration: float | None,
    limit: int | None,
    fees: dict[str, FeeSchedule] | None = None,
) -> None:
    clock = SystemClock()
    recorder = Recorder(out, fees=fees)
    ws = WsClient(host, signer=signer)
    await ws.subscribe(FEED_CHANNELS[:2], tickers)
    await ws.subscribe(FEED_CHANNELS[2:])
    done = asyncio.Event()

    def write(message: dict[str, Any]) -> None:
        for event in events_from(message, clock.now_ns()):
            if getattr(event, "ticker", None) in tickers:
                recorder.write(event)
        if limit is not None and recorder.rows >= limit:
            done.set()

    ws.on("*", write)
    feed = asyncio.ensure_future(ws.run())
    started = clock.now_ns()
    try:
        while not done.is_set():
            # asyncio.timeout, not wait_for (3.11's wait_for can swallow a cancel).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(1.0):
                    await done.wait()
            recorder.flush()
            if duration is not None and clock.now_ns() - started >= duration * 1e9:
                break
    finally:
        await ws.close()
        feed.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await feed
        recorder.close()
    typer.echo(f"{recorder.path}: {recorder.rows} events")


def replay(
    file: Annotated[Path, typer.Argument(help="recording")],
    speed: Annotated[float, typer.Option("--speed", help="times real time; 0 = no waits")] = 1.0,
    host: HostOpt = None,
    profile: ProfileOpt = None,
    root: RootOpt = None,
) -> None:
    """Replay a recording's books into a running exchange as a market maker."""
    client = client_for(host, profile, root)
    replayer = Replayer(client, SystemClock().sleep, speed)
    total = replayer.run(read_events(file))
    typer.echo(f"replayed {total} book events")


def _load_fills(path: Path) -> list[tuple[str, str, int, int]]:
    """Read (ticker, side, yes_price_cc, count_c) from decision-log or exported fill lines."""
    fills = []
    for line in path.read_text().splitlines():
        row = json.loads(line)
        if row.get("decision") == "fill":
            fills.append((row["ticker"], row["side"], row["yes_price_cc"], row["count_c"]))
        elif "fill_id" in row and "yes_price_dollars" in row:
            fills.append(
                (
                    row["ticker"],
                    row["book_side"],
                    dollars_cc(row["yes_price_dollars"]),
                    count_c(row["count_fp"]),
                )
            )
    return fills


def compare_fills(result: BacktestResult, live: list[tuple[str, str, int, int]]) -> dict[str, Any]:
    """Match backtest and live fills by (market, side, price); report where they differ."""
    sim: Counter[tuple[str, str, int]] = Counter()
    real: Counter[tuple[str, str, int]] = Counter()
    for f in result.fills:
        sim[(f.ticker, f.side, f.yes_price_cc)] += f.count_c
    for ticker, side, price, size in live:
        real[(ticker, side, price)] += size
    rows = []
    for key in sorted(set(sim) | set(real)):
        if sim[key] != real[key]:
            rows.append(
                {
                    "ticker": key[0],
                    "side": key[1],
                    "yes_price_cc": key[2],
                    "backtest_c": sim[key],
                    "live_c": real[key],
                }
            )
    matched = sum(min(sim[k], real[k]) for k in set(sim) | set(real))
    return {
        "matched_c": matched,
        "backtest_c": sum(sim.values()),
        "live_c": sum(real.values()),
        "differences": rows,
    }


def backtest(
    strategy: Annotated[str, typer.Argument(help=" | ".join(STRATEGIES))],
    data: Annotated[Path, typer.Option("--data", help="recording to run over")],
    ticker: Annotated[str | None, typer.Option("--ticker", help="default: first in data")] = None,
    latency_ms: Annotated[int, typer.Option("--latency-ms", min=0)] = 0,
    cash: Annotated[int, typer.Option("--cash", help="starting dollars", min=1)] = 1000,
    html_out: Annotated[Path | None, typer.Option("--html", help="write an HTML report")] = None,
    compare_live: Annotated[Path | None, typer.Option("--compare-live", help="fills JSONL")] = None,
    fee_type: Annotated[
        str | None,
        typer.Option("--fee-type", help="override the recorded fee type: " + " | ".join(FEE_TYPES)),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Run a strategy over a recording and report P&L, risk and calibration.

    Fees are the ones recorded with the data (each market's series or event schedule at
    record time); ``--fee-type`` replaces the type and keeps the recorded multiplier. A
    recording without fee metadata is charged ``quadratic x1``, and the report says so.
    """
    if strategy not in STRATEGIES:
        raise fail(f"unknown strategy {strategy!r}; one of {', '.join(STRATEGIES)}")
    if fee_type is not None and fee_type not in FEE_TYPES:
        raise fail(f"unknown fee type {fee_type!r}; one of {', '.join(FEE_TYPES)}")
    if not data.exists():
        raise fail(f"{data}: no such recording")
    if ticker is None:
        ticker = next((getattr(e, "ticker", None) for e in read_events(data)), None)
        if ticker is None:
            raise fail(f"{data}: the recording is empty")
    recorded = read_fees(data)

    def fees(market: str) -> FeeSchedule:
        found = recorded.get(market, FeeSchedule())
        return found if fee_type is None else replace(found, fee_type=fee_type)

    total = count_events(data)
    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("backtest", total=total)
        result = run_backtest(
            read_events(data),
            STRATEGIES[strategy](ticker, fees(ticker)),
            fees=fees,
            latency_ns=latency_ms * 1_000_000,
            cash_cc=cash * 10_000,
            progress=lambda n: bar.update(task, completed=n),
        )
    if html_out is not None:
        render_html(result, html_out)
    comparison = compare_fills(result, _load_fills(compare_live)) if compare_live else None
    if as_json:
        doc = json.loads(render_json(result))
        if comparison is not None:
            doc["compare_live"] = comparison
        print_json(doc)
        return
    render_table(result)
    if comparison is not None:
        print_json(comparison)
