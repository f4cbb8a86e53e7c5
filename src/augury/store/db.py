"""The store's one database seam: a raw connection to SQLite or PostgreSQL, one dialect switch.

Every store module (the journal and its snapshots, the history read models, the platform's
tables, backups) reaches its database through ``connect`` and the ``Database`` it returns;
nothing else looks at the URL scheme, opens a transaction or rewrites SQL.

- SQL is written once with ``?`` placeholders; on PostgreSQL they become ``%s`` (cached per
  statement). PostgreSQL connections are autocommit outside ``transaction``, so reads never
  leave an idle transaction open, and results come back in binary (``bytea`` as bytes).
- ``transaction()`` is all or nothing: SQLite ``BEGIN IMMEDIATE`` (the write lock up front,
  so a competing writer waits out ``busy_timeout`` instead of failing halfway) then
  ``COMMIT`` or ``ROLLBACK``; PostgreSQL ``connection.transaction()``.
- Bulk writes take each dialect's fastest atomic path: ``Tx.exec_many`` loads a plain
  multi-row insert built by ``insert_sql`` with COPY on PostgreSQL (3-5x faster than
  executemany, see ``journal.py``); ``Database.append`` is the journal's group commit:
  one prepared INSERT for one row, a binary COPY for more (on an autocommit connection
  either is one atomic statement), and ``executemany`` in one transaction on SQLite.
- SQLAlchemy and Alembic own the schema only: ``connect`` runs the migrations, then hands
  back the raw driver connection (SQLAlchemy Core measured 2.6x slower on the write path).

Limits: a ``Database`` is not thread-safe; one thread at a time (its owner's).
"""

from __future__ import annotations

import functools
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import urlencode

import psycopg
from sqlalchemy.engine import make_url

from augury.store.migrate import upgrade

__all__ = [
    "ClosesOnExit",
    "Database",
    "Dialect",
    "StoreError",
    "Tx",
    "connect",
    "insert_sql",
]

Dialect = Literal["sqlite", "postgresql"]
Params = Sequence[object]
Row = tuple[Any, ...]

_SQLITE_BUSY_TIMEOUT_MS = 5_000
# The widest multi-row INSERT of ``Database.append`` on SQLite: 256 rows of the journal's
# 4 columns are 1,024 parameters, far under SQLite's limit (32,766 since 3.32).
_ROWS_PER_INSERT = 256
# Each connection's page cache, in KiB (SQLite's default is 2,000). A cache keeps its
# peak size for the life of the connection, and the server holds several (journal,
# history writer and reader, platform): under load they filled toward 2 MB each and stayed
# (bench/soak.py, docs/PERFORMANCE.md). Appends touch only the B-tree's right edge, and
# the operating system's page cache still serves the reads.
SQLITE_CACHE_KIB = 1_024
_POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")

# Plain inserts PostgreSQL loads with COPY when given more than one row: statement -> COPY.
_COPY_FOR: dict[str, str] = {}


class StoreError(Exception):
    """The database cannot be used as asked (e.g. SQLite refused WAL mode)."""


