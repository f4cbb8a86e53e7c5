"""Where a server keeps its data: the journal and the read models in separate SQLite files.

The read models used to share the journal's file, so their batches held SQLite's single
write lock while a group commit waited behind it (decision 0013). These tests pin the
layout, and that a store whose read-model file is missing (a store written before the
split, or one whose history file was deleted) rebuilds it from the journal on start.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from augury.engine import commands as c
from augury.runtime.boot import Runtime
from augury.runtime.clock import FakeClock
from augury.store import SQL_STORE
from augury.store.history_writer import history_url
from tests.engine.market_setup import gtc_bid, one_market


@pytest.mark.parametrize(
    ("store", "expected"),
    [
        ("sqlite:///data/augury.db", "sqlite:///data/augury-history.db"),
        ("sqlite:////abs/dir.v2/store.sqlite3", "sqlite:////abs/dir.v2/store-history.sqlite3"),
        ("sqlite:///dir.d/augury", "sqlite:///dir.d/augury-history"),
        ("sqlite://", "sqlite://"),
        ("sqlite:///:memory:", "sqlite:///:memory:"),
        ("sqlite:///file:x?mode=memory&uri=true", "sqlite:///file:x?mode=memory&uri=true"),
        ("postgresql://u@127.0.0.1:5433/augury", "postgresql://u@127.0.0.1:5433/augury"),
    ],
)
def test_history_url(store: str, expected: str) -> None:
    assert history_url(store) == expected


SETUP: list[c.Command] = [*one_market({"ann": 10_000_000})]


def _order(price_cc: int) -> c.PlaceOrder:
    return gtc_bid("ann", price_cc, 500)


def _count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        (n,) = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
    return int(n)


async def _run(url: str, commands: list[c.Command]) -> tuple[int, list[str]]:
    """Start, submit ``commands``, wait for the read models; return (last seq, order ids)."""
    runtime = await Runtime.start(url, "augury", FakeClock(1_000), store=SQL_STORE)
    try:
        for command in commands:
            await runtime.sequencer.submit(command)
        await runtime.history.drain()
        orders = await runtime.history.read(lambda reader: reader.orders("ann"))
        last_seq = await runtime.history.read(lambda reader: reader.watermark())
        return last_seq, sorted(o.order_id for o in orders[0])
    finally:
        await runtime.stop()


def test_journal_and_read_models_live_in_separate_files(tmp_path: Path) -> None:
    store = tmp_path / "augury.db"
    last_seq, orders = asyncio.run(_run(f"sqlite:///{store}", [*SETUP, _order(4000)]))
    history = tmp_path / "augury-history.db"
    assert last_seq == len(SETUP) + 1
    assert len(orders) == 1
    assert _count(store, "journal") == last_seq
    assert _count(store, "orders") == 0  # nothing of the read models in the journal's file
    assert _count(history, "orders") == 1
    assert _count(history, "journal") == 0


def test_a_missing_read_model_file_is_rebuilt_from_the_journal(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'augury.db'}"
    _, first = asyncio.run(_run(url, [*SETUP, _order(4000), _order(4100)]))
    history = tmp_path / "augury-history.db"
    for leftover in tmp_path.glob("augury-history.db*"):
        leftover.unlink()
    last_seq, orders = asyncio.run(_run(url, [_order(4200)]))
    assert last_seq == len(SETUP) + 3
    assert len(orders) == 3
    assert set(first) < set(orders)
    assert _count(history, "orders") == 3
