"""Snapshots name their state format; recovery never loads one from another format.

A snapshot is a pickle of the engine's objects, so it is only readable by code whose
classes keep the same fields. ``make_snapshot`` writes ``augury-state/<format>`` before the
pickle; ``load_snapshot`` refuses any other format, and recovery then replays the journal
from its first command, reaching the same state the live exchange has.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Literal

import pytest

from augury.engine import commands as c
from augury.engine.exchange import Exchange
from augury.engine.state import (
    SNAPSHOT_FORMAT,
    SnapshotFormatError,
    load_snapshot,
    make_snapshot,
    snapshot_format,
    state_digest,
)
from augury.runtime.boot import recover
from augury.store import Journal
from tests.engine.market_setup import one_market

# (time, command): the setup at 1, trade i at 10 + i.
SETUP: list[tuple[int, c.Command]] = [
    (1, command) for command in one_market({"ann": 10_000_000, "bob": 10_000_000})
]


def _trade(i: int) -> list[tuple[int, c.Command]]:
    def order(
        user: str,
        side: Literal["bid", "ask"],
        tif: Literal["good_till_canceled", "immediate_or_cancel"],
    ) -> tuple[int, c.Command]:
        return 10 + i, c.PlaceOrder(
            user_id=user,
            ticker="M",
            side=side,
            price_cc=4_000 + 100 * (i % 5),
            count_c=100 * (1 + i % 3),
            time_in_force=tif,
        )

    return [order("ann", "bid", "good_till_canceled"), order("bob", "ask", "immediate_or_cancel")]


def _journal(url: str, trades: int, snapshots: dict[int, str]) -> Exchange:
    """Journal SETUP and ``trades`` trades, storing a snapshot after the seqs named in
    ``snapshots`` (``"current"`` or ``"headerless"``, the format-1 layout); return the
    live exchange."""
    exchange = Exchange("augury")
    commands = [*SETUP, *(cmd for i in range(trades) for cmd in _trade(i))]
    with Journal.open(url) as journal:
        for seq, (ts_ns, command) in enumerate(commands, start=1):
            exchange.apply(command, ts_ns)
            journal.append_batch([(seq, ts_ns, c.encode_command(command))])
            kind = snapshots.get(seq)
            if kind == "current":
                journal.write_snapshot(seq, ts_ns, make_snapshot(exchange))
            elif kind == "headerless":
                journal.write_snapshot(seq, ts_ns, pickle.dumps(exchange))
    return exchange


def test_a_snapshot_names_its_format() -> None:
    payload = make_snapshot(Exchange("augury"))
    assert payload.startswith(b"augury-state/%d\n" % SNAPSHOT_FORMAT)
    assert snapshot_format(payload) == SNAPSHOT_FORMAT
    assert state_digest(load_snapshot(payload)) == state_digest(Exchange("augury"))


@pytest.mark.parametrize(
    ("payload", "found"),
    [
        (pickle.dumps(Exchange("augury")), 1),  # written before the header existed
        (b"augury-state/%d\n" % (SNAPSHOT_FORMAT + 1) + pickle.dumps(Exchange("augury")), None),
        (b"augury-state/x\n" + pickle.dumps(Exchange("augury")), None),
        (b"augury-state/" + b"9" * 40, None),
    ],
)
def test_other_formats_are_refused(payload: bytes, found: int | None) -> None:
    if found is not None:
        assert snapshot_format(payload) == found
    with pytest.raises(SnapshotFormatError):
        load_snapshot(payload)


def test_recovery_replays_the_journal_past_an_old_format_snapshot(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/j.db"
    live = _journal(url, 40, {20: "current", 60: "headerless"})
    with Journal.open(url) as journal:
        result = recover(journal, "augury")
    # The newest snapshot is refused, and no older one is tried: the journal rebuilds all.
    assert result.snapshot_seq == 0
    assert result.skipped_snapshots == (60,)
    assert result.replayed == len(SETUP) + 80
    assert state_digest(result.exchange) == state_digest(live)


def test_recovery_starts_from_the_newest_snapshot_the_read_models_allow(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/j.db"
    live = _journal(url, 40, {20: "current", 50: "current", 80: "current"})
    with Journal.open(url) as journal:
        newest = recover(journal, "augury")
        bounded = recover(journal, "augury", max_snapshot_seq=79)
        none_fits = recover(journal, "augury", max_snapshot_seq=19)
    assert (newest.snapshot_seq, bounded.snapshot_seq, none_fits.snapshot_seq) == (80, 50, 0)
    digests = {state_digest(r.exchange) for r in (newest, bounded, none_fits)}
    assert digests == {state_digest(live)}
