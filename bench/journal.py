"""Durable append throughput of the store's ``Journal``: rows/s, commits/s, commit latency.

Runs batch sizes 1, 10, 100, 1000 with ~120-byte payloads on SQLite (a file in a temp dir,
WAL + synchronous=FULL) and, when AUGURY_TEST_POSTGRES_URL is set, on PostgreSQL (in a
throwaway schema). ``--pg-methods`` also times the raw psycopg write strategies that
``journal.py`` chose between. Prints figures only; asserts nothing.

    .venv/bin/python -m bench.journal [--seconds 1.2] [--pg-methods]
"""

from __future__ import annotations

import argparse
import os
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import psycopg
from psycopg import sql

from augury.store import Journal, record_crc32

BATCH_SIZES = (1, 10, 100, 1000)
PAYLOAD_BYTES = 120
TS_NS = 1_700_000_000_000_000_000


def report(label: str, batch: int, latencies_ns: list[int]) -> None:
    latencies_ns.sort()
    total_s = sum(latencies_ns) / 1e9
    commits = len(latencies_ns)
    p50 = latencies_ns[commits // 2] / 1e3
    p99 = latencies_ns[min(commits - 1, int(commits * 0.99))] / 1e3
    print(
        f"{label:<22} {batch:>6} {commits * batch / total_s:>11,.0f} {commits / total_s:>10,.0f}"
        f" {p50:>9,.0f} {p99:>9,.0f}"
    )


def header(title: str) -> None:
    print(f"\n{title}")
    print(f"{'store':<22} {'rows':>6} {'rows/s':>11} {'commits/s':>10} {'p50 µs':>9} {'p99 µs':>9}")


def time_commits(seconds: float, commit: Callable[[], None]) -> list[int]:
    latencies: list[int] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        start = time.perf_counter_ns()
        commit()
        latencies.append(time.perf_counter_ns() - start)
    return latencies


def bench_journal(label: str, url: str, seconds: float) -> None:
    payload = os.urandom(PAYLOAD_BYTES)
    with Journal.open(url) as journal:
        for batch in BATCH_SIZES:

            def commit(batch: int = batch) -> None:
                first = journal.last_seq() + 1
                journal.append_batch(
                    [(seq, TS_NS + seq, payload) for seq in range(first, first + batch)]
                )

            report(label, batch, time_commits(seconds, commit))


@contextmanager
def pg_schema(base_url: str) -> Iterator[str]:
    schema = f"bench_{secrets.token_hex(6)}"
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    separator = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(base_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def bench_pg_methods(url: str, seconds: float) -> None:
    """Time the candidate PostgreSQL batch writes on a bare table, outside the Journal."""
    insert = "INSERT INTO j (seq, ts_ns, payload, crc32) VALUES (%s, %s, %s, %s)"
    copy_sql = "COPY j (seq, ts_ns, payload, crc32) FROM STDIN (FORMAT BINARY)"
    payload = os.urandom(PAYLOAD_BYTES)
    next_seq = 0
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE j (seq bigint PRIMARY KEY, ts_ns bigint NOT NULL,"
            " payload bytea NOT NULL, crc32 bigint NOT NULL)"
        )

        def rows(batch: int) -> list[tuple[int, int, bytes, int]]:
            nonlocal next_seq
            next_seq += batch
            first = next_seq - batch + 1
            return [
                (s, s, payload, record_crc32(s, s, payload)) for s in range(first, next_seq + 1)
            ]

        def executemany_tx(batch: Sequence[tuple[int, int, bytes, int]]) -> None:
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany(insert, batch)

        def copy_alone(batch: Sequence[tuple[int, int, bytes, int]]) -> None:
            with conn.cursor() as cur, cur.copy(copy_sql) as copy:
                copy.set_types(["int8", "int8", "bytea", "int8"])
                for row in batch:
                    copy.write_row(row)

        def copy_tx(batch: Sequence[tuple[int, int, bytes, int]]) -> None:
            with conn.transaction():
                copy_alone(batch)

        def insert_one(batch: Sequence[tuple[int, int, bytes, int]]) -> None:
            conn.execute(insert, batch[0], prepare=True)

        methods = {"executemany+tx": executemany_tx, "COPY+tx": copy_tx, "COPY alone": copy_alone}
        header("PostgreSQL write strategies (raw psycopg, autocommit connection)")
        for batch in BATCH_SIZES:
            chosen = dict(methods, **({"one INSERT": insert_one} if batch == 1 else {}))
            for name, write in chosen.items():

                def commit(batch: int = batch, write: Callable[..., None] = write) -> None:
                    write(rows(batch))

                report(name, batch, time_commits(seconds, commit))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.2, help="time per batch size")
    parser.add_argument("--pg-methods", action="store_true", help="compare raw PG writes")
    args = parser.parse_args()

    header("Journal.append_batch, durable commits, 120-byte payloads")
    with tempfile.TemporaryDirectory() as tmp:
        bench_journal("sqlite (WAL, FULL)", f"sqlite:///{tmp}/bench.db", args.seconds)

    pg_url = os.environ.get("AUGURY_TEST_POSTGRES_URL")
    if not pg_url:
        print("postgresql: skipped (set AUGURY_TEST_POSTGRES_URL)")
        return
    with pg_schema(pg_url) as url:
        bench_journal("postgresql", url, args.seconds)
    if args.pg_methods:
        with pg_schema(pg_url) as url:
            bench_pg_methods(url, args.seconds / 2)


if __name__ == "__main__":
    main()
