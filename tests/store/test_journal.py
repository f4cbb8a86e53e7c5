"""Behaviour of the durable journal and snapshot store, on SQLite and (when configured) PostgreSQL.

PostgreSQL runs when AUGURY_TEST_POSTGRES_URL is set; each test then gets its own schema (via
the URL's search_path) so tests never see each other's tables.
"""

from __future__ import annotations

import os
import random
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from psycopg import sql
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from augury.store import (
    CorruptRecordError,
    Journal,
    JournalError,
    RecoveryReport,
    record_crc32,
    tables,
    upgrade,
)
from augury.store.migrate import sqlalchemy_url

PG_URL = os.environ.get("AUGURY_TEST_POSTGRES_URL")
INTEGRITY_ERRORS = (sqlite3.IntegrityError, psycopg.errors.UniqueViolation)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'journal.db'}"
        return
    if not PG_URL:
        pytest.skip("AUGURY_TEST_POSTGRES_URL is not set")
    schema = f"t_{secrets.token_hex(6)}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    separator = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def payload_for(seq: int) -> bytes:
    return f"command {seq} ".encode() * 8


def records(first: int, last: int) -> list[tuple[int, int, bytes]]:
    return [
        (seq, 1_700_000_000_000_000_000 + seq, payload_for(seq)) for seq in range(first, last + 1)
    ]


def append_range(journal: Journal, first: int, last: int, batch: int = 7) -> None:
    for start in range(first, last + 1, batch):
        journal.append_batch(records(start, min(start + batch - 1, last)))


def raw(
    url: str, statement: str, params: Mapping[str, object] | None = None
) -> list[tuple[object, ...]]:
    """Run SQL behind the journal's back, as bit rot or a bad tool would."""
    engine = create_engine(sqlalchemy_url(url), poolclass=NullPool)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(statement), dict(params or {}))
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


def seqs(journal: Journal, after: int = 0) -> list[int]:
    return [seq for seq, _, _ in journal.read_after(after)]


def test_append_then_read_round_trips(url: str) -> None:
    with Journal.open(url) as journal:
        journal.append_batch(records(1, 1))
        journal.append_batch(records(2, 11))
        journal.append_batch(records(12, 261))

        assert journal.last_seq() == 261
        assert list(journal.read_after(0)) == records(1, 261)
        assert list(journal.read_after(200, batch_size=7)) == records(201, 261)
        assert list(journal.read_after(261)) == []


def test_an_empty_journal_has_nothing_to_replay(url: str) -> None:
    with Journal.open(url) as journal:
        assert journal.recovery == RecoveryReport(last_good_seq=0, dropped_count=0)
        assert journal.last_seq() == 0
        assert list(journal.read_after(0)) == []
        assert journal.load_latest_snapshot() is None
        journal.append_batch([])
        assert journal.last_seq() == 0


def test_a_seq_gap_is_refused_before_anything_is_written(url: str) -> None:
    with Journal.open(url) as journal:
        journal.append_batch(records(1, 3))

        with pytest.raises(AssertionError, match="does not follow 3"):
            journal.append_batch(records(5, 6))
        with pytest.raises(AssertionError, match="does not follow 4"):
            journal.append_batch([*records(4, 4), *records(6, 6)])
        with pytest.raises(AssertionError):
            journal.append_batch(records(3, 4))

        assert journal.last_seq() == 3
        assert seqs(journal) == [1, 2, 3]


def test_a_batch_is_one_transaction(url: str) -> None:
    with Journal.open(url) as journal:
        append_range(journal, 1, 5)
        # A row planted at seq 8 makes the third record of the next batch fail in the DB.
        raw(
            url,
            "INSERT INTO journal (seq, ts_ns, payload, crc32) VALUES (8, 8, :p, :c)",
            {"p": b"x", "c": record_crc32(8, 8, b"x")},
        )

        with pytest.raises(INTEGRITY_ERRORS):
            journal.append_batch(records(6, 10))

        assert raw(url, "SELECT seq FROM journal WHERE seq > 5") == [(8,)]
        assert journal.last_seq() == 5
        raw(url, "DELETE FROM journal WHERE seq = 8")
        journal.append_batch(records(6, 10))
        assert list(journal.read_after(0)) == records(1, 10)


