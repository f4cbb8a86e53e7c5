"""The ids the engine mints: orders, trades, fills and order groups, from one counter.

An id looks like a UUID (8-4-4-4-12 hex digits): ``{prefix}-{kind:04x}-4000-8000-{n:012x}``
where ``prefix`` is the first 8 hex digits of SHA-256 of the exchange's instance id,
``kind`` says what the id names (``IdKind``) and ``n`` is the allocator's counter. The
counter is shared by every kind, so no two ids of an exchange are equal whatever their
kind, and it is part of the state (``state_digest``): it moves once per id minted, and
never for a refused command (an order's id is only used up once it is accepted).
"""

from __future__ import annotations

import hashlib
from enum import IntEnum

__all__ = ["IdAllocator", "IdKind"]


class IdKind(IntEnum):
    """What an id names; the second group of its digits."""

    ORDER = 1
    TRADE = 2
    FILL = 3
    ORDER_GROUP = 4


class IdAllocator:
    """Mints the exchange's ids in a fixed, replayable order."""

    __slots__ = ("_fill", "_group", "_order", "_trade", "counter", "prefix")

    def __init__(self, instance_id: str) -> None:
        self._start(hashlib.sha256(instance_id.encode()).hexdigest()[:8], 0)

    @classmethod
    def restore(cls, prefix: str, counter: int) -> IdAllocator:
        """Return the allocator a snapshot recorded: its prefix and its counter."""
        ids = cls.__new__(cls)
        ids._start(prefix, counter)
        return ids

    def _start(self, prefix: str, counter: int) -> None:
        self.prefix = prefix
        # Everything before the counter, per kind, so minting an id formats one number.
        self._order = f"{prefix}-{IdKind.ORDER:04x}-4000-8000-"
        self._trade = f"{prefix}-{IdKind.TRADE:04x}-4000-8000-"
        self._fill = f"{prefix}-{IdKind.FILL:04x}-4000-8000-"
        self._group = f"{prefix}-{IdKind.ORDER_GROUP:04x}-4000-8000-"
        self.counter = counter  # ids minted so far, all kinds together

    def next_order_id(self) -> str:
        """Return the id the next accepted order gets, without using it up.

        An order carries its id while it is checked; ``order_accepted`` uses the id up
        once nothing can refuse the order any more.
        """
        return f"{self._order}{self.counter + 1:012x}"

    def order_accepted(self) -> None:
        """Use up the id ``next_order_id`` returned."""
        self.counter += 1

    def new_trade_id(self) -> str:
        self.counter += 1
        return f"{self._trade}{self.counter:012x}"

    def new_fill_id(self) -> str:
        self.counter += 1
        return f"{self._fill}{self.counter:012x}"

    def new_group_id(self) -> str:
        self.counter += 1
        return f"{self._group}{self.counter:012x}"
