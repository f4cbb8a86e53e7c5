"""``augury admin backup`` / ``restore``: a consistent copy of the whole exchange.

A backup is ONE SQLite file with the store's schema: the journal (every kept command up
to a seq ``L``), the snapshots at or below ``L``, the journal's compaction point, and
every platform table. It is taken while the exchange runs:

1. on the platform's database thread (so no platform write interleaves) the platform
   tables are copied and ``L`` is read: the last command the sequencer has journaled;
2. then the journal rows ``1..L`` and snapshots ``<= L`` are copied over a read connection
   of their own (journal rows never change once written, so no lock is needed).

Why that is consistent: the platform always writes its intent before it journals the
command that carries it out, and every such command has an idempotency key the engine
enforces (decision 0040). Whatever the backup caught in between is finished by the next
start exactly as after a crash. The history read models are not copied: they are derived
from the journal and rebuilt from it on the first start after a restore.

``restore`` runs with the server stopped. It refuses a store that already holds journal
records unless told to replace it, and clears the history read models so they are rebuilt.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from augury.platform.db import PlatformDb, Tx, platform_url
from augury.store import platform_tables
from augury.store.db import Database, connect
from augury.store.history_writer import history_url
from augury.store.migrate import upgrade
from augury.store.tables import metadata

__all__ = ["PLATFORM_TABLES", "BackupError", "restore", "write_journal_part", "write_platform_part"]

PLATFORM_TABLES = [
    table.name
    for table in (
        platform_tables.users,
        platform_tables.sessions,
        platform_tables.tokens,
        platform_tables.event_slugs,
        platform_tables.watchlist,
        platform_tables.notes,
        platform_tables.notifications,
        platform_tables.webhooks,
        platform_tables.webhook_deliveries,
        platform_tables.protections,
        platform_tables.cash_requests,
        platform_tables.gateways,
        platform_tables.flags,
    )
]
_HISTORY_TABLES = (
    "orders",
    "fills",
    "trades",
    "settlements",
    "cash_movements",
    "candles",
    "market_stats",
)
_PAGE = 5_000


class BackupError(Exception):
    """The backup or restore cannot be done (the message says why)."""


def _columns(table: str) -> list[str]:
    return [column.name for column in metadata.tables[table].columns]


def _open_target(path: Path) -> sqlite3.Connection:
    if path.exists():
        raise BackupError(f"{path} already exists")
    upgrade(f"sqlite:///{path}")
    target = sqlite3.connect(path, isolation_level=None)
    target.execute("PRAGMA synchronous=FULL")
    return target


def _insert(
    target: sqlite3.Connection, table: str, columns: list[str], rows: list[tuple[object, ...]]
) -> None:
    marks = ", ".join("?" * len(columns))
    target.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
        [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in rows],
    )


def write_platform_part(tx: Tx, path: Path, last_seq: int) -> None:
    """Create the backup file with every platform table (run on the platform thread)."""
    target = _open_target(path)
    try:
        target.execute("BEGIN")
        for table in PLATFORM_TABLES:
            columns = _columns(table)
            rows = tx.all(f"SELECT {', '.join(columns)} FROM {table}")  # noqa: S608
            _insert(target, table, columns, rows)
        for key, value in tx.all("SELECT key, value FROM meta WHERE key LIKE ?", ("platform.%",)):
            target.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))
        target.execute(
            "INSERT INTO meta (key, value) VALUES ('backup.last_seq', ?)", (str(last_seq),)
        )
        target.execute("COMMIT")
    finally:
        target.close()


def _pages(source: Database, sql: str, last: int) -> Iterator[list[tuple[object, ...]]]:
    after = 0
    while True:
        rows = source.query(sql, (after, last, _PAGE))
        if not rows:
            return
        yield rows
        after = int(str(rows[-1][0]))


def write_journal_part(store_url: str, path: Path, last_seq: int) -> int:
    """Copy journal rows ``<= last_seq`` and the snapshots at or below it; return rows."""
    source = connect(store_url, migrate=False, read_only=True)
    target = sqlite3.connect(path, isolation_level=None)
    copied = 0
    try:
        target.execute("BEGIN")
        for rows in _pages(
            source,
            "SELECT seq, ts_ns, payload, crc32 FROM journal WHERE seq > ? AND seq <= ? "
            "ORDER BY seq LIMIT ?",
            last_seq,
        ):
            _insert(target, "journal", ["seq", "ts_ns", "payload", "crc32"], rows)
            copied += len(rows)
        for seq, created, payload, digest in source.query(
            "SELECT seq, created_ns, payload, sha256 FROM snapshots WHERE seq <= ?", (last_seq,)
        ):
            _insert(
                target,
                "snapshots",
                ["seq", "created_ns", "payload", "sha256"],
                [(seq, created, payload, digest)],
            )
        for key, value in source.query(
            "SELECT key, value FROM meta WHERE key LIKE ?", ("journal.%",)
        ):
            target.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))
        target.execute("COMMIT")
    finally:
        target.close()
        source.close()
    return copied


def restore(backup: Path, store_url: str, *, replace: bool = False) -> dict[str, int]:
    """Load a backup into the store at ``store_url`` (the server must be stopped)."""
    if not backup.exists():
        raise BackupError(f"{backup} does not exist")
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        (marker,) = source.execute(
            "SELECT COUNT(*) FROM meta WHERE key = 'backup.last_seq'"
        ).fetchone()
        if not marker:
            raise BackupError(f"{backup} is not an Augury backup")
        store = connect(store_url)
        try:
            counts = _restore_journal(source, store, replace)
        finally:
            store.close()
        platform = PlatformDb.open(platform_url(store_url))
        try:
            postgres = platform.is_postgres
            counts.update(
                platform.transaction_sync(lambda tx: _restore_platform(source, tx, postgres))
            )
        finally:
            platform.close()
        history = connect(history_url(store_url))
        try:
            with history.transaction() as tx:
                for table in _HISTORY_TABLES:
                    tx.exec(f"DELETE FROM {table}")  # noqa: S608
                tx.exec("DELETE FROM meta WHERE key = ?", ("history.seq",))
        finally:
            history.close()
        return counts
    finally:
        source.close()


def _restore_journal(source: sqlite3.Connection, store: Database, replace: bool) -> dict[str, int]:
    existing = store.query("SELECT COUNT(*) FROM journal")[0][0]
    if existing and not replace:
        raise BackupError("the store already holds a journal; pass --replace to overwrite it")
    snapshots = source.execute("SELECT seq, created_ns, payload, sha256 FROM snapshots").fetchall()
    meta = source.execute("SELECT key, value FROM meta WHERE key LIKE 'journal.%'").fetchall()
    copied = 0
    with store.transaction() as tx:
        tx.exec("DELETE FROM journal")
        tx.exec("DELETE FROM snapshots")
        tx.exec("DELETE FROM meta WHERE key LIKE ?", ("journal.%",))
        cursor = source.execute("SELECT seq, ts_ns, payload, crc32 FROM journal ORDER BY seq")
        while rows := cursor.fetchmany(_PAGE):
            tx.exec_many(
                "INSERT INTO journal (seq, ts_ns, payload, crc32) VALUES (?, ?, ?, ?)", rows
            )
            copied += len(rows)
        if snapshots:
            tx.exec_many(
                "INSERT INTO snapshots (seq, created_ns, payload, sha256) VALUES (?, ?, ?, ?)",
                snapshots,
            )
        if meta:
            tx.exec_many("INSERT INTO meta (key, value) VALUES (?, ?)", meta)
    return {"journal": copied, "snapshots": len(snapshots)}


_ROWID_COLUMNS = (
    ("platform_notes", "note_id"),
    ("platform_notifications", "notification_id"),
    ("platform_webhook_deliveries", "delivery_id"),
)


def _restore_platform(source: sqlite3.Connection, tx: Tx, postgres: bool) -> dict[str, int]:
    counts = {}
    tx.exec("DELETE FROM meta WHERE key LIKE ?", ("platform.%",))
    for table in PLATFORM_TABLES:
        columns = _columns(table)
        tx.exec(f"DELETE FROM {table}")  # noqa: S608
        rows = source.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()  # noqa: S608
        marks = ", ".join("?" * len(columns))
        for row in rows:
            tx.exec(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
                _typed(table, columns, row),
            )
        counts[table] = len(rows)
    for key, value in source.execute("SELECT key, value FROM meta WHERE key LIKE 'platform.%'"):
        tx.exec("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))
    if postgres:
        # Rows came with their ids: move each id sequence past them.
        for table, column in _ROWID_COLUMNS:
            tx.all(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "  # noqa: S608
                f"GREATEST((SELECT MAX({column}) FROM {table}), 1))"
            )
    return counts


def _typed(table: str, columns: list[str], row: tuple[object, ...]) -> tuple[object, ...]:
    # SQLite keeps booleans as 0/1; PostgreSQL wants real booleans back.
    spec = metadata.tables[table].columns
    return tuple(
        bool(value) if value is not None and spec[name].type.python_type is bool else value
        for name, value in zip(columns, row, strict=True)
    )