def test_a_torn_tail_is_dropped_and_appends_continue_from_there(url: str) -> None:
    with Journal.open(url) as journal:
        append_range(journal, 1, 10)
    raw(url, "UPDATE journal SET payload = :p WHERE seq = 10", {"p": b"torn"})

    with Journal.open(url) as journal:
        assert journal.recovery == RecoveryReport(
            last_good_seq=9, dropped_count=1, first_bad_seq=10
        )
        assert journal.last_seq() == 9
        assert list(journal.read_after(0)) == records(1, 9)
        journal.append_batch(records(10, 12))

    with Journal.open(url) as journal:
        assert journal.recovery == RecoveryReport(last_good_seq=12, dropped_count=0)
        assert list(journal.read_after(0)) == records(1, 12)


def test_a_corrupt_middle_record_ends_the_log_and_drops_later_snapshots(url: str) -> None:
    with Journal.open(url) as journal:
        append_range(journal, 1, 20)
        journal.write_snapshot(5, 1, b"state at 5")
        journal.write_snapshot(15, 2, b"state at 15")
    raw(url, "UPDATE journal SET crc32 = crc32 + 1 WHERE seq = 8")

    with Journal.open(url) as journal:
        assert journal.recovery == RecoveryReport(
            last_good_seq=7, dropped_count=13, first_bad_seq=8, dropped_snapshot_seqs=(15,)
        )
        assert seqs(journal) == list(range(1, 8))
        assert journal.load_latest_snapshot() == (5, b"state at 5")


def test_a_missing_record_ends_the_log(url: str) -> None:
    with Journal.open(url) as journal:
        append_range(journal, 1, 10)
    raw(url, "DELETE FROM journal WHERE seq = 5")

    with Journal.open(url) as journal:
        assert journal.recovery == RecoveryReport(last_good_seq=4, dropped_count=5, first_bad_seq=6)
        assert journal.last_seq() == 4


def test_reading_detects_corruption_that_happens_after_open(url: str) -> None:
    with Journal.open(url) as journal:
        append_range(journal, 1, 10)
        raw(url, "UPDATE journal SET payload = :p WHERE seq = 6", {"p": b"rot"})
        with pytest.raises(CorruptRecordError, match="record 6: crc32 mismatch"):
            list(journal.read_after(0))

        raw(url, "DELETE FROM journal WHERE seq >= 6")
        with pytest.raises(CorruptRecordError, match="record 6: missing"):
            list(journal.read_after(3))


def test_a_corrupt_snapshot_falls_back_to_an_older_one(url: str) -> None:
    with Journal.open(url) as journal:
        append_range(journal, 1, 30)
        for seq in (10, 20, 30):
            journal.write_snapshot(seq, seq, f"state at {seq}".encode())
        raw(url, "UPDATE snapshots SET payload = :p WHERE seq = 30", {"p": b"bit rot"})

        assert journal.load_latest_snapshot() == (20, b"state at 20")
        assert journal.skipped_snapshots == [30]

        raw(url, "UPDATE snapshots SET sha256 = :h WHERE seq = 20", {"h": "0" * 64})
        assert journal.load_latest_snapshot() == (10, b"state at 10")
        assert journal.skipped_snapshots == [30, 20]


def test_snapshots_are_pruned_to_the_newest_keep(url: str) -> None:
    with Journal.open(url) as journal:
        append_range(journal, 1, 50)
        for seq in (10, 20, 30, 40, 50):
            journal.write_snapshot(seq, seq, b"old")
        journal.write_snapshot(50, 51, b"rewritten")
        assert raw(url, "SELECT seq FROM snapshots ORDER BY seq") == [(30,), (40,), (50,)]
        assert journal.load_latest_snapshot() == (50, b"rewritten")

        journal.write_snapshot(50, 52, b"newest", keep=1)
        assert raw(url, "SELECT seq FROM snapshots") == [(50,)]
        with pytest.raises(AssertionError, match="outside"):
            journal.write_snapshot(51, 53, b"ahead of the log")
        with pytest.raises(ValueError, match="keep"):
            journal.write_snapshot(50, 53, b"x", keep=0)


