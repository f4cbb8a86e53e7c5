"""The two stores a security test runs against: SQLite in the data directory, and PostgreSQL.

``STORES`` parametrizes a fixture over both; the PostgreSQL case runs in a schema of its
own (created before, dropped after) in the database ``AUGURY_TEST_POSTGRES_URL`` names,
and is skipped, with that reason, only when the variable is unset (CI sets it: .ci/run).
``store_url`` yields ``None`` for SQLite (the server's default store in its data
directory) or the PostgreSQL URL to pass as ``augury serve --db``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

__all__ = ["PG_URL", "STORES", "journal_url", "store_url"]

PG_URL = os.environ.get("AUGURY_TEST_POSTGRES_URL")
STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@contextmanager
def store_url(kind: str) -> Iterator[str | None]:
    """``None`` for SQLite; for PostgreSQL a URL whose search_path is a fresh schema."""
    if kind == "sqlite":
        yield None
        return
    if not PG_URL:
        pytest.skip("AUGURY_TEST_POSTGRES_URL is not set")
    schema = f"sec_{secrets.token_hex(6)}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    separator = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def journal_url(data: Path, db: str | None) -> str:
    """The journal's URL: ``db`` itself, or the SQLite file the server keeps in ``data``."""
    return db or f"sqlite:///{data / 'augury.db'}"
