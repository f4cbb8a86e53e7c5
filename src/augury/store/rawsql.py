"""Raw driver connections for the store's read models: stdlib sqlite3 or psycopg 3.

SQL is written once with ``?`` placeholders; on PostgreSQL they become ``%s``, and a plain
multi-row insert built by ``insert_sql`` is loaded with COPY instead (see journal.py for the
measurements behind both choices). SQLAlchemy and Alembic own the schema only: ``connect``
runs the migrations, then hands back a raw connection.

Invariants:

- ``Connection.transaction`` is all or nothing: on SQLite ``BEGIN IMMEDIATE`` (the write
  lock up front, so a competing writer waits out ``busy_timeout`` instead of failing
  halfway) then ``COMMIT`` or ``ROLLBACK``; on PostgreSQL ``connection.transaction()``.
- PostgreSQL connections are autocommit outside ``transaction``, so reads never leave an
  idle transaction open.

Limits: a ``Connection`` is not thread-safe; one thread at a time.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlencode

import psycopg
from sqlalchemy.engine import make_url

from augury.store.migrate import upgrade

__all__ = ["SQLITE_CACHE_KIB", "ClosesOnExit", "Connection", "ExecuteMany", "connect", "insert_sql"]

_SQLITE_BUSY_TIMEOUT_MS = 5_000
# Each connection's page cache, in KiB (SQLite's default is 2,000). A cache keeps its
# peak size for the life of the connection, and the server holds several (journal,
# history writer and reader, platform): under load they filled toward 2 MB each and stayed
# (bench/soak.py, docs/PERFORMANCE.md). Appends touch only the B-tree's right edge, and
# the operating system's page cache still serves the reads.
SQLITE_CACHE_KIB = 1_024

# ``executemany(sql, rows)`` inside a transaction; returns the rows affected.
ExecuteMany = Callable[[str, Sequence[Sequence[object]]], int]

# PostgreSQL loads plain inserts of more than one row with COPY: measured 3-5x faster than
# executemany (see journal.py); the statement text is the key.
_COPY_FOR: dict[str, str] = {}


def insert_sql(table: str, columns: Sequence[str]) -> str:
    """Return ``INSERT INTO table (columns) VALUES (?, ...)``; PostgreSQL runs it as COPY."""
    marks = ", ".join("?" * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
    _COPY_FOR[sql] = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    return sql


class ClosesOnExit:
    """Mixin for the store's handles: ``with Handle(...) as h:`` calls ``h.close()``."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class Connection:
    """One raw driver connection (sqlite3 or psycopg 3) with "?" placeholders everywhere."""

    def __init__(self, raw: sqlite3.Connection | psycopg.Connection[Any], url: str) -> None:
        self.raw = raw
        self.url = url  # a URL that reaches the same database (in-memory ones included)

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Run one read and return all rows."""
        if isinstance(self.raw, sqlite3.Connection):
            return self.raw.execute(sql, params).fetchall()
        return self.raw.execute(sql.replace("?", "%s"), params).fetchall()

    @contextmanager
    def transaction(self) -> Iterator[ExecuteMany]:
        """Yield ``executemany(sql, rows) -> rows affected`` inside one transaction."""
        raw = self.raw
        if isinstance(raw, sqlite3.Connection):
            cursor = raw.cursor()
            # IMMEDIATE takes the write lock up front (see journal.py).
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield lambda sql, rows: cursor.executemany(sql, rows).rowcount
                cursor.execute("COMMIT")
            except BaseException:
                if raw.in_transaction:
                    cursor.execute("ROLLBACK")
                raise
            return
        with raw.transaction(), raw.cursor() as pg_cursor:

            def executemany(sql: str, rows: Sequence[Sequence[object]]) -> int:
                copy_sql = _COPY_FOR.get(sql)
                if copy_sql is not None and len(rows) > 1:
                    with pg_cursor.copy(copy_sql) as copy:
                        for row in rows:
                            copy.write_row(row)
                    return len(rows)
                pg_cursor.executemany(sql.replace("?", "%s"), rows)
                return pg_cursor.rowcount

            yield executemany

    def close(self) -> None:
        """Close the connection."""
        self.raw.close()


def connect(url: str, *, migrate: bool = True, read_only: bool = False) -> Connection:
    """Open a raw connection to a store database, migrating it to head first.

    Args:
        url: ``sqlite:///path``, ``sqlite://`` (a private in-memory database; reach it again
            through the returned ``Connection.url``) or ``postgresql://...``.
        migrate: run the Alembic upgrade before connecting.
        read_only: refuse writes on this connection (SQLite ``query_only``).
    """
    scheme = url.split(":", 1)[0]
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        if migrate:
            upgrade(url)
        conninfo = "postgresql://" + url.split("://", 1)[1]
        # Autocommit: reads never leave an idle transaction open; writes use transaction().
        return Connection(psycopg.connect(conninfo, autocommit=True), url)
    if scheme != "sqlite":
        raise ValueError(f"unsupported store URL scheme {scheme!r}")
    parsed = make_url(url)
    if not parsed.database or parsed.database == ":memory:":
        # As in journal.py: a named shared-cache database lives while a connection is open.
        target = f"file:augury-history-{secrets.token_hex(8)}?mode=memory&cache=shared"
        url = f"sqlite:///{target}&uri=true"
        uri = True
    elif parsed.query.get("uri") == "true":
        params = {k: v for k, v in parsed.query.items() if k != "uri"}
        target, uri = f"{parsed.database}?{urlencode(params)}", True
    else:
        target, uri = parsed.database, False
    raw = sqlite3.connect(target, uri=uri, isolation_level=None, check_same_thread=False)
    try:
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA synchronous=NORMAL")
        raw.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
        raw.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        if migrate:
            upgrade(url)
        if read_only:
            raw.execute("PRAGMA query_only=ON")
    except BaseException:
        raw.close()
        raise
    return Connection(raw, url)
