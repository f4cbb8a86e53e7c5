"""``augury demo`` inside the server: the startup hook that runs the simulation.

``demo_hook`` returns the ``on_start`` callable for ``augury.api.app.create_app``. Once the
exchange has recovered, it attaches the runner, lets it trade one round, creates the demo
user and key, prints the welcome banner, and then keeps the simulation running (printing a
one-line status every minute) until the server shuts down and cancels it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from augury.api.context import Context
from augury.demo.clock import AcceleratedClock
from augury.demo.platform_account import ensure_demo_account, login_text
from augury.demo.runner import DemoRunner
from augury.demo.welcome import DEMO_USER, banner, ensure_demo_user
from augury.domain.enums import MarketStatus

__all__ = ["demo_hook", "status_line"]

log = logging.getLogger(__name__)

_STATUS_EVERY_S = 60.0


def status_line(runner: DemoRunner) -> str:
    """Return a one-line summary of the running demo."""
    markets = runner.queries.markets()
    open_markets = sum(1 for m in markets if m.status is MarketStatus.ACTIVE)
    settled = sum(1 for m in markets if m.status is MarketStatus.FINALIZED)
    stats = runner.stats
    return (
        f"demo: {open_markets} open markets, {settled} settled, {stats.trades:,} trades, "
        f"{stats.volume_c // 100:,} contracts traded"
    )


def demo_hook(
    runner: DemoRunner,
    rest_url: str,
    ws_url: str,
    announce: Callable[[str], None] = print,
) -> Callable[[Context], Awaitable[None]]:
    """Return the server's ``on_start`` hook that runs ``runner``."""

    async def on_start(context: Context) -> None:
        clock = context.clock
        if isinstance(clock, AcceleratedClock):
            # A journal written by a faster run may be ahead of this clock.
            clock.catch_up(context.queries.now_ns())
        started = time.monotonic()
        status: asyncio.Task[None] | None = None

        async def ready() -> None:
            nonlocal status
            queries = context.queries
            user = await ensure_demo_user(
                context.runtime, queries, context.settings.data_dir.resolve()
            )
            open_markets = sum(1 for m in queries.markets() if m.status is MarketStatus.ACTIVE)
            balance = queries.balance(DEMO_USER, 0)
            announce(
                banner(
                    rest_url,
                    ws_url,
                    user,
                    balance.available_cc if balance is not None else 0,
                    open_markets,
                    len(runner.series),
                    runner.config.seed,
                    runner.config.activity,
                )
            )
            login = await ensure_demo_account(context, context.settings.data_dir.resolve())
            if login is not None:
                announce(login_text(rest_url.removesuffix("/trade-api/v2"), *login))
            log.info("demo ready in %.2fs", time.monotonic() - started)
            status = asyncio.get_running_loop().create_task(_status(runner, announce))

        try:
            await runner.run(context.runtime, context.queries, ready)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("the demo stopped")
        finally:
            if status is not None:
                status.cancel()

    return on_start


async def _status(runner: DemoRunner, announce: Callable[[str], None]) -> None:
    while True:
        await asyncio.sleep(_STATUS_EVERY_S)
        announce(status_line(runner))
