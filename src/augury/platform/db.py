"""The platform's database: one raw connection, one thread, one transaction per write.

Invariants:

- Every call runs on the platform's own single thread (``PlatformDb.run``), so writes are
  serialised and a backup taken on that thread sees no half-written change.
- ``run`` wraps its function in one transaction (SQLite ``BEGIN IMMEDIATE`` ... ``COMMIT``,
  PostgreSQL ``connection.transaction()``): all of it commits, or none of it.
- An acknowledged write is durable: SQLite runs WAL with ``synchronous=FULL`` (a commit
  survives power loss, as the journal's do); PostgreSQL commits synchronously.
- SQL is written once with ``?`` placeholders (the store's seam, ``augury.store.db``,
  rewrites them for PostgreSQL).

Where: an SQLite file store keeps the platform in a sibling file (``augury.db`` ->
``augury-platform.db``): SQLite has one write lock per file, and a platform write holding
the journal's lock would stall the group commit (the reason history has its own file,
decision 0013). PostgreSQL keeps it in the store's database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from augury.store.db import Database, Tx, connect
from augury.store.history_writer import history_url

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


class PlatformDb:
    """The platform's connection and the one thread that uses it."""

    def __init__(self, conn: Database) -> None:
        # Use PlatformDb.open.
        self.conn = conn
        self.url = conn.url
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="platform-db")

    @classmethod
    def open(cls, url: str) -> PlatformDb:
        """Migrate and connect to the platform database at ``url`` (see ``platform_url``)."""
        # Acknowledged platform writes (accounts, tokens, ...) must survive power loss.
        return cls(connect(url, durable=True))

    @property
    def is_postgres(self) -> bool:
        return self.conn.is_postgres

    def transaction_sync(self, fn: Callable[[Tx], T]) -> T:
        """Run ``fn`` in one transaction on the calling thread (the platform thread only)."""
        with self.conn.transaction() as tx:
            return fn(tx)

    async def run(self, fn: Callable[[Tx], T]) -> T:
        """Run ``fn`` in one transaction on the platform thread; return its result."""
        return await asyncio.get_running_loop().run_in_executor(
            self.thread, self.transaction_sync, fn
        )

    async def read(self, fn: Callable[[Tx], T]) -> T:
        """Run read-only ``fn`` on the platform thread, outside any transaction."""
        return await asyncio.get_running_loop().run_in_executor(self.thread, fn, self.conn.session)

    def close(self) -> None:
        """Finish queued work and close the connection."""
        self.thread.shutdown(wait=True)
        self.conn.close()
