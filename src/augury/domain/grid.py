"""Price grids: which YES prices a market accepts, and their dense step indices.

A market's ``price_level_structure`` names a set of ranges ``[start, end)`` with a tick
(``step``) each, exactly as Kalshi publishes them in ``price_ranges``. Augury turns the
ranges into one sorted tuple of valid prices in centi-cents and a dense index per price,
so a book side can be a flat list indexed by grid step.

Invariants:
- every grid is symmetric around $0.50: ``p`` is valid iff ``10_000 - p`` is valid, so a
  NO bid at a valid NO price is a YES ask at a valid YES price;
- 0 and $1 are never valid prices (a contract at 0 or 1 has nothing to trade);
- indices are dense, ascending with price, starting at 0.
"""

from __future__ import annotations

from typing import Final

from augury.domain.units import ONE_DOLLAR_CC, dollars_cc_to_str

__all__ = ["GRIDS", "PriceGrid", "PriceRange", "grid_for"]

# (start_cc, end_cc, step_cc): prices start, start+step, ... below end (end itself belongs
# to the next range, or is $1, which is never tradable).
PriceRange = tuple[int, int, int]

_STRUCTURES: Final[dict[str, tuple[PriceRange, ...]]] = {
    "linear_cent": ((0, ONE_DOLLAR_CC, 100),),
    "deci_cent": ((0, ONE_DOLLAR_CC, 10),),
    # Deci-cent ticks at both tails, whole cents in the middle (Kalshi's tapered grid).
    "tapered_deci_cent": ((0, 1_000, 10), (1_000, 9_000, 100), (9_000, ONE_DOLLAR_CC, 10)),
}


class PriceGrid:
    """The valid YES prices of one price level structure."""

    __slots__ = ("_index", "name", "prices_cc", "ranges")

    def __init__(self, name: str, ranges: tuple[PriceRange, ...]) -> None:
        prices: list[int] = []
        for start, end, step in ranges:
            prices.extend(p for p in range(start, end, step) if 0 < p < ONE_DOLLAR_CC)
        self.name = name
        self.ranges = ranges
        self.prices_cc: tuple[int, ...] = tuple(sorted(set(prices)))
        self._index = {p: i for i, p in enumerate(self.prices_cc)}
        assert all(ONE_DOLLAR_CC - p in self._index for p in self.prices_cc), name

    def __len__(self) -> int:
        return len(self.prices_cc)

    def index_of(self, price_cc: int) -> int:
        """Return the step index of a price, or -1 when the price is off the grid."""
        return self._index.get(price_cc, -1)

    def wire_ranges(self) -> list[dict[str, str]]:
        """Return the grid as Kalshi's ``price_ranges`` list of dollar strings."""
        return [
            {
                "start": dollars_cc_to_str(start),
                "end": dollars_cc_to_str(end),
                "step": dollars_cc_to_str(step),
            }
            for start, end, step in self.ranges
        ]


GRIDS: Final[dict[str, PriceGrid]] = {
    name: PriceGrid(name, ranges) for name, ranges in _STRUCTURES.items()
}


def grid_for(price_level_structure: str) -> PriceGrid | None:
    """Return the grid of a structure name, or None for a structure Augury does not know."""
    return GRIDS.get(price_level_structure)
