"""The demo's accelerated clock: simulated time that runs ``speed`` times faster than real.

``augury demo --speed N`` hands this clock to the server, so markets open, close and settle
N times sooner; the sequencer stamps commands with it like any other clock. It only ever
moves forward: ``catch_up`` jumps it to a later time, so a demo restarted on a journal
written by a faster run resumes right after its last command instead of freezing until
the wall clock gets there. (The demo uses this clock even at speed 1 for that reason; on
an ordinary restart it reads exactly the wall clock.)

Limit: signed API requests carry wall-clock timestamps and the server checks them against
this clock, so with ``speed > 1`` SDK clients are refused once the two drift more than the
authentication window (30 s) apart. Acceleration is for watching and for tests.
"""

from __future__ import annotations

from augury.runtime.clock import Clock

__all__ = ["AcceleratedClock"]


class AcceleratedClock:
    """``origin + (base - origin) * speed``, never going backwards."""

    def __init__(self, base: Clock, speed: float) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._base = base
        self.speed = speed
        self._origin = base.now_ns()
        self._offset = 0
        self._last = 0

    def _raw(self) -> int:
        elapsed = self._base.now_ns() - self._origin
        if self.speed != 1:
            elapsed = int(elapsed * self.speed)
        return self._origin + self._offset + elapsed

    def now_ns(self) -> int:
        now = self._raw()
        if now <= self._last:
            now = self._last + 1
        self._last = now
        return now

    def catch_up(self, ts_ns: int) -> None:
        """Jump forward so that the clock reads at least ``ts_ns``."""
        raw = self._raw()
        if ts_ns > raw:
            self._offset += ts_ns - raw
