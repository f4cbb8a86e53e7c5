"""PostgreSQL helpers for the benchmarks: a fresh schema per run, selected by the URL."""

from __future__ import annotations

import psycopg


def fresh_schema_url(url: str, schema: str = "bench_durable") -> str:
    """Drop and recreate ``schema`` and return a URL whose search_path selects it."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"
