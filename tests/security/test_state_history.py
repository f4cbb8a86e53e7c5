"""The history writer never fails silently (issue 10, "Critical"; decision 0015).

Before, one value the history database could not hold (a nanosecond time beyond 2**63)
failed the batch, every later batch failed behind it, and history reads went on
answering the stale rows with 200. Now a batch the database refuses is written again one
command at a time; the command whose rows fail is logged, counted (``skipped``, shown by
``/admin/v1/audit``) and passed over, and every other command's rows are written. If the
database itself fails, history reads answer ``HistoryUnavailable`` (503) rather than
stale rows.

The engine's domain checks keep such values out; these tests hand the writer events the
engine would no longer produce, to prove the writer's own guard.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from augury.engine import commands as c
from augury.engine.events import CashMovement
from augury.engine.exchange import Outcome
from augury.runtime.boot import HistoryFeed, HistoryUnavailable, failed_outcome
from augury.store.history import HistoryWriter
from augury.store.history_read import HistoryReader

T = 1_796_000_000_000_000_000


def _deposit(seq: int, amount_cc: int) -> tuple[int, c.Command, Outcome[object]]:
    command = c.Deposit(user_id="alice", amount_cc=amount_cc)
    event = CashMovement(
        ts_ns=T + seq, kind="deposit", user_id="alice", subaccount=0, amount_cc=amount_cc
    )
    return seq, command, Outcome([event], None, amount_cc, T + seq)


def _feed(tmp_path: Path) -> HistoryFeed:
    url = f"sqlite:///{tmp_path / 'history.db'}"
    writer = HistoryWriter.open(url)
    return HistoryFeed(writer, HistoryReader.open(url))


def _amounts(feed: HistoryFeed) -> list[int]:
    rows, _ = feed.reader.cash_movements("alice", limit=100)
    return sorted(row.amount_cc for row in rows)


def test_an_unwritable_row_is_skipped_and_the_rest_is_written(tmp_path: Path) -> None:
    feed = _feed(tmp_path)
    try:
        feed.write([_deposit(1, 100), _deposit(2, 2**64), _deposit(3, 300)])
        assert feed.skipped == [2]
        assert feed.failed is None
        assert _amounts(feed) == [100, 300]
        assert feed.writer.watermark() == 3
        feed.write([_deposit(4, 400)])  # and history goes on
        assert _amounts(feed) == [100, 300, 400]
    finally:
        feed.close()


def test_a_failed_command_writes_no_rows(tmp_path: Path) -> None:
    feed = _feed(tmp_path)
    try:
        batch = c.Batch.of([c.Tick()])
        feed.write([_deposit(1, 100), (2, batch, failed_outcome(T)), _deposit(3, 300)])
        assert feed.skipped == []
        assert _amounts(feed) == [100, 300]
    finally:
        feed.close()


def test_a_failed_database_makes_history_reads_unavailable_not_stale(tmp_path: Path) -> None:
    feed = _feed(tmp_path)
    try:
        feed.write([_deposit(1, 100)])
        feed.writer._conn.close()
        feed.write([_deposit(2, 200)])
        assert feed.failed is not None

        async def read() -> object:
            return await feed.read(lambda reader: reader.cash_movements("alice"))

        with pytest.raises(HistoryUnavailable):
            asyncio.run(read())
    finally:
        feed.thread.shutdown()
        feed.read_thread.shutdown()
        feed.reader.close()
