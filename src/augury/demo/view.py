"""What the simulated traders see each round, and how busy they are.

A ``MarketView`` pairs a market of the read side with the truth's fair probability for it
this round; agents read books and their own positions through the read port (as a client
reads the REST API) and act only through commands. ``Activity`` is the ``--activity`` knob.
"""

from __future__ import annotations

from dataclasses import dataclass

from augury import queries as q

__all__ = ["ACTIVITY", "Activity", "MarketView"]


@dataclass(frozen=True, slots=True)
class Activity:
    """How much the simulated traders do."""

    takers_per_s: float  # noise orders that cross the spread
    passive_per_s: float  # noise limit orders that rest inside or at the touch
    informed_every: int  # rounds between two scans of one informed trader
    maker_levels: int  # depth of each maker's quotes, per side
    size_scale: float  # multiplies order sizes


ACTIVITY: dict[str, Activity] = {
    "low": Activity(takers_per_s=1.5, passive_per_s=0.5, informed_every=8, maker_levels=2,
                    size_scale=0.5),
    "normal": Activity(takers_per_s=4.0, passive_per_s=1.5, informed_every=4, maker_levels=3,
                       size_scale=1.0),
    "high": Activity(takers_per_s=12.0, passive_per_s=4.0, informed_every=2, maker_levels=4,
                     size_scale=2.0),
}  # fmt: skip


@dataclass(slots=True)
class MarketView:
    """One tradable demo market this round."""

    ticker: str
    market: q.MarketView
    fair: float  # the truth's probability of YES
    speed_cc: float  # how far the fair price moves in one second (one sd), in cc
    popularity: float
    category: str