def test_truncate_before_keeps_the_log_bounded_and_last_seq_stable(url: str) -> None:
    with Journal.open(url) as journal:
        append_range(journal, 1, 100)
        with pytest.raises(AssertionError, match="without a snapshot"):
            journal.truncate_before(60)

        journal.write_snapshot(60, 1, b"state at 60")
        assert journal.truncate_before(60) == 60
        assert journal.truncate_before(40) == 0
        assert seqs(journal, 60) == list(range(61, 101))
        with pytest.raises(JournalError, match="compacted"):
            list(journal.read_after(10))

    with Journal.open(url) as journal:
        assert journal.recovery == RecoveryReport(last_good_seq=100, dropped_count=0)
        journal.write_snapshot(100, 2, b"state at 100")
        assert journal.truncate_before(100) == 40

    with Journal.open(url) as journal:
        # The table is empty now, yet seqs must not restart at 1.
        assert journal.last_seq() == 100
        assert list(journal.read_after(100)) == []
        journal.append_batch(records(101, 101))
        assert seqs(journal, 100) == [101]


def test_meta_values_persist(url: str) -> None:
    with Journal.open(url) as journal:
        assert journal.get_meta("exchange_id") is None
        journal.set_meta("exchange_id", "ex-1")
        journal.set_meta("exchange_id", "ex-2")
        with pytest.raises(ValueError, match="reserved"):
            journal.set_meta("journal.truncated_through", "0")

    with Journal.open(url) as journal:
        assert journal.get_meta("exchange_id") == "ex-2"


def test_everything_persists_across_close_and_reopen(url: str) -> None:
    with Journal.open(url) as journal:
        append_range(journal, 1, 25)
        journal.write_snapshot(20, 7, b"state at 20")

    with Journal.open(url) as journal:
        assert journal.recovery == RecoveryReport(last_good_seq=25, dropped_count=0)
        assert journal.last_seq() == 25
        assert journal.load_latest_snapshot() == (20, b"state at 20")
        assert list(journal.read_after(20)) == records(21, 25)


def test_in_memory_sqlite_journals_are_private() -> None:
    with Journal.open("sqlite://") as first, Journal.open("sqlite://") as second:
        first.append_batch(records(1, 3))
        assert first.last_seq() == 3
        assert second.last_seq() == 0


def test_an_unknown_url_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="'mysql'"):
        Journal.open("mysql://user:secret@host/db")


def test_migrations_build_exactly_the_declared_tables(url: str) -> None:
    upgrade(url)
    upgrade(url)  # A second run is a no-op.

    engine = create_engine(sqlalchemy_url(url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), tables.metadata) == []
    finally:
        engine.dispose()


CHILD = """
import sys
from augury.store import Journal

journal = Journal.open(sys.argv[1])
seq, size = journal.last_seq(), 1
while True:
    batch = [(s, s, (b"%d " % s) * 20) for s in range(seq + 1, seq + size + 1)]
    journal.append_batch(batch)
    seq += size
    print(seq, flush=True)
    size = size % 40 + 1
"""


@pytest.mark.process
def test_a_killed_writer_leaves_a_verified_prefix_with_every_reported_commit(url: str) -> None:
    """SIGKILL mid-append: every batch the child saw committed survives, nothing half-written.

    This covers process crashes; power loss is the job of synchronous=FULL and PG's fsync,
    which a test on a live kernel cannot observe.
    """
    seed = int(os.environ.get("AUGURY_TEST_SEED", random.randrange(2**32)))
    kill_after_s = random.Random(seed).uniform(0.0, 0.25)
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None
        assert child.stderr is not None
        first = child.stdout.readline()  # Blocks until the first commit.
        assert first, child.stderr.read()
        time.sleep(kill_after_s)
        child.send_signal(signal.SIGKILL)
        child.wait()
        output = first + child.stdout.read()
    committed = [int(line) for line in output.splitlines(keepends=True) if line.endswith("\n")]

    with Journal.open(url) as journal:
        found = list(journal.read_after(0))
        assert journal.recovery.dropped_count == 0, f"seed={seed}"
        assert journal.last_seq() >= committed[-1], f"seed={seed}"
        assert [seq for seq, _, _ in found] == list(range(1, journal.last_seq() + 1))
        assert all(payload == (b"%d " % seq) * 20 for seq, _, payload in found)
