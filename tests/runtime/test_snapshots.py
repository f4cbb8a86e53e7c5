"""Periodic snapshots taken by a forked child while the sequencer keeps applying commands.

The property: the snapshot stored for seq S is the state after exactly S commands, even
though commands after S were applied while the child pickled; recovery from it (plus the
journal tail) reaches the same digest as the live exchange.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from augury.engine import commands as c
from augury.engine.exchange import Exchange
from augury.engine.state import load_snapshot, state_digest
from augury.runtime.boot import recover
from augury.runtime.clock import FakeClock
from augury.runtime.forked_snapshot import can_fork
from augury.runtime.sequencer import Sequencer
from augury.store import Journal
from tests.engine.market_setup import gtc_bid, one_market

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs os.fork")


def _setup() -> list[c.Single]:
    return one_market({"ann": 100_000_000})


def _order(i: int) -> c.PlaceOrder:
    # Resting bids at 1..49 cents: the state grows with every command.
    return gtc_bid("ann", 100 * (1 + i % 49), 100)


def _run(url: str, orders: int, *, concurrent: bool, **options: Any) -> tuple[bool, str]:
    """Journal the setup and ``orders`` orders through a sequencer; return whether it
    forked its snapshots and the final state digest. ``stop`` takes no final snapshot, so
    every stored one is periodic."""

    async def run() -> tuple[bool, str]:
        thread = ThreadPoolExecutor(1)
        journal = await asyncio.get_running_loop().run_in_executor(thread, Journal.open, url)
        sequencer = Sequencer(
            Exchange("augury"), journal, thread, FakeClock(), last_seq=0, **options
        )
        sequencer.start()
        await sequencer.submit(c.Batch.of(_setup()))
        if concurrent:  # concurrent submitters keep batches flowing while children pickle
            await asyncio.gather(*(sequencer.submit(_order(i)) for i in range(orders)))
        else:  # one command per batch
            for i in range(orders):
                await sequencer.submit(_order(i))
        digest = state_digest(sequencer.exchange)
        await sequencer.stop(snapshot=False)
        await asyncio.get_running_loop().run_in_executor(thread, journal.close)
        thread.shutdown()
        return sequencer.fork_snapshots, digest

    return asyncio.run(run())


def test_forked_snapshot_is_the_state_at_its_seq(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'j.db'}"
    forked, live_digest = _run(url, 400, concurrent=True, snapshot_every=50, max_batch=16)
    assert forked

    with Journal.open(url) as journal:
        latest = journal.load_latest_snapshot()
        assert latest is not None
        seq, payload = latest
        assert 0 < seq <= journal.last_seq()
        # The state at seq is what a fresh replay of the first seq commands gives.
        fresh = Exchange("augury")
        for record_seq, ts_ns, raw in journal.read_after(0):
            if record_seq > seq:
                break
            fresh.apply(c.decode_command(raw), ts_ns)
        assert state_digest(load_snapshot(payload)) == state_digest(fresh)
        # And recovery (snapshot + tail) lands on the live state.
        result = recover(journal, "augury")
        assert result.snapshot_seq == seq
        assert state_digest(result.exchange) == live_digest


def test_without_fork_the_snapshot_is_taken_in_process(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'j.db'}"
    forked, _ = _run(url, 25, concurrent=False, snapshot_every=10, fork_snapshots=False)
    assert not forked
    with Journal.open(url) as journal:
        latest = journal.load_latest_snapshot()
        assert latest is not None
        # A snapshot every 10 seqs, taken synchronously, so the newest is at 20 of the 26
        # journaled commands.
        assert latest[0] == 20
        assert journal.last_seq() == 26
