"""Millisecond timestamps that never repeat for one key, as Augury's replay check requires.

Augury refuses the second use of the same (key, timestamp, signature) on a write or a
WebSocket handshake (docs/SECURITY.md). Ed25519 signatures are deterministic, so two
requests to the same path signed by one key in the same millisecond are byte-identical,
and the second would be refused as a replay. A client that sends many requests per
millisecond with one key therefore gives each its own timestamp: the clock's, or one
more than the last it used. With ``slots`` > 1 several processes sharing a key each keep
to their own residue (``ms % slots == slot``), so they never collide either.
"""

from __future__ import annotations

import time

__all__ = ["UniqueStamps"]


class UniqueStamps:
    """Strictly increasing millisecond timestamps near the wall clock."""

    def __init__(self, slot: int = 0, slots: int = 1) -> None:
        self.slot = slot
        self.slots = slots
        self.last = 0

    def next(self) -> int:
        """Return the next timestamp: now (or just after the last one) in this slot."""
        now = max(int(time.time() * 1000), self.last + 1)
        now += (self.slot - now) % self.slots
        self.last = now
        return now
