"""A store written under one engine recovers under the other, in both directions.

The runtime journals commands and writes engine-neutral snapshots (``augury.engine.
snapshot``); each test runs a server's runtime on one engine (commands, a periodic snapshot
mid-way, more commands, a clean stop with its final snapshot), then starts the other engine
on the same store and requires the very state the first one had (the digest), the same
read models, and that both engines then apply the next commands identically.
"""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import pytest

from augury.engine import commands as c
from augury.engine.exchange import Exchange
from augury.engine.state import make_snapshot, snapshot_body, state_digest
from augury.runtime.boot import Runtime, recover
from augury.runtime.clock import FakeClock
from augury.runtime.native_engine import NativeExchange
from augury.store import SQL_STORE, Journal
from tests.engine.differential import TS0, CommandStream
from tests.engine.native_engine import native_or_skip

ENGINES = [("python", "native"), ("native", "python")]


def _stream(n: int) -> list[tuple[c.Command, int]]:
    """A seeded command stream (the differential test's) with each command's time, fixed
    in advance."""
    # Seed 1: served at one instant (the runtime's fake clock), its 900 commands leave
    # orders resting, set event fee overrides and cancel an order as fee_changed.
    stream = CommandStream(seed=1)
    scratch = Exchange("augury")
    commands = []
    for command, ts_ns in itertools.islice(stream, n):
        stream.observe(command, scratch.apply(command, ts_ns))
        commands.append((command, ts_ns))
    return commands


async def _serve(url: str, engine: str, commands: list[c.Command]) -> tuple[str, int, int]:
    """Run a runtime on ``engine`` over ``commands``; return its digest, its number of
    resting orders and its last journal seq (out-of-domain commands are never journaled)."""
    runtime = await Runtime.start(
        url, "augury", FakeClock(TS0 + 1), store=SQL_STORE, snapshot_every=250, engine=engine
    )
    try:
        assert runtime.engine == engine
        for command in commands:
            await runtime.sequencer.submit(command)
        await runtime.history.drain()
        return runtime.digest(), len(runtime.exchange.orders), runtime.sequencer.last_seq
    finally:
        await runtime.stop()


async def _reopen(url: str, engine: str) -> tuple[str, int, int]:
    runtime = await Runtime.start(url, "augury", FakeClock(TS0 + 1), store=SQL_STORE, engine=engine)
    try:
        assert runtime.engine == engine
        return runtime.digest(), len(runtime.exchange.orders), runtime.recovery.snapshot_seq
    finally:
        await runtime.stop()


@pytest.mark.parametrize(("first", "second"), ENGINES)
def test_a_store_recovers_under_the_other_engine(tmp_path: Path, first: str, second: str) -> None:
    native_or_skip()
    url = f"sqlite:///{tmp_path / 'augury.db'}"
    commands = _stream(900)
    digest, resting, last_seq = asyncio.run(_serve(url, first, [cmd for cmd, _ in commands]))
    assert resting > 0
    recovered, resting_after, snapshot_seq = asyncio.run(_reopen(url, second))
    assert snapshot_seq == last_seq  # the final snapshot, written by the first engine
    assert (recovered, resting_after) == (digest, resting)


@pytest.mark.parametrize(("first", "second"), ENGINES)
def test_replay_past_a_foreign_snapshot_continues_identically(
    tmp_path: Path, first: str, second: str
) -> None:
    """Recovery from a mid-stream snapshot of one engine plus the journal after it, on the
    other engine, reaches the live state; so does a full replay with no snapshot at all."""
    native_or_skip()
    url = f"sqlite:///{tmp_path / 'augury.db'}"
    commands = _stream(600)
    live = Exchange("augury") if first == "python" else NativeExchange("augury")
    with Journal.open(url) as journal:
        for seq, (command, ts_ns) in enumerate(commands, start=1):
            live.apply(command, ts_ns)  # out-of-domain ones too: refused, as on replay
            journal.append_batch([(seq, ts_ns, c.encode_command(command))])
            if seq == 300:
                journal.write_snapshot(seq, ts_ns, make_snapshot(live))
    with Journal.open(url) as journal:
        from_snapshot = recover(journal, "augury", engine=second)
        from_scratch = recover(journal, "augury", engine=second, max_snapshot_seq=0)
    assert from_snapshot.snapshot_seq == 300
    assert from_snapshot.replayed == 300
    assert state_digest(from_snapshot.exchange) == state_digest(live)
    assert state_digest(from_scratch.exchange) == state_digest(live)
    # The snapshot's document is the same bytes whichever engine loaded it.
    assert make_snapshot(from_snapshot.exchange) == make_snapshot(live)
    assert bytes(snapshot_body(make_snapshot(live)))
