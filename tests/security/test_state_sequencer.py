"""The sequencer never stops for one command (issue 10, "Critical"; decision 0015).

Before, a command that failed to encode stopped the sequencer, and every later write of
every user got 500 until a restart; an exception in ``apply`` did the same and left the
engine with part of the command. These run the real runtime (journal, history, sequencer)
in-process on an SQLite file:

- a command that cannot be encoded is refused alone (``CommandFailed``, a 500 for that
  caller); the commands batched with it are applied;
- an out-of-domain command, or batch item, is refused alone and never journaled;
- a command whose apply raises half-way (a hand-written engine stub with such a bug) is
  undone: the caller gets ``COMMAND_FAILED``, the part it applied is gone, the others in
  its batch are applied, the auditor finds nothing, and a restart replays the journal to
  the same state digest (the record is void);
- a subscriber that raises does not stop anyone.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, TypeVar

import pytest

from augury.domain.rejects import RejectReason
from augury.engine import commands as c
from augury.engine.audit import audit
from augury.engine.exchange import Exchange, Outcome
from augury.engine.state import state_digest
from augury.runtime import boot
from augury.runtime.boot import Runtime
from augury.runtime.clock import FakeClock
from augury.runtime.sequencer import CommandFailed
from augury.store import Journal

DOLLAR = 10_000
R = TypeVar("R")


class BuggyExchange(Exchange):
    """The real engine plus one bug: tier "explode" credits $100, then raises."""

    def apply(self, command: c.Cmd[R], ts_ns: int) -> Outcome[R]:
        if isinstance(command, c.SetUserTier) and command.tier == "explode":
            self.ledger.accounts[(command.user_id, 0)].available_cc += 100 * DOLLAR
            raise RuntimeError("a bug half-way through a command")
        return super().apply(command, ts_ns)


def _url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'augury.db'}"


async def _start(url: str) -> Runtime:
    # The Python engine: these tests inject a bug into its class (BuggyExchange).
    return await Runtime.start(
        url, "augury", FakeClock(), snapshot_every=1_000_000, engine="python"
    )


async def _open_alice(runtime: Runtime, dollars: int) -> None:
    for command in (
        c.CreateUser(user_id="alice", name="alice"),
        _deposit(dollars),
    ):
        assert (await runtime.sequencer.submit(command)).ok


def _deposit(dollars: int) -> c.Deposit:
    return c.Deposit(user_id="alice", amount_cc=dollars * DOLLAR)


async def _together(runtime: Runtime, *commands: c.Command) -> list[Any]:
    """Submit commands at once (they share one batch); return outcomes or exceptions."""
    submit = runtime.sequencer.submit
    return list(await asyncio.gather(*(submit(cmd) for cmd in commands), return_exceptions=True))


def test_a_command_whose_apply_raises_is_undone_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(boot, "Exchange", BuggyExchange)

    async def run() -> tuple[str, int]:
        runtime = await _start(_url(tmp_path))
        await _open_alice(runtime, 1_000)
        first, failed, third = await _together(
            runtime,
            _deposit(1),
            c.SetUserTier(user_id="alice", tier="explode"),
            _deposit(2),
        )
        assert first.ok
        assert third.ok
        assert failed.reject.reason is RejectReason.COMMAND_FAILED
        exchange = runtime.exchange
        assert isinstance(exchange, BuggyExchange)  # the same object, its state rebuilt
        assert exchange.ledger.accounts[("alice", 0)].available_cc == 1_003 * DOLLAR
        assert audit(exchange) == []
        void = await runtime.sequencer.call(lambda journal: journal.void_records())
        assert void == {4}  # CreateUser 1, Deposits 2 and 3, the failed tier 4, Deposit 5
        later = await runtime.sequencer.submit(_deposit(4))
        assert later.ok
        await runtime.history.drain()
        rows, _ = await runtime.history.read(lambda r: r.cash_movements("alice", limit=10))
        assert sorted(row.amount_cc // DOLLAR for row in rows) == [1, 2, 4, 1_000]
        digest = state_digest(exchange)
        await runtime.stop()
        return digest, runtime.sequencer.last_seq

    digest, last_seq = asyncio.run(run())
    assert last_seq == 6

    async def restart() -> str:
        runtime = await _start(_url(tmp_path))
        result = state_digest(runtime.exchange)
        await runtime.stop()
        return result

    assert asyncio.run(restart()) == digest


def test_a_command_that_cannot_be_encoded_is_refused_alone(tmp_path: Path) -> None:
    async def run() -> None:
        runtime = await _start(_url(tmp_path))
        await _open_alice(runtime, 1)
        unencodable = c.AddSeries(
            ticker="S", fee_type="quadratic", fee_multiplier_e4=0, meta={"x": object()}
        )
        before, failed, after = await _together(runtime, _deposit(1), unencodable, _deposit(2))
        assert isinstance(failed, CommandFailed)
        assert before.ok
        assert after.ok
        assert runtime.sequencer.last_seq == 4  # the unencodable one took no seq
        assert (await runtime.sequencer.submit(_deposit(3))).ok
        await runtime.stop()

    asyncio.run(run())


def test_out_of_domain_commands_and_items_are_refused_unjournaled(tmp_path: Path) -> None:
    async def run() -> None:
        runtime = await _start(_url(tmp_path))
        await _open_alice(runtime, 1)
        seq = runtime.sequencer.last_seq
        huge = c.Deposit(user_id="alice", amount_cc=2**70)
        outcome = await runtime.sequencer.submit(huge)
        assert outcome.reject is not None
        assert outcome.reject.reason is RejectReason.OUT_OF_DOMAIN
        assert runtime.sequencer.last_seq == seq
        batch = await runtime.sequencer.submit(c.Batch.of([huge, _deposit(5)]))
        refused, accepted = batch.value
        assert refused.reject is not None
        assert refused.reject.reason is RejectReason.OUT_OF_DOMAIN
        assert accepted.ok
        assert runtime.sequencer.last_seq == seq + 1
        records = await runtime.sequencer.call(lambda journal: list(journal.read_after(seq)))
        (journaled,) = [c.decode_command(payload) for _, _, payload in records]
        assert isinstance(journaled, c.Batch)
        assert journaled.items == [c.Deposit(user_id="alice", amount_cc=5 * DOLLAR)]
        await runtime.stop()

    asyncio.run(run())


def test_a_failing_subscriber_stops_nobody(tmp_path: Path) -> None:
    def broken(_seq: int, _command: c.Command, _outcome: Outcome[object]) -> None:
        raise RuntimeError("a subscriber bug")

    async def run() -> None:
        runtime = await _start(_url(tmp_path))
        runtime.sequencer.subscribe(broken)
        created = await runtime.sequencer.submit(c.CreateUser(user_id="alice", name="alice"))
        assert created.ok
        assert (await runtime.sequencer.submit(_deposit(1))).ok
        await runtime.stop()

    asyncio.run(run())


def test_the_void_mark_of_a_torn_tail_is_forgotten(tmp_path: Path) -> None:
    """A void seq past the recovered end would otherwise skip the next command there."""
    url = _url(tmp_path)
    with Journal.open(url) as journal:
        journal.append_batch([(1, 1, c.encode_command(c.Tick()))])
        journal.void_record(1)
        assert journal.void_records() == {1}
    with Journal.open(url) as journal:
        journal._db.write([("DELETE FROM journal WHERE seq = ?", (1,))])
    with Journal.open(url) as journal:
        assert journal.void_records() == frozenset()
