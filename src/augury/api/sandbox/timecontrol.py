"""Time control: run a market's lifecycle now, or its schedule at a chosen speed.

Every step is an ordinary engine command through the sequencer (journaled, replayed
identically): ``SetMarketState(close)``, ``DetermineMarket`` (the settlement timer then
runs) and ``FinalizeMarket`` (pays out now). Nothing in the engine changes; a market simply
closes, is determined and settles earlier than its own times say.

A *schedule* at speed S runs the rest of an open market's life S times faster, from now:
it closes after ``(close_time - now) / S``, is determined with the result the operator
gave at once, and is finalized after ``settlement_timer_seconds / S``. It is a task of
the running server, not journaled: a restart forgets it (the commands it already sent
stay). One schedule per market; a new one replaces it. Steps already taken by someone
else (the operator closed the market by hand, say) are skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from augury.api.context import Context
from augury.api.errors import ApiError
from augury.domain.enums import MarketStatus
from augury.engine import commands as c

__all__ = ["SPEED_MAX", "Schedule", "Scheduler"]

log = logging.getLogger(__name__)

SPEED_MAX = 1_000_000
_NS_PER_S = 1_000_000_000
_DETERMINED = (MarketStatus.DETERMINED, MarketStatus.AMENDED)


@dataclass(slots=True)
class Schedule:
    """One accelerated market: what it does next and when (server clock, ns)."""

    ticker: str
    speed: Fraction
    result: Literal["yes", "no", "scalar", "void"]
    value_cc: int | None
    step: str = "close"
    due_ns: int = 0

    def render(self) -> dict[str, object]:
        return {
            "ticker": self.ticker,
            "speed": str(self.speed),
            "result": self.result,
            "next_step": self.step,
            "next_at_ns": self.due_ns,
        }


class Scheduler:
    """The running schedules of one server."""

    def __init__(self) -> None:
        self.schedules: dict[str, Schedule] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def start(self, context: Context, schedule: Schedule) -> None:
        """Start (or replace) a market's schedule; 409 if the market is not open yet."""
        market = context.exchange.markets.get(schedule.ticker)
        if market is None:
            raise ApiError(404, "market_not_found", f"market {schedule.ticker} not found")
        if market.status in (MarketStatus.INITIALIZED, MarketStatus.FINALIZED):
            raise ApiError(
                409,
                "invalid_transition",
                "only a market that has opened and is not settled can be scheduled",
            )
        self.cancel(schedule.ticker)
        self.schedules[schedule.ticker] = schedule
        self._tasks[schedule.ticker] = asyncio.get_running_loop().create_task(
            self._run(context, schedule), name=f"schedule-{schedule.ticker}"
        )

    def cancel(self, ticker: str) -> bool:
        """Stop a market's schedule; return whether it had one."""
        task = self._tasks.pop(ticker, None)
        self.schedules.pop(ticker, None)
        if task is None:
            return False
        task.cancel()
        return True

    async def stop(self) -> None:
        """Cancel every schedule (server shutdown)."""
        tasks = list(self._tasks.values())
        self._tasks.clear()
        self.schedules.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _wait_until(self, context: Context, schedule: Schedule, due_ns: int) -> None:
        schedule.due_ns = due_ns
        while True:
            left = due_ns - context.clock.now_ns()
            if left <= 0:
                return
            await asyncio.sleep(min(left / _NS_PER_S, 1.0))

    async def _run(self, context: Context, schedule: Schedule) -> None:
        try:
            await self._steps(context, schedule)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("the schedule of %s failed", schedule.ticker)
        finally:
            if self.schedules.get(schedule.ticker) is schedule:
                self.schedules.pop(schedule.ticker, None)
                self._tasks.pop(schedule.ticker, None)

    async def _steps(self, context: Context, schedule: Schedule) -> None:
        submit = context.runtime.sequencer.submit
        ticker = schedule.ticker

        def market() -> Any:
            # Read afresh after every await: the engine (Python or native) moves on, and a
            # native market view is a copy taken when it is read.
            return context.exchange.markets[ticker]

        start = context.clock.now_ns()
        if market().before_close:
            left = max(0, market().close_ts_ns - start)
            await self._wait_until(context, schedule, start + int(left / schedule.speed))
            if market().before_close:
                await submit(c.SetMarketState(ticker=ticker, action="close"))
        if market().status not in (*_DETERMINED, MarketStatus.FINALIZED):
            schedule.step = "determine"
            await submit(
                c.DetermineMarket(ticker=ticker, result=schedule.result, value_cc=schedule.value_cc)
            )
        if market().status in _DETERMINED:
            schedule.step = "settle"
            timer_ns = market().settlement_timer_s * _NS_PER_S
            await self._wait_until(
                context, schedule, context.clock.now_ns() + int(timer_ns / schedule.speed)
            )
            if market().status in _DETERMINED:
                await submit(c.FinalizeMarket(ticker=ticker))
