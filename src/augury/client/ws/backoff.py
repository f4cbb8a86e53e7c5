"""Reconnect backoff: ``min(cap, base * 2**n)`` seconds plus jitter, after failure ``n``.

With the defaults (base 1 s, cap 30 s, jitter up to 1 s) the waits are 1, 2, 4, 8, 16, 30,
30... seconds plus ``uniform(0, 1)`` each; the count resets once a connection is up and
subscribed. Jitter spreads the reconnects of many clients after a server restart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Backoff"]


@dataclass(frozen=True, slots=True)
class Backoff:
    """The reconnect schedule; ``delay(n, rand)`` is the wait after failure ``n`` (from 0)."""

    base_s: float = 1.0
    cap_s: float = 30.0
    jitter_s: float = 1.0

    def delay(self, failures: int, rand: Callable[[], float]) -> float:
        """Return the wait before reconnect attempt ``failures`` (0-based)."""
        base: float = min(self.cap_s, self.base_s * 2**failures)
        return base + rand() * self.jitter_s
