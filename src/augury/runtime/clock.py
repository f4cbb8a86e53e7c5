"""Clocks: the only place Augury reads the time.

The engine never reads a clock; the sequencer reads ``Clock.now_ns()`` once per batch and
hands that time to the journal and to ``Exchange.apply`` with each command.
``SystemClock`` is the wall clock, made monotonic (a step backwards of the system time
never makes a command older than the one before it). ``FakeClock`` is moved by hand in
tests and by the accelerated demo clock.
"""

from __future__ import annotations

import time
from typing import Protocol

__all__ = ["Clock", "FakeClock", "SystemClock"]


class Clock(Protocol):
    def now_ns(self) -> int:
        """Return the current time in nanoseconds since the Unix epoch."""
        ...


class SystemClock:
    """Wall-clock time that never goes backwards."""

    def __init__(self) -> None:
        self._last = 0

    def now_ns(self) -> int:
        now = time.time_ns()
        if now <= self._last:
            now = self._last + 1
        self._last = now
        return now


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start_ns: int = 1_767_225_600_000_000_000) -> None:  # 2026-01-01
        self._now = start_ns

    def now_ns(self) -> int:
        return self._now

    def advance(self, delta_ns: int) -> None:
        """Move time forward."""
        assert delta_ns >= 0
        self._now += delta_ns

    def set(self, now_ns: int) -> None:
        """Jump to a later time."""
        assert now_ns >= self._now
        self._now = now_ns
