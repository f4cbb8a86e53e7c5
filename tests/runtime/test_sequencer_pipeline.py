"""The sequencer's two stages (decision 0064): the journal commits batch N+1 while the
engine applies batch N, and still nothing is applied, answered or published before its
own batch's commit, and commands are applied in journal order.

The journal here is the real SQLite journal with a gate in front of each commit (a
``threading.Event`` per batch, opened by the test), so each test holds a commit open and
looks at what callers, subscribers and the engine can see meanwhile. Expectations are
hand-computed balances (deposits of known sizes) and the records read back from the
journal file, not figures taken from the sequencer.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

from augury.engine import commands as c
from augury.engine.exchange import Exchange, Outcome
from augury.engine.state import state_digest
from augury.runtime import native_engine
from augury.runtime.boot import recover
from augury.runtime.clock import FakeClock
from augury.runtime.engines import new_exchange
from augury.runtime.sequencer import Sequencer, SequencerStopped
from augury.store import Journal

DOLLAR = 10_000
R = TypeVar("R")

ENGINES = ["python", *(["native"] if native_engine.available() else [])]


class GatedJournal(Journal):
    """The real journal; each ``append_batch`` waits for the test to open its gate, and
    the test may make a given batch (by its first seq) fail instead of committing."""

    gates: dict[int, threading.Event]
    entered: list[int]
    fail_at: int | None

    def append_batch(self, records: Sequence[tuple[int, int, bytes]]) -> None:
        first = records[0][0]
        self.entered.append(first)
        gate = self.gates.get(first)
        if gate is not None and not gate.wait(timeout=30):
            raise TimeoutError(f"the test never opened the gate of record {first}")
        if first == self.fail_at:
            raise OSError("disk full (injected)")
        super().append_batch(records)


def _open(path: Path) -> GatedJournal:
    journal = GatedJournal.open(f"sqlite:///{path}")
    assert isinstance(journal, GatedJournal)
    journal.gates, journal.entered, journal.fail_at = {}, [], None
    return journal


def _deposit(user: str, dollars: int) -> c.Deposit:
    return c.Deposit(user_id=user, amount_cc=dollars * DOLLAR)


def _balance_cc(sequencer: Sequencer, user: str) -> int:
    return int(sequencer.exchange.ledger.accounts[(user, 0)].available_cc)


async def _until(condition: Any, what: str) -> None:
    """Wait (yielding to the loop) until ``condition()`` holds; fail after 30 s."""
    for _ in range(30_000):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError(f"timed out waiting for {what}")


def _journaled(path: Path) -> list[tuple[int, bytes]]:
    with Journal.open(f"sqlite:///{path}") as journal:
        return [(seq, payload) for seq, _, payload in journal.read_after(0)]


class _Rig:
    def __init__(self, path: Path, engine: str, exchange: Exchange | None = None) -> None:
        self.thread = ThreadPoolExecutor(1)
        self.journal = _open(path)
        self.sequencer = Sequencer(
            exchange if exchange is not None else new_exchange(engine, "pipe"),
            self.journal,
            self.thread,
            FakeClock(),
            last_seq=0,
            snapshot_every=10**9,
            fork_snapshots=False,
        )
        self.published: list[int] = []  # seqs, in the order subscribers saw them
        self.sequencer.subscribe(lambda seq, _cmd, _out: self.published.append(seq))

    def gate(self, first_seq: int) -> threading.Event:
        event = threading.Event()
        self.journal.gates[first_seq] = event
        return event

    async def close(self) -> None:
        for gate in self.journal.gates.values():
            gate.set()
        await self.sequencer.stop(snapshot=False)
        # On the journal's thread, after any commit still running there (as Runtime.stop).
        await asyncio.get_running_loop().run_in_executor(self.thread, self.journal.close)
        self.thread.shutdown()


@pytest.mark.parametrize("engine", ENGINES)
def test_nothing_is_answered_applied_or_published_before_its_own_commit(
    tmp_path: Path, engine: str
) -> None:
    path = tmp_path / "j.db"

    async def run() -> None:
        rig = _Rig(path, engine)
        seq = rig.sequencer
        seq.start()
        assert (await seq.submit(c.CreateUser(user_id="alice", name="alice"))).ok  # record 1
        gate_a, gate_b = rig.gate(2), rig.gate(4)
        # Batch A (records 2, 3) is taken alone and held in its commit.
        a = [asyncio.ensure_future(seq.submit(_deposit("alice", d))) for d in (1, 2)]
        await _until(lambda: rig.journal.entered[-1:] == [2], "batch A's commit")
        # Batch B (records 4, 5) queues behind it.
        b = [asyncio.ensure_future(seq.submit(_deposit("alice", d))) for d in (4, 8)]
        await asyncio.sleep(0.05)  # a chance to misbehave, not a condition we wait for
        assert not any(f.done() for f in a + b)
        assert _balance_cc(seq, "alice") == 0
        assert rig.published == [1]
        assert seq.last_seq == 1
        # A commits; B is taken into the journal's next commit and held there.
        gate_a.set()
        await _until(lambda: all(f.done() for f in a), "batch A's answers")
        await _until(lambda: rig.journal.entered[-1:] == [4], "batch B's commit")
        assert [f.result().ok for f in a] == [True, True]
        assert _balance_cc(seq, "alice") == 3 * DOLLAR  # A's deposits, none of B's
        assert rig.published == [1, 2, 3]
        assert seq.last_seq == 3
        await asyncio.sleep(0.05)
        assert not any(f.done() for f in b)
        assert _balance_cc(seq, "alice") == 3 * DOLLAR
        gate_b.set()
        outcomes: list[Outcome[object]] = await asyncio.gather(*b)
        assert [o.ok for o in outcomes] == [True, True]
        assert _balance_cc(seq, "alice") == 15 * DOLLAR
        assert rig.published == [1, 2, 3, 4, 5]
        await rig.close()

    asyncio.run(run())
    assert [s for s, _ in _journaled(path)] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("engine", ENGINES)
def test_commands_are_applied_in_journal_order_under_concurrent_load(
    tmp_path: Path, engine: str
) -> None:
    """Many submitters, many pipelined batches: the subscribers see seqs 1..n in order,
    and replaying the journal file alone gives the live state's digest."""
    path = tmp_path / "j.db"
    users, per_user = 8, 60

    async def run() -> str:
        rig = _Rig(path, engine)
        seq = rig.sequencer
        seq.max_batch = 7  # many small batches, so the two stages overlap often
        seq.start()
        for u in range(users):
            assert (await seq.submit(c.CreateUser(user_id=f"u{u}", name=f"u{u}"))).ok

        async def worker(u: int) -> None:
            for i in range(per_user):
                outcome = await seq.submit(_deposit(f"u{u}", i + 1))
                assert outcome.ok

        await asyncio.gather(*(worker(u) for u in range(users)))
        total = users + users * per_user
        assert rig.published == list(range(1, total + 1))
        assert seq.last_seq == total
        for u in range(users):  # 1 + 2 + ... + 60 dollars each
            assert _balance_cc(seq, f"u{u}") == per_user * (per_user + 1) // 2 * DOLLAR
        assert max(seq.batch_sizes) <= 7
        digest = state_digest(seq.exchange)
        await rig.close()
        return digest

    digest = asyncio.run(run())
    with Journal.open(f"sqlite:///{path}") as journal:
        assert state_digest(recover(journal, "pipe", engine=engine).exchange) == digest


