"""The platform's database: one raw connection, one thread, one transaction per write.

Invariants:

- Every call runs on the platform's own single thread (``PlatformDb.run``), so writes are
  serialised and a backup taken on that thread sees no half-written change.
- ``run`` wraps its function in one transaction (SQLite ``BEGIN IMMEDIATE`` ... ``COMMIT``,
  PostgreSQL ``connection.transaction()``): all of it commits, or none of it.
- An acknowledged write is durable: SQLite runs WAL with ``synchronous=FULL`` (a commit
  survives power loss, as the journal's do); PostgreSQL commits synchronously.
- SQL is written once with ``?`` placeholders; PostgreSQL gets ``%s``.

Where: an SQLite file store keeps the platform in a sibling file (``augury.db`` ->
``augury-platform.db``): SQLite has one write lock per file, and a platform write holding
the journal's lock would stall the group commit (the reason history has its own file,
decision 0013). PostgreSQL keeps it in the store's database.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import psycopg

from augury.store.history import history_url
from augury.store.rawsql import Connection, connect

__all__ = ["PlatformDb", "Tx", "platform_url"]

T = TypeVar("T")


def platform_url(store_url: str) -> str:
    """Return the URL of the database holding the platform tables for ``store_url``.

    An SQLite file store keeps them in a sibling file (``augury.db`` ->
    ``augury-platform.db``); PostgreSQL, in-memory and URI-form SQLite URLs are returned
    unchanged (the rule of ``store.history.history_url``).
    """
    if history_url(store_url) == store_url:
        return store_url
    path = store_url.removeprefix("sqlite:///")
    slash = path.rfind("/") + 1
    dot = path.rfind(".")
    stem_end = dot if dot > slash else len(path)
    return f"sqlite:///{path[:stem_end]}-platform{path[stem_end:]}"


class Tx:
    """The queries of one transaction (or of one read) on the platform connection."""

    def __init__(self, conn: Connection) -> None:
        self._raw = conn.raw
        self._pg = not isinstance(conn.raw, sqlite3.Connection)

    def all(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Run a query and return every row."""
        if self._pg:
            return self._raw.execute(sql.replace("?", "%s"), params).fetchall()
        return self._raw.execute(sql, params).fetchall()

    def one(self, sql: str, params: Sequence[object] = ()) -> tuple[Any, ...] | None:
        """Run a query and return its first row, or None."""
        rows = self.all(sql, params)
        return rows[0] if rows else None

    def exec(self, sql: str, params: Sequence[object] = ()) -> int:
        """Run a statement and return the number of rows it changed."""
        if self._pg:
            cursor: Any = self._raw.execute(sql.replace("?", "%s"), params)
        else:
            cursor = self._raw.execute(sql, params)
        return int(cursor.rowcount)


class PlatformDb:
    """The platform's connection and the one thread that uses it."""

    def __init__(self, conn: Connection) -> None:
        # Use PlatformDb.open.
        self.conn = conn
        self.url = conn.url
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="platform-db")
        self._tx = Tx(conn)

    @classmethod
    def open(cls, url: str) -> PlatformDb:
        """Migrate and connect to the platform database at ``url`` (see ``platform_url``)."""
        conn = connect(url)
        if isinstance(conn.raw, sqlite3.Connection):
            # Acknowledged platform writes (accounts, tokens, ...) must survive power loss.
            conn.raw.execute("PRAGMA synchronous=FULL")
        return cls(conn)

    @property
    def is_postgres(self) -> bool:
        return isinstance(self.conn.raw, psycopg.Connection)

    def transaction_sync(self, fn: Callable[[Tx], T]) -> T:
        """Run ``fn`` in one transaction on the calling thread (the platform thread only)."""
        raw = self.conn.raw
        if isinstance(raw, sqlite3.Connection):
            raw.execute("BEGIN IMMEDIATE")
            try:
                result = fn(self._tx)
                raw.execute("COMMIT")
            except BaseException:
                if raw.in_transaction:
                    raw.execute("ROLLBACK")
                raise
            return result
        with raw.transaction():
            return fn(self._tx)

    async def run(self, fn: Callable[[Tx], T]) -> T:
        """Run ``fn`` in one transaction on the platform thread; return its result."""
        return await asyncio.get_running_loop().run_in_executor(
            self.thread, self.transaction_sync, fn
        )

    async def read(self, fn: Callable[[Tx], T]) -> T:
        """Run read-only ``fn`` on the platform thread, outside any transaction."""
        return await asyncio.get_running_loop().run_in_executor(self.thread, fn, self._tx)

    def close(self) -> None:
        """Finish queued work and close the connection."""
        self.thread.shutdown(wait=True)
        self.conn.close()
