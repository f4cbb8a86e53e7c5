"""The notifier's watermark never moves past a batch whose notifications were not written.

A batch's write is made to fail (injected at the transaction); the next batch must write
the failed batch's notifications too, and the watermark on disk must name a command only
once every note up to it is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from augury.engine import commands as c
from augury.engine.events import CashMovement
from augury.engine.results import Outcome
from augury.platform.db import PlatformDb, Tx
from augury.platform.notify import Notifier
from augury.platform.service import read_watermark

USER = "u-1"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[PlatformDb]:
    database = PlatformDb.open(f"sqlite:///{tmp_path}/platform.db")
    yield database
    database.close()


def _deposit(seq: int, cents: int) -> tuple[int, c.Command, Outcome[object]]:
    event = CashMovement(seq, "deposit", USER, 0, cents * 100, None, f"ref-{seq}")
    command = c.CreateUser(user_id=USER, name="stand-in")  # the notifier reads events only
    return seq, command, Outcome([event], None, None, seq)


class FailingWrites:
    """Make the next ``count`` transactions on the platform thread fail."""

    def __init__(self, db: PlatformDb) -> None:
        self.db = db
        self.count = 0
        self.real = db.transaction_sync

    def __call__(self, fn: Callable[[Tx], Any]) -> Any:
        if self.count:
            self.count -= 1
            raise OSError("disk full (injected)")
        return self.real(fn)


def _batch(notifier: Notifier, seq: int, cents: int) -> None:
    notifier.on_batch([_deposit(seq, cents)])
    notifier.db.thread.submit(lambda: None).result()  # one thread: the write has run


def _stored(db: PlatformDb) -> tuple[int, list[str]]:
    def read(tx: Tx) -> tuple[int, list[str]]:
        rows = tx.all("SELECT payload FROM platform_notifications ORDER BY seq")
        return read_watermark(tx), [str(row[0]) for row in rows]

    return db.thread.submit(read, db._tx).result()


def test_a_failed_batch_is_written_by_the_next_one(db: PlatformDb) -> None:
    notifier = Notifier(db, watermark=4)
    notifier.members = {USER}
    failing = FailingWrites(db)
    db.transaction_sync = failing  # type: ignore[method-assign]
    failing.count = 1
    _batch(notifier, 5, 11)
    assert _stored(db) == (0, [])  # nothing written, the watermark did not move
    assert notifier.watermark == 4
    _batch(notifier, 6, 22)
    watermark, payloads = _stored(db)
    assert watermark == 6
    assert ['"amountCents": 11' in p for p in payloads] == [True, False]
    assert ['"amountCents": 22' in p for p in payloads] == [False, True]
    assert notifier.watermark == 6


def test_the_watermark_stays_while_writes_keep_failing(db: PlatformDb) -> None:
    notifier = Notifier(db, watermark=0)
    notifier.members = {USER}
    failing = FailingWrites(db)
    db.transaction_sync = failing  # type: ignore[method-assign]
    _batch(notifier, 1, 1)
    assert (_stored(db)[0], len(_stored(db)[1])) == (1, 1)
    failing.count = 2
    _batch(notifier, 2, 2)
    _batch(notifier, 3, 3)
    watermark, payloads = _stored(db)
    assert (watermark, len(payloads)) == (1, 1)  # a restart would derive 2 and 3 again
    _batch(notifier, 4, 4)
    watermark, payloads = _stored(db)
    assert watermark == 4
    assert [p.split('"amountCents": ')[1].split(",")[0] for p in payloads] == ["1", "2", "3", "4"]
