"""``augury bot run STRATEGY --ticker T [--paper]``: run a bot live or on paper.

Paper mode fills orders against the live observed book with the fill model (no order is
sent); live mode sends real orders. Both write structured decision logs (``--log``),
enforce the risk limits, stop cleanly on Ctrl-C / SIGTERM / ``--duration`` (cancelling
every resting order), and trip the kill switch when ``--kill-file`` appears.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer

from augury.client.bots.live import LiveBroker, run_bot
from augury.client.bots.risk import RiskLimits
from augury.client.bots.runner import DecisionLog, Runner
from augury.client.bots.strategies import STRATEGIES
from augury.client.cli.common import HostOpt, ProfileOpt, RootOpt, client_for, fail
from augury.client.clock import SystemClock
from augury.client.market_fees import market_fees
from augury.client.orders import new_client_order_id
from augury.client.sim.fillmodel import FillModel
from augury.client.ws import WsClient

__all__ = ["bot_app"]

bot_app = typer.Typer(no_args_is_help=True, help="Run trading bots (live or --paper).")


@bot_app.command("run")
def run(
    strategy: Annotated[str, typer.Argument(help=" | ".join(STRATEGIES))],
    ticker: Annotated[str, typer.Option("--ticker")],
    paper: Annotated[bool, typer.Option("--paper", help="simulate fills; send nothing")] = False,
    duration: Annotated[float | None, typer.Option("--duration", help="seconds")] = None,
    log: Annotated[Path | None, typer.Option("--log", help="decision log (JSON lines)")] = None,
    kill_file: Annotated[Path | None, typer.Option("--kill-file")] = None,
    cash: Annotated[int, typer.Option("--cash", help="paper dollars", min=1)] = 1000,
    max_position: Annotated[int, typer.Option("--max-position", min=1)] = 50,
    max_orders_per_min: Annotated[int, typer.Option("--max-orders-per-min", min=1)] = 120,
    host: HostOpt = None,
    profile: ProfileOpt = None,
    root: RootOpt = None,
) -> None:
    """Run STRATEGY on a market until stopped."""
    if strategy not in STRATEGIES:
        raise fail(f"unknown strategy {strategy!r}; one of {', '.join(STRATEGIES)}")
    client = client_for(host, profile, root)
    fees = market_fees(client, [ticker])[ticker]
    limits = RiskLimits(max_position_c=max_position * 100, max_orders_per_min=max_orders_per_min)
    prefix = f"{strategy[:8]}-{new_client_order_id()[:8]}"
    out = log.open("a") if log is not None else sys.stdout
    live = None if paper else LiveBroker(client, prefix, lambda _t: fees)
    broker = FillModel(fees) if paper else live
    assert broker is not None
    runner = Runner(
        STRATEGIES[strategy](ticker, fees),
        broker,
        cash_cc=cash * 10_000,
        limits=limits,
        log=DecisionLog(out, keep=False),
        id_prefix=prefix,
        own_orders_in_book=not paper,
    )
    runner.log("mode", paper=paper, ticker=ticker, fees=fees.describe())
    ws = WsClient(client.host, signer=client.signer)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_bot(
            runner,
            ws,
            [ticker],
            SystemClock(),
            live=live,
            stop=stop,
            kill_file=kill_file,
            duration_s=duration,
        )

    try:
        asyncio.run(main())
    finally:
        if log is not None:
            out.close()
