"""SQLite's group commit writes a batch as multi-row INSERTs (256, 128, ..., 1 rows per
statement; decision 0064) instead of one statement per row. What must not change: every
row lands exactly as given, whatever the batch size (sizes that need every statement
width, and more than one widest statement), and a batch that fails in any of its
statements leaves nothing of itself behind. Rows are read back with the stdlib
``sqlite3``, not through the journal.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from augury.store import Journal, record_crc32


def _records(first: int, last: int) -> list[tuple[int, int, bytes]]:
    return [(s, 1_000 + s, f"payload {s}".encode() * (s % 3 + 1)) for s in range(first, last + 1)]


def _rows(path: Path) -> list[tuple[int, int, bytes, int]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT seq, ts_ns, payload, crc32 FROM journal ORDER BY seq").fetchall()


@pytest.mark.parametrize("sizes", [[1], [2, 3, 255], [256, 257], [511, 1, 1_024, 700]])
def test_every_row_lands_as_given_whatever_the_batch_size(tmp_path: Path, sizes: list[int]) -> None:
    path = tmp_path / "j.db"
    expected: list[tuple[int, int, bytes, int]] = []
    with Journal.open(f"sqlite:///{path}") as journal:
        last = 0
        for size in sizes:
            batch = _records(last + 1, last + size)
            journal.append_batch(batch)
            expected += [(s, t, p, record_crc32(s, t, p)) for s, t, p in batch]
            last += size
    assert _rows(path) == expected


def test_a_batch_failing_in_its_last_statement_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    with Journal.open(f"sqlite:///{path}") as journal:
        journal.append_batch(_records(1, 3))
        # 700 rows are statements of 256, 256, 128, 32, 16, 8 and 4 rows: a row planted at
        # the batch's last seq makes only the last statement fail.
        with sqlite3.connect(path) as db:
            db.execute("INSERT INTO journal VALUES (703, 0, x'00', 0)")
        with pytest.raises(sqlite3.IntegrityError):
            journal.append_batch(_records(4, 703))
        assert journal.last_seq() == 3
    assert [row[0] for row in _rows(path)] == [1, 2, 3, 703]
