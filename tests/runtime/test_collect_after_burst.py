"""Garbage left in the collector's oldest generation is freed after a burst (``api/memory.py``).

The server raises the collector's thresholds after recovery (``runtime.boot``), so cyclic
garbage that was promoted to the oldest generation while it was alive (an attacking
connection's objects, decision 0057) is never collected by the automatic collector.
``MemoryTrimmer.collect_if_grown`` runs a full collection once live blocks have grown by
``growth_blocks`` since the last one, and not otherwise.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from augury.api.memory import COLLECT_SPACING, MemoryTrimmer


class Node:
    """A cycle of two of these is garbage only the cyclic collector can free."""

    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture
def server_thresholds() -> Iterator[None]:
    """The collector as the server runs it (runtime.boot), restored afterwards."""
    saved = gc.get_threshold()
    gc.set_threshold(50_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*saved)


def promoted_cycle() -> weakref.ref[Node]:
    """Make a cycle, promote it to the oldest generation while alive, then drop it."""
    a, b = Node(), Node()
    a.other, b.other = b, a
    gc.collect(0)  # survivors of generation 0 move to 1 ...
    gc.collect(1)  # ... and of generation 1 to 2
    return weakref.ref(a)


class Counter:
    """An injected live-block count the test moves by hand."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __call__(self) -> int:
        return self.value


def test_young_collections_leave_promoted_garbage(server_thresholds: None) -> None:
    # What the fix is for: without a full pass the cycle stays allocated.
    ref = promoted_cycle()
    gc.collect(0)
    gc.collect(1)
    assert ref() is not None
    gc.collect()
    assert ref() is None


def test_full_collection_after_growth_frees_promoted_garbage(server_thresholds: None) -> None:
    blocks = Counter(100_000)
    trimmer = MemoryTrimmer(growth_blocks=20_000, blocks=blocks)
    ref = promoted_cycle()
    blocks.value = 100_000 + 19_999
    assert trimmer.collect_if_grown() is False
    assert ref() is not None  # below the growth that earns a collection: nothing ran
    blocks.value = 100_000 + 20_000
    assert trimmer.collect_if_grown() is True
    assert ref() is None
    assert trimmer.collections == 1


def test_growth_is_measured_from_after_the_last_collection() -> None:
    blocks = Counter(100_000)
    calls: list[int] = []

    def collect() -> int:
        calls.append(blocks.value)
        blocks.value -= 5_000  # the collection freed some garbage; the rest is kept
        return 0

    # A clock that stands still: passes take no time, so the spacing rule never applies.
    trimmer = MemoryTrimmer(growth_blocks=20_000, blocks=blocks, collect=collect, now=lambda: 0.0)
    blocks.value = 130_000
    assert trimmer.collect_if_grown() is True  # level after it: 125,000
    blocks.value = 144_999
    assert trimmer.collect_if_grown() is False  # kept memory raised the bar
    blocks.value = 145_000
    assert trimmer.collect_if_grown() is True
    assert calls == [130_000, 145_000]
    assert trimmer.collections == 2


def test_a_long_pass_is_followed_by_a_pause_a_hundred_times_as_long() -> None:
    # A large heap makes a full pass long; the next one waits 100x that long, so the
    # collector keeps to about 1 % of the loop however often the heap grows.
    blocks = Counter(0)
    clock = [1_000.0]

    def collect() -> int:
        clock[0] += 0.5  # this pass takes half a second
        return 0

    trimmer = MemoryTrimmer(
        growth_blocks=20_000, blocks=blocks, collect=collect, now=lambda: clock[0]
    )
    blocks.value = 20_000
    assert trimmer.collect_if_grown() is True  # 1,000.0 -> 1,000.5
    assert COLLECT_SPACING == 100
    blocks.value = 40_000
    clock[0] = 1_000.5 + 49.9
    assert trimmer.collect_if_grown() is False  # 50 s after a 0.5 s pass is too soon
    clock[0] = 1_000.5 + 50.0
    assert trimmer.collect_if_grown() is True
    assert trimmer.collections == 2
