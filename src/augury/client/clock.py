"""Time for the client: one protocol, a system clock, and a fake one for tests.

The client reads time for three things only: the signature timestamp (Unix ms), the
rate limiter's refills and the cache's expiry, and it sleeps between retries. All of it
goes through a ``Clock`` (``now_ns``) and a ``sleep`` callable the caller may inject, so
a test can run a 500-second rate-limited session in milliseconds and assert the exact
sleeps. The protocol has the same shape as the server's clock, so a test can share one
fake clock between an in-process server and its client.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

__all__ = ["AsyncSleep", "Clock", "FakeClock", "Sleep", "SystemClock"]

Sleep = Callable[[float], None]
AsyncSleep = Callable[[float], Awaitable[None]]
NS_PER_S = 1_000_000_000


class Clock(Protocol):
    def now_ns(self) -> int:
        """Return the current time in nanoseconds since the Unix epoch."""
        ...


class SystemClock:
    """The wall clock; sleeping is ``time.sleep`` / ``asyncio.sleep``."""

    def now_ns(self) -> int:
        return time.time_ns()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    async def async_sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class FakeClock:
    """A clock that moves only when slept on (or told to); it records every sleep."""

    def __init__(self, start_ns: int = 1_767_225_600_000_000_000) -> None:
        self._now = start_ns
        self.sleeps: list[float] = []

    def now_ns(self) -> int:
        return self._now

    def advance(self, delta_ns: int) -> None:
        """Move time forward by ``delta_ns``."""
        assert delta_ns >= 0
        self._now += delta_ns

    def sleep(self, seconds: float) -> None:
        """Record the sleep and move time forward by it."""
        self.sleeps.append(seconds)
        self._now += round(seconds * NS_PER_S)

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)
