"""The durable command journal and snapshot store: the exchange's state on disk.

The sequencer appends every accepted command here, one transaction per batch (group commit),
before it releases any response. On start the server calls ``Journal.open`` (which migrates the
schema and runs ``recover``), loads the newest verified snapshot and replays ``read_after`` its
seq. Payloads are opaque bytes: the engine owns their encoding.

Invariants:

- The kept journal rows are exactly ``floor + 1 .. last_seq()`` with no gap. ``floor`` is the
  point up to which ``truncate_before`` compacted (0 if never), stored in ``meta`` so that
  ``last_seq()`` never moves backwards when compaction empties the table.
- ``append_batch`` writes a whole batch in one transaction, or nothing.
- Every row carries ``crc32(seq ‖ ts_ns ‖ payload)`` and is verified whenever it is read.
- The valid log is the longest verified, contiguous prefix. ``recover`` deletes the first row
  that fails its crc or breaks contiguity, every row after it, and every snapshot past the new
  end (its state includes commands that no longer exist, and new commands will reuse those
  seqs). Corruption in the *middle* ends the log too: each command was applied to the state
  left by all the commands before it, so a record after an unverifiable one cannot be replayed
  on its own, and a bad record may equally be a torn write that hides where the tail really
  was. Nothing after it can be trusted, so it is never half-applied.
- A record may be marked *void* (``void_record``): it stays in the log (its seq, crc and
  bytes are untouched, so nothing after it moves), but replay treats it as a command that
  failed and changed nothing. The runtime voids a command whose apply raised (decision
  0015), and an operator can void one that this build cannot decode
  (``augury journal void``). The set lives in ``meta`` and is written durably.
- ``write_snapshot`` only accepts seqs in ``floor .. last_seq()``, and ``truncate_before(seq)``
  requires a snapshot at ``>= seq``, so replay from the newest snapshot never needs a deleted
  row. (Older snapshots left behind the new floor can no longer be replayed from;
  ``read_after`` says so with ``JournalError`` rather than skip records.)

Limits:

- One owner: not thread-safe. Only the sequencer's thread or task may call it.
- No reconnect. Any exception from a write leaves this object's view of the database unknown
  (a lost PostgreSQL connection may have committed); the owner should close and reopen, and
  ``recover`` re-reads the truth.
- ``recover`` reads every kept row, so its cost grows with the log until ``truncate_before``.
- The write path uses the raw drivers (stdlib ``sqlite3``, psycopg 3): SQLAlchemy Core measured
  2.6x slower on it (ECOSYSTEM.md §4). SQLAlchemy and Alembic only own the schema.
- SQLite runs WAL with ``synchronous=FULL``: a commit survives power loss, and group commit pays
  its fsync once per batch.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import struct
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import psycopg
from psycopg.rows import TupleRow
from sqlalchemy.engine import make_url

from augury.store.migrate import upgrade
from augury.store.rawsql import SQLITE_CACHE_KIB, ClosesOnExit

__all__ = [
    "CorruptRecordError",
    "Journal",
    "JournalError",
    "RecoveryReport",
    "record_crc32",
]

_Row = tuple[int, int, bytes, int]
_Params = Sequence[object]

_HEADER = struct.Struct(">qq")
_SCAN_BATCH = 10_000
_SQLITE_BUSY_TIMEOUT_MS = 5_000
_FLOOR_KEY = "journal.truncated_through"
_VOID_KEY = "journal.void_seqs"

# SQL is written once with "?" placeholders; the PostgreSQL backend rewrites them to "%s".
_INSERT_JOURNAL = "INSERT INTO journal (seq, ts_ns, payload, crc32) VALUES (?, ?, ?, ?)"
_COPY_JOURNAL = "COPY journal (seq, ts_ns, payload, crc32) FROM STDIN (FORMAT BINARY)"
_COPY_TYPES = ["int8", "int8", "bytea", "int8"]
_SELECT_AFTER = "SELECT seq, ts_ns, payload, crc32 FROM journal WHERE seq > ? ORDER BY seq LIMIT ?"
_UPSERT_SNAPSHOT = (
    "INSERT INTO snapshots (seq, created_ns, payload, sha256) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (seq) DO UPDATE SET created_ns = excluded.created_ns, "
    "payload = excluded.payload, sha256 = excluded.sha256"
)
_PRUNE_SNAPSHOTS = (
    "DELETE FROM snapshots WHERE seq NOT IN (SELECT seq FROM snapshots ORDER BY seq DESC LIMIT ?)"
)
_UPSERT_META = (
    "INSERT INTO meta (key, value) VALUES (?, ?) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)
_SELECT_META = "SELECT value FROM meta WHERE key = ?"


class JournalError(Exception):
    """The journal cannot deliver what was asked (e.g. records deleted by compaction)."""


class CorruptRecordError(JournalError):
    """A stored record failed its crc32 or broke contiguity while being read."""

    def __init__(self, seq: int, reason: str) -> None:
        super().__init__(f"journal record {seq}: {reason}")
        self.seq = seq


@dataclass(frozen=True, slots=True)
class RecoveryReport:
    """What ``recover`` found: where the valid log ends and what it deleted past that.

    Attributes:
        last_good_seq: the newest record kept (the compaction point if none are left).
        dropped_count: journal rows deleted from the first bad record on.
        first_bad_seq: the first record that failed its crc32 or broke contiguity.
        dropped_snapshot_seqs: snapshots deleted because they lie past ``last_good_seq``.
    """

    last_good_seq: int
    dropped_count: int
    first_bad_seq: int | None = None
    dropped_snapshot_seqs: tuple[int, ...] = ()


def record_crc32(seq: int, ts_ns: int, payload: bytes) -> int:
    """Return the checksum stored with a journal row: crc32 of seq ‖ ts_ns ‖ payload.

    Args:
        seq: the record's sequence number (8 bytes, big endian, signed).
        ts_ns: the record's timestamp (8 bytes, big endian, signed).
        payload: the opaque command bytes.
    """
    return zlib.crc32(payload, zlib.crc32(_HEADER.pack(seq, ts_ns)))


class _Db(Protocol):
    def insert_journal(self, rows: Sequence[_Row]) -> None: ...
    def query(self, sql: str, params: _Params = ()) -> list[tuple[Any, ...]]: ...
    def write(self, steps: Sequence[tuple[str, _Params]]) -> list[int]: ...
    def close(self) -> None: ...


class _SqliteDb:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection

    def insert_journal(self, rows: Sequence[_Row]) -> None:
        with self._transaction() as cursor:
            cursor.executemany(_INSERT_JOURNAL, rows)

    def query(self, sql: str, params: _Params = ()) -> list[tuple[Any, ...]]:
        return self._conn.execute(sql, params).fetchall()

    def write(self, steps: Sequence[tuple[str, _Params]]) -> list[int]:
        with self._transaction() as cursor:
            return [cursor.execute(sql, params).rowcount for sql, params in steps]

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Cursor]:
        # IMMEDIATE takes the write lock at BEGIN, so a competing writer waits out
        # busy_timeout here instead of getting SQLITE_BUSY halfway through the batch.
        cursor = self._conn.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            yield cursor
            cursor.execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                cursor.execute("ROLLBACK")
            raise


class _PostgresDb:
    def __init__(self, connection: psycopg.Connection[TupleRow]) -> None:
        # Autocommit: every statement below is its own transaction unless wrapped in
        # connection.transaction(), so reads never leave an idle transaction open.
        self._conn = connection
        self._insert_one = _pg(_INSERT_JOURNAL)

    def insert_journal(self, rows: Sequence[_Row]) -> None:
        # Measured with `bench/journal.py --pg-methods` (PG 15 on 127.0.0.1, 120-byte
        # payloads, a noisy 2-vCPU VM; p50 commit latency, rows/s in brackets):
        #   rows/batch  executemany in a tx  COPY in a tx      COPY alone        one INSERT
        #   1           668 µs               610 µs            478 µs            330 µs
        #   10          1.4 ms (6.8 k)       588 µs (15 k)     459 µs (19 k)     -
        #   100         3.3 ms (29 k)        1.3 ms (64 k)     1.1 ms (88 k)     -
        #   1000        18 ms (46 k)         5.7 ms (153 k)    5.3 ms (167 k)    -
        # On an autocommit connection a single INSERT or a single COPY is already one atomic
        # transaction, and leaving out BEGIN/COMMIT saves their round trips. So: one prepared
        # INSERT for a batch of one, binary COPY for anything larger. (A multi-row
        # INSERT ... SELECT FROM unnest(arrays), also one statement, lost to COPY above 1 row.)
        if len(rows) == 1:
            self._conn.execute(self._insert_one, rows[0], prepare=True)
            return
        with self._conn.cursor() as cursor, cursor.copy(_COPY_JOURNAL) as copy:
            copy.set_types(_COPY_TYPES)
            for row in rows:
                copy.write_row(row)

    def query(self, sql: str, params: _Params = ()) -> list[tuple[Any, ...]]:
        # Binary results hand bytea over as raw bytes instead of hex text to decode.
        return self._conn.execute(_pg(sql), params, binary=True).fetchall()

    def write(self, steps: Sequence[tuple[str, _Params]]) -> list[int]:
        with self._conn.transaction():
            return [self._conn.execute(_pg(sql), params).rowcount for sql, params in steps]

    def close(self) -> None:
        self._conn.close()


def _pg(sql: str) -> str:
    return sql.replace("?", "%s")


def _open_sqlite(url: str) -> _Db:
    path = make_url(url).database
    if not path or path == ":memory:":
        # A private in-memory database must outlive the migration's own connection, so it
        # is a named shared-cache one that lives as long as this raw connection is open.
        name = f"file:augury-{secrets.token_hex(8)}?mode=memory&cache=shared"
        conn = sqlite3.connect(name, uri=True, isolation_level=None, check_same_thread=False)
        migrate_url = f"sqlite:///{name}&uri=true"
    else:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        # isolation_level=None: we issue BEGIN IMMEDIATE / COMMIT ourselves. check_same_thread is
        # off because the journal may be opened on one thread and handed to the sequencer's; the
        # one-owner-at-a-time contract (module docstring) is what keeps the connection safe.
        migrate_url = url
    try:
        (mode,) = conn.execute("PRAGMA journal_mode=WAL").fetchone()
        if mode not in ("wal", "memory"):
            raise JournalError(f"SQLite refused WAL mode (got {mode!r})")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
        conn.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        upgrade(migrate_url)
    except BaseException:
        conn.close()
        raise
    return _SqliteDb(conn)


def _open_postgres(url: str) -> _Db:
    upgrade(url)
    conninfo = "postgresql://" + url.split("://", 1)[1]
    return _PostgresDb(psycopg.connect(conninfo, autocommit=True))


def _connect(url: str) -> _Db:
    scheme = url.split(":", 1)[0]
    if scheme == "sqlite":
        return _open_sqlite(url)
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        return _open_postgres(url)
    # Only the scheme is echoed: the rest of a URL may hold a password.
    raise ValueError(f"unsupported store URL scheme {scheme!r}")


class Journal(ClosesOnExit):
    """The append-only command log plus snapshots and a small key/value ``meta`` table.

    Attributes:
        recovery: the report of the ``recover`` run by ``open``.
        skipped_snapshots: seqs of snapshots the last ``load_latest_snapshot`` call found
            corrupt (sha256 mismatch) and passed over, newest first.
    """

    def __init__(self, db: _Db) -> None:
        # Use Journal.open: a Journal must not be read before recover() has run.
        self._db = db
        self._floor = 0
        self._last_seq = 0
        self.recovery = RecoveryReport(last_good_seq=0, dropped_count=0)
        self.skipped_snapshots: list[int] = []

    @classmethod
    def open(cls, url: str) -> Journal:
        """Migrate the database to head, connect, recover the log and return the journal.

        Args:
            url: ``sqlite:///path/to/file.db``, ``sqlite://`` (in memory, for tests) or
                ``postgresql://user@host:port/db``.
        """
        db = _connect(url)
        try:
            journal = cls(db)
            journal.recovery = journal.recover()
        except BaseException:
            db.close()
            raise
        return journal

    def close(self) -> None:
        """Close the connection. Committed batches are already durable."""
        self._db.close()

    def last_seq(self) -> int:
        """Return the seq of the newest record (or of the compaction point), 0 when empty."""
        return self._last_seq

    def append_batch(self, records: Sequence[tuple[int, int, bytes]]) -> None:
        """Append ``(seq, ts_ns, payload)`` records durably, in one transaction.

        Args:
            records: seqs must run ``last_seq() + 1, last_seq() + 2, ...``; a gap is a bug
                and raises ``AssertionError`` before anything is written.
        """
        expected = self._last_seq + 1
        rows: list[_Row] = []
        for seq, ts_ns, payload in records:
            # An explicit raise, not assert: under python -O a gap written to disk would
            # make the next recover() drop every record after it.
            if seq != expected:
                raise AssertionError(f"journal seq {seq} does not follow {expected - 1}")
            rows.append((seq, ts_ns, payload, record_crc32(seq, ts_ns, payload)))
            expected += 1
        if rows:
            self._db.insert_journal(rows)
            self._last_seq = expected - 1

    def read_after(self, seq: int, batch_size: int = 10_000) -> Iterator[tuple[int, int, bytes]]:
        """Yield ``(seq, ts_ns, payload)`` for every record after ``seq``, in order, verified.

        Args:
            seq: the last record the caller already has (a snapshot's seq, or 0).
            batch_size: rows fetched per query; bounds memory while streaming.

        Raises:
            CorruptRecordError: a record fails its crc32, or a record is missing.
            JournalError: records after ``seq`` were deleted by ``truncate_before``.
        """
        if seq < self._floor:
            raise JournalError(f"records {seq + 1}..{self._floor} were compacted away")
        last_seq = self._last_seq
        expected = seq + 1
        for row_seq, ts_ns, payload, crc in self._scan(seq, batch_size):
            if row_seq != expected:
                raise CorruptRecordError(expected, "missing")
            if crc != record_crc32(row_seq, ts_ns, payload):
                raise CorruptRecordError(row_seq, "crc32 mismatch")
            yield row_seq, ts_ns, bytes(payload)
            expected += 1
        if expected <= last_seq:
            raise CorruptRecordError(expected, "missing from the tail")

    def recover(self) -> RecoveryReport:
        """Cut the log back to its longest verified contiguous prefix and report what went.

        Deletes, in one transaction, the first bad record, everything after it and every
        snapshot past the new end. ``open`` calls this before anything else reads.
        """
        self._floor = int(self._get(_FLOOR_KEY) or 0)
        expected = self._floor + 1
        first_bad: int | None = None
        for seq, ts_ns, payload, crc in self._scan(self._floor, _SCAN_BATCH):
            if seq != expected or crc != record_crc32(seq, ts_ns, payload):
                first_bad = seq
                break
            expected += 1
        last_good = expected - 1
        stale = self._db.query("SELECT seq FROM snapshots WHERE seq > ? ORDER BY seq", (last_good,))
        dropped = 0
        if first_bad is not None or stale:
            dropped, _ = self._db.write(
                [
                    ("DELETE FROM journal WHERE seq > ?", (last_good,)),
                    ("DELETE FROM snapshots WHERE seq > ?", (last_good,)),
                ]
            )
        self._last_seq = last_good
        void = self.void_records()
        if any(seq > last_good for seq in void):
            # Those seqs will be reused by new commands, which must not be skipped.
            kept = ",".join(str(seq) for seq in sorted(void) if seq <= last_good)
            self._db.write([(_UPSERT_META, (_VOID_KEY, kept))])
        return RecoveryReport(last_good, dropped, first_bad, tuple(s for (s,) in stale))

    def write_snapshot(self, seq: int, created_ns: int, payload: bytes, keep: int = 3) -> None:
        """Store the engine state as of record ``seq`` and prune to the newest ``keep``.

        Args:
            seq: the last record applied to the state; at most ``last_seq()``.
            created_ns: when the snapshot was taken.
            payload: the opaque serialised state.
            keep: how many snapshots to retain, at least 1; more allow more fallbacks.
        """
        if keep < 1:
            raise ValueError("keep must be at least 1")
        if not self._floor <= seq <= self._last_seq:
            raise AssertionError(f"snapshot seq {seq} outside {self._floor}..{self._last_seq}")
        digest = hashlib.sha256(payload).hexdigest()
        self._db.write(
            [
                (_UPSERT_SNAPSHOT, (seq, created_ns, payload, digest)),
                (_PRUNE_SNAPSHOTS, (keep,)),
            ]
        )

    def load_latest_snapshot(self, at_most: int | None = None) -> tuple[int, bytes] | None:
        """Return ``(seq, payload)`` of the newest snapshot whose sha256 verifies, or None.

        Corrupt snapshots are passed over (an older one is used instead) and their seqs are
        left in ``skipped_snapshots``.

        Args:
            at_most: only consider snapshots with ``seq <= at_most`` (None: all).
        """
        self.skipped_snapshots = []
        bound = (1 << 62) if at_most is None else at_most
        seqs = self._db.query(
            "SELECT seq FROM snapshots WHERE seq <= ? ORDER BY seq DESC", (bound,)
        )
        for (seq,) in seqs:
            # One payload at a time: snapshots can be large and usually the first verifies.
            ((payload, digest),) = self._db.query(
                "SELECT payload, sha256 FROM snapshots WHERE seq = ?", (seq,)
            )
            if hashlib.sha256(payload).hexdigest() == digest:
                return seq, bytes(payload)
            self.skipped_snapshots.append(seq)
        return None

    def truncate_before(self, seq: int) -> int:
        """Delete journal records with seq <= ``seq`` and return how many were deleted.

        Keeps the database bounded. Truncate no further than the oldest snapshot you may
        still fall back to, or a corrupt newer snapshot leaves nothing to replay from.

        Args:
            seq: must be covered by a stored snapshot at ``>= seq``.
        """
        if seq <= self._floor:
            return 0
        covered = self._db.query("SELECT seq FROM snapshots WHERE seq >= ? LIMIT 1", (seq,))
        if not covered:
            raise AssertionError(f"truncate_before({seq}) without a snapshot at >= {seq}")
        deleted, _ = self._db.write(
            [
                ("DELETE FROM journal WHERE seq <= ?", (seq,)),
                (_UPSERT_META, (_FLOOR_KEY, str(seq))),
            ]
        )
        self._floor = seq
        return deleted

    def void_records(self) -> frozenset[int]:
        """Return the seqs of the records marked void (replay skips them)."""
        text = self._get(_VOID_KEY) or ""
        return frozenset(int(part) for part in text.split(",") if part)

    def void_record(self, seq: int) -> None:
        """Mark record ``seq`` void, durably: replay treats it as a failed command.

        Args:
            seq: an existing record, ``floor < seq <= last_seq()``.
        """
        if not self._floor < seq <= self._last_seq:
            raise JournalError(f"no record {seq} to void (records {self._floor + 1}..)")
        seqs = sorted(self.void_records() | {seq})
        self._db.write([(_UPSERT_META, (_VOID_KEY, ",".join(str(s) for s in seqs)))])

    def get_meta(self, key: str) -> str | None:
        """Return the value stored under ``key`` in ``meta``, or None."""
        return self._get(key)

    def set_meta(self, key: str, value: str) -> None:
        """Store ``value`` under ``key`` in ``meta`` (durably, replacing any old value).

        Args:
            key: at most 128 characters; the ``journal.`` prefix is reserved.
            value: any text.
        """
        if key.startswith("journal."):
            raise ValueError("meta keys starting with 'journal.' are reserved")
        self._db.write([(_UPSERT_META, (key, value))])

    def _get(self, key: str) -> str | None:
        rows = self._db.query(_SELECT_META, (key,))
        return str(rows[0][0]) if rows else None

    def _scan(self, after: int, batch_size: int) -> Iterator[tuple[Any, ...]]:
        # Keyset pages rather than one open cursor: psycopg's client-side cursors would
        # load the whole result, and no read transaction stays open between pages.
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        while True:
            rows = self._db.query(_SELECT_AFTER, (after, batch_size))
            yield from rows
            if len(rows) < batch_size:
                return
            after = rows[-1][0]