def insert_sql(table: str, columns: Sequence[str]) -> str:
    """Return ``INSERT INTO table (columns) VALUES (?, ...)``; PostgreSQL runs it as COPY."""
    marks = ", ".join("?" * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
    _COPY_FOR[sql] = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    return sql


@functools.lru_cache(maxsize=1024)
def _pg(sql: str) -> str:
    return sql.replace("?", "%s")


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


class Tx:
    """Statements on one connection: inside ``Database.transaction`` they are one
    transaction; on ``Database.session`` each is its own (autocommit)."""

    __slots__ = ("_postgres", "_raw")

    def __init__(self, raw: sqlite3.Connection | psycopg.Connection[Any]) -> None:
        self._raw = raw
        self._postgres = isinstance(raw, psycopg.Connection)

    def all(self, sql: str, params: Params = ()) -> list[Row]:
        """Run a query and return every row."""
        if self._postgres:
            return self._raw.execute(_pg(sql), params, binary=True).fetchall()  # type: ignore[call-arg]
        return self._raw.execute(sql, params).fetchall()

    def one(self, sql: str, params: Params = ()) -> Row | None:
        """Run a query and return its first row, or None."""
        rows = self.all(sql, params)
        return rows[0] if rows else None

    def exec(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return the number of rows it changed."""
        cursor: Any = self._raw.execute(_pg(sql) if self._postgres else sql, params)
        return int(cursor.rowcount)

    def exec_many(self, sql: str, rows: Sequence[Params]) -> int:
        """Run one statement per row; return the rows changed (a plain insert made by
        ``insert_sql`` is one COPY on PostgreSQL)."""
        raw = self._raw
        if not self._postgres:
            assert isinstance(raw, sqlite3.Connection)
            return raw.executemany(sql, rows).rowcount
        assert isinstance(raw, psycopg.Connection)
        copy_sql = _COPY_FOR.get(sql)
        with raw.cursor() as cursor:
            if copy_sql is not None and len(rows) > 1:
                with cursor.copy(copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
                return len(rows)
            cursor.executemany(_pg(sql), rows)
            return cursor.rowcount


class Database(ClosesOnExit):
    """One raw connection to a store database (use ``connect``)."""

    def __init__(
        self, raw: sqlite3.Connection | psycopg.Connection[Any], url: str, dialect: Dialect
    ) -> None:
        self.raw = raw
        self.url = url  # a URL that reaches the same database (in-memory ones included)
        self.dialect: Dialect = dialect
        self.session = Tx(raw)  # statements outside any explicit transaction
        self._insert_one: dict[str, str] = {}

    @property
    def is_postgres(self) -> bool:
        """Whether this is a PostgreSQL database."""
        return self.dialect == "postgresql"

    def query(self, sql: str, params: Params = ()) -> list[Row]:
        """Run one read and return all rows."""
        return self.session.all(sql, params)

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """Run the statements of the ``with`` block as one transaction."""
        raw = self.raw
        if isinstance(raw, sqlite3.Connection):
            # IMMEDIATE takes the write lock up front (see the module docstring).
            raw.execute("BEGIN IMMEDIATE")
            try:
                yield self.session
                raw.execute("COMMIT")
            except BaseException:
                if raw.in_transaction:
                    raw.execute("ROLLBACK")
                raise
            return
        with raw.transaction():
            yield self.session

    def write(self, steps: Sequence[tuple[str, Params]]) -> list[int]:
        """Run statements in one transaction; return each one's changed row count."""
        with self.transaction() as tx:
            return [tx.exec(sql, params) for sql, params in steps]

    def append(
        self, table: str, columns: Sequence[str], types: Sequence[str], rows: Sequence[Params]
    ) -> None:
        """Append rows atomically by the dialect's fastest path (the journal's group commit).

        Args:
            table: the table.
            columns: the columns the rows fill, in order.
            types: their PostgreSQL types, for a binary COPY (``int8``, ``bytea``...).
            rows: the rows.
        """
        raw = self.raw
        if isinstance(raw, sqlite3.Connection):
            # Multi-row INSERTs in power-of-two sizes (at most _ROWS_PER_INSERT rows, so at
            # most 9 distinct statements stay in the connection's cache) instead of
            # executemany's one statement step per row: a 256-record commit measured
            # 0.38-0.40 ms -> 0.26-0.29 ms on tmpfs (the fsync excluded; decision 0064).
            with self.transaction() as tx:
                start = 0
                while start < len(rows):
                    size = min(_ROWS_PER_INSERT, 1 << ((len(rows) - start).bit_length() - 1))
                    chunk = rows[start : start + size]
                    values = [value for row in chunk for value in row]
                    tx.exec(self._insert_rows_sql(table, columns, size), values)
                    start += size
            return
        # Measured with `bench/journal.py --pg-methods` (PG 15 on 127.0.0.1, 120-byte
        # payloads, a noisy 2-vCPU VM; p50 commit latency, rows/s in brackets):
        #   rows/batch  executemany in a tx  COPY in a tx      COPY alone        one INSERT
        #   1           668 µs               610 µs            478 µs            330 µs
        #   10          1.4 ms (6.8 k)       588 µs (15 k)     459 µs (19 k)     -
        #   100         3.3 ms (29 k)        1.3 ms (64 k)     1.1 ms (88 k)     -
        #   1000        18 ms (46 k)         5.7 ms (153 k)    5.3 ms (167 k)    -
        # On an autocommit connection a single INSERT or a single COPY is already one
        # atomic transaction, and leaving out BEGIN/COMMIT saves their round trips.
        if len(rows) == 1:
            raw.execute(_pg(self._insert_sql(table, columns)), rows[0], prepare=True)
            return
        copy_sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
        with raw.cursor() as cursor, cursor.copy(copy_sql) as copy:
            copy.set_types(list(types))
            for row in rows:
                copy.write_row(row)

    def _insert_sql(self, table: str, columns: Sequence[str]) -> str:
        sql = self._insert_one.get(table)
        if sql is None:
            marks = ", ".join("?" * len(columns))
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
            self._insert_one[table] = sql
        return sql

    def _insert_rows_sql(self, table: str, columns: Sequence[str], rows: int) -> str:
        key = f"{table}/{rows}"
        sql = self._insert_one.get(key)
        if sql is None:
            marks = "(" + ", ".join("?" * len(columns)) + ")"
            values = ", ".join([marks] * rows)
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values}"  # noqa: S608
            self._insert_one[key] = sql
        return sql

    def close(self) -> None:
        """Close the connection; committed work is already stored."""
        self.raw.close()


def connect(
    url: str,
    *,
    migrate: bool = True,
    read_only: bool = False,
    durable: bool = False,
) -> Database:
    """Open a raw connection to a store database, migrating it to head first.

    Args:
        url: ``sqlite:///path``, ``sqlite://`` (a private in-memory database; reach it again
            through the returned ``Database.url``) or ``postgresql://...``.
        migrate: run the Alembic upgrade before connecting.
        read_only: refuse writes on this connection (SQLite ``query_only``).
        durable: every commit survives power loss (SQLite ``synchronous=FULL`` with WAL
            required; without it ``NORMAL``: a commit may be lost to power failure, never
            to a crash). PostgreSQL always commits synchronously.

    Raises:
        ValueError: the URL's scheme is neither SQLite nor PostgreSQL.
        StoreError: SQLite refused WAL mode.
    """
    scheme = url.split(":", 1)[0]
    if scheme in _POSTGRES_SCHEMES:
        if migrate:
            upgrade(url)
        conninfo = "postgresql://" + url.split("://", 1)[1]
        # Autocommit: reads never leave an idle transaction open; writes use transaction().
        return Database(psycopg.connect(conninfo, autocommit=True), url, "postgresql")
    if scheme != "sqlite":
        # Only the scheme is echoed: the rest of a URL may hold a password.
        raise ValueError(f"unsupported store URL scheme {scheme!r}")
    target, uri, url = _sqlite_target(url)
    # isolation_level=None: we issue BEGIN IMMEDIATE / COMMIT ourselves. check_same_thread
    # is off because a database may be opened on one thread and handed to its owner's; the
    # one-owner-at-a-time contract (module docstring) is what keeps the connection safe.
    raw = sqlite3.connect(target, uri=uri, isolation_level=None, check_same_thread=False)
    try:
        (mode,) = raw.execute("PRAGMA journal_mode=WAL").fetchone()
        if durable and mode not in ("wal", "memory"):
            raise StoreError(f"SQLite refused WAL mode (got {mode!r})")
        raw.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
        raw.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
        raw.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        if migrate:
            upgrade(url)
        if read_only:
            raw.execute("PRAGMA query_only=ON")
    except BaseException:
        raw.close()
        raise
    return Database(raw, url, "sqlite")


def _sqlite_target(url: str) -> tuple[str, bool, str]:
    """Return (what sqlite3 opens, whether it is a URI, the URL that reaches it again)."""
    parsed = make_url(url)
    if not parsed.database or parsed.database == ":memory:":
        # A private in-memory database must outlive the migration's own connection, so it
        # is a named shared-cache one that lives as long as a connection to it is open.
        target = f"file:augury-{secrets.token_hex(8)}?mode=memory&cache=shared"
        return target, True, f"sqlite:///{target}&uri=true"
    if parsed.query.get("uri") == "true":
        params = {k: v for k, v in parsed.query.items() if k != "uri"}
        return f"{parsed.database}?{urlencode(params)}", True, url
    return parsed.database, False, url
