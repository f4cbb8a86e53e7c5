"""The time-ordered due index: earliest first, changes and removals honoured, bounded."""

from __future__ import annotations

import random

from augury.queries.due import DueIndex


def test_earliest_due_time_follows_changes_and_removals() -> None:
    due = DueIndex()
    assert due.next_due_ns() is None
    due.set(("order", "a"), 50)
    due.set(("market", "M"), 30)
    due.set(("order", "b"), 40)
    assert due.next_due_ns() == 30
    due.set(("market", "M"), 60)  # the market moved on: closes later
    assert due.next_due_ns() == 40
    due.set(("order", "b"), None)  # cancelled
    assert due.next_due_ns() == 50
    due.set(("order", "a"), 70)
    assert due.next_due_ns() == 60
    due.set(("market", "M"), None)
    due.set(("order", "a"), None)
    assert due.next_due_ns() is None
    assert len(due) == 0


def test_matches_a_plain_minimum_under_random_changes() -> None:
    rng = random.Random(5)
    due = DueIndex()
    truth: dict[tuple[str, str], int] = {}
    for _ in range(20_000):
        key = ("order", str(rng.randrange(300)))
        when = None if rng.random() < 0.4 else rng.randrange(10_000)
        due.set(key, when)
        if when is None:
            truth.pop(key, None)
        else:
            truth[key] = when
        assert due.next_due_ns() == (min(truth.values()) if truth else None)
    # Stale entries are dropped as they surface and the heap is rebuilt when they pile up.
    assert len(due._heap) <= 1024 + 3 * len(truth) + 1