@pytest.mark.parametrize("engine", ENGINES)
def test_a_failed_commit_refuses_its_batch_and_the_queue_whole(tmp_path: Path, engine: str) -> None:
    """Batch A commits; batch B's commit fails while A is still to be applied: A is
    applied and answered (it is durable), B and C (queued behind B) are refused with
    ``SequencerStopped``, none of their deposits reaches the engine or the subscribers,
    and the journal holds A and nothing after it."""
    path = tmp_path / "j.db"

    async def run() -> None:
        rig = _Rig(path, engine)
        seq = rig.sequencer
        seq.start()
        assert (await seq.submit(c.CreateUser(user_id="alice", name="alice"))).ok  # 1
        gate_a, gate_b = rig.gate(2), rig.gate(4)
        rig.journal.fail_at = 4
        a = [asyncio.ensure_future(seq.submit(_deposit("alice", d))) for d in (1, 2)]
        await _until(lambda: rig.journal.entered[-1:] == [2], "batch A's commit")
        b = [asyncio.ensure_future(seq.submit(_deposit("alice", d))) for d in (4, 8)]
        await asyncio.sleep(0.01)
        gate_a.set()
        await _until(lambda: rig.journal.entered[-1:] == [4], "batch B's commit")
        c_ = [asyncio.ensure_future(seq.submit(_deposit("alice", 16)))]
        await asyncio.sleep(0.01)
        gate_b.set()
        results = await asyncio.gather(*a, *b, *c_, return_exceptions=True)
        assert [r.ok for r in results[:2] if isinstance(r, Outcome)] == [True, True]
        assert all(isinstance(r, SequencerStopped) for r in results[2:]), results
        assert _balance_cc(seq, "alice") == 3 * DOLLAR
        assert rig.published == [1, 2, 3]
        assert seq.last_seq == 3
        assert not seq.running
        with pytest.raises(SequencerStopped):
            await seq.submit(_deposit("alice", 32))
        await rig.close()

    asyncio.run(run())
    assert [s for s, _ in _journaled(path)] == [1, 2, 3]


class BuggyExchange(Exchange):
    """The Python engine with one bug: a $2 deposit raises (no undo is configured)."""

    def apply(self, command: c.Cmd[R], ts_ns: int) -> Outcome[R]:
        if isinstance(command, c.Deposit) and command.amount_cc == 2 * DOLLAR:
            raise RuntimeError("a bug (injected)")
        return super().apply(command, ts_ns)


def test_an_engine_failure_stops_both_stages_and_answers_nobody_after_it(
    tmp_path: Path,
) -> None:
    """A failure in stage 2 (what a native panic is) while stage 1 commits the next batch:
    the failing batch's and the next batch's callers get ``SequencerStopped``, nothing is
    published for them, and the sequencer refuses new commands."""
    path = tmp_path / "j.db"

    async def run() -> None:
        rig = _Rig(path, "python", BuggyExchange("pipe"))
        seq = rig.sequencer
        seq.start()
        assert (await seq.submit(c.CreateUser(user_id="alice", name="alice"))).ok  # 1
        gate_a, gate_b = rig.gate(2), rig.gate(3)
        a = asyncio.ensure_future(seq.submit(_deposit("alice", 2)))
        await _until(lambda: rig.journal.entered[-1:] == [2], "batch A's commit")
        b = asyncio.ensure_future(seq.submit(_deposit("alice", 4)))
        await asyncio.sleep(0.01)
        gate_a.set()
        results = await asyncio.gather(a, b, return_exceptions=True)
        assert all(isinstance(r, SequencerStopped) for r in results), results
        assert rig.published == [1]
        assert not seq.running
        gate_b.set()
        with pytest.raises(SequencerStopped):
            await seq.submit(_deposit("alice", 8))
        await rig.close()

    asyncio.run(run())
