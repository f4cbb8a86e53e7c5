"""The runner: a seeded stream applied to an ``Exchange``, audited, then replay-checked.

``run`` applies the workload's stream to an ``Exchange`` and checks, every
``audit_every`` commands and at the end:

- ``augury.engine.audit.audit`` finds no broken invariant;
- the client's view built from events agrees with the state (resting orders, available
  balances, positions): every change the engine made was announced;
- about 20 times per run (at most once per audit interval), a deliberately invalid
  command is applied between two ``state_digest`` calls, which must be equal (a rejected
  command changes nothing, not even the clock).

Every command is journaled into an in-memory ``CommandLog`` as it is issued (the
sequencer's order: journal, then apply); ``augury.sim.replay`` then replays the log into a
fresh exchange. Any exception, violation or mismatch stops the run with the 0-based index
of the command at fault: an audit failure is re-run from the seed with an audit after
every command of the failing interval, to name the exact command.

``engine="native"`` runs the native (Rust) engine (``augury.runtime.engines``); with
``compare`` every command is applied to the Python engine too, the specification, and
each outcome (reject reason and message, events field by field) and every audited state
digest must be the same: the differential test of ``tests/engine/test_differential.py``,
run long (``make sim``).
"""

from __future__ import annotations

import random
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from augury.engine import commands as c
from augury.engine.audit import audit
from augury.engine.exchange import Exchange, Outcome
from augury.engine.state import state_digest
from augury.runtime.engines import new_exchange
from augury.sim.replay import INSTANCE_ID, CommandLog, SimFailure, replay_check
from augury.sim.workload import Workload

__all__ = ["DEFAULT_AUDIT_EVERY", "DEFAULT_SEED", "SimReport", "run"]

DEFAULT_SEED = 20_260_314
DEFAULT_AUDIT_EVERY = 20_000


@dataclass
class SimReport:
    """What a run did and whether it failed (``failure`` is None when it passed)."""

    seed: int
    commands: int
    audit_every: int
    applied: int = 0
    digest: str = ""
    replay_digest: str = ""
    failure: str | None = None
    failure_index: int | None = None
    failure_command: str | None = None
    audits: int = 0
    probes: int = 0
    trades: int = 0
    settled_markets: int = 0
    rejects: dict[str, int] = field(default_factory=dict)
    log_bytes: int = 0
    run_s: float = 0.0
    replay_s: float = 0.0
    cpu_s: float = 0.0  # process CPU time of run + replay (the machine may be shared)

    @property
    def ok(self) -> bool:
        return self.failure is None

    @property
    def commands_per_s(self) -> float:
        """Throughput of the live run (generation, apply, journal encoding, observing)."""
        return self.applied / self.run_s if self.run_s else 0.0

    @property
    def replay_commands_per_s(self) -> float:
        return self.applied / self.replay_s if self.replay_s else 0.0


def _view_problems(workload: Workload, exchange: Exchange) -> list[str]:
    """Compare the client's view, built only from events, with the exchange's state."""
    problems = []
    live = workload.live.orders
    resting = exchange.orders
    if live.keys() != resting.keys():
        extra = sorted(live.keys() - resting.keys())[:3]
        missing = sorted(resting.keys() - live.keys())[:3]
        problems.append(f"events disagree on resting orders: gone {extra}, unannounced {missing}")
    for order_id, seen in live.items():
        order = resting.get(order_id)
        if order is not None and (order.remaining_c, order.price_cc) != (
            seen.remaining_c,
            seen.price_cc,
        ):
            problems.append(f"events disagree on order {order_id}")
            break
    for key, account in exchange.ledger.accounts.items():
        if workload.available.get(key, 0) != account.available_cc:
            problems.append(f"events disagree on available cash of {key}")
            break
    for pkey, position in exchange.ledger.positions.items():
        if workload.positions.get(pkey, 0) != position.position_c:
            problems.append(f"events disagree on position {pkey}")
            break
    return problems


class _LiveRun:
    """One live run: generator, exchange, journal log, checks."""

    def __init__(
        self,
        seed: int,
        audit_every: int,
        commands: int,
        engine: str = "python",
        compare: bool = False,
    ) -> None:
        self.workload = Workload(random.Random(seed))
        self.engine = engine
        self.exchange = new_exchange(engine, INSTANCE_ID)
        # --compare: the Python engine, the specification, takes every command too.
        self.reference = Exchange(INSTANCE_ID) if compare else None
        self.audit_every = audit_every
        # The digest grows with everything the exchange remembers (client ids, closed
        # orders), so checkpoints and refused-command probes are spaced to about 10 and
        # 20 per run; the audit itself runs every ``audit_every`` commands.
        self.digest_every = max(audit_every, commands // 10)
        self.probe_every = max(audit_every, commands // 20)
        self.next_digest = self.digest_every - 1
        self.next_probe = 0
        self.log = CommandLog()
        self.index = -1
        self.last_good_audit = -1
        self.probes = 0
        self.audits = 0
        self.rejects: dict[str, int] = {}

    def step(self, *, audit_now: bool = False, digest: bool = True) -> None:
        """Issue, journal and apply one command, then run the checks that are due."""
        self.index += 1
        index = self.index
        workload = self.workload
        command = workload.next_command()
        ts_ns = workload.ts
        self.log.journal(command, ts_ns)
        probing = digest and workload.probe and index >= self.next_probe
        before = state_digest(self.exchange) if probing else ""
        try:
            outcome: Outcome[object] = self.exchange.apply(command, ts_ns)
        except Exception as exc:
            detail = traceback.format_exception_only(exc)[-1].strip()
            raise SimFailure(index, f"exception while applying: {detail}", command) from exc
        if self.reference is not None:
            _compare(index, command, self.reference.apply(command, ts_ns), outcome)
        if outcome.reject is not None:
            reason = outcome.reject.reason.value
            self.rejects[reason] = self.rejects.get(reason, 0) + 1
        if probing:
            self.next_probe = index + self.probe_every
            self.probes += 1
            if outcome.reject is None:
                raise SimFailure(index, "a command built to be invalid was accepted", command)
            if state_digest(self.exchange) != before:
                raise SimFailure(index, "a rejected command changed the state", command)
        self.log.saw(outcome)
        workload.observe(outcome)
        if audit_now or (index + 1) % self.audit_every == 0:
            self.check(index, command, digest=digest and (audit_now or index >= self.next_digest))

    def check(self, index: int, command: c.Command, *, digest: bool) -> None:
        self.audits += 1
        problems = audit(self.exchange) + _view_problems(self.workload, self.exchange)
        if problems:
            raise SimFailure(index, "; ".join(problems[:5]), command, audit=True)
        self.last_good_audit = index
        if self.reference is not None and state_digest(self.reference) != state_digest(
            self.exchange
        ):
            raise SimFailure(index, "the engines' states differ (digest)", command)
        if digest:
            self.log.checkpoints[index] = state_digest(self.exchange)
            self.next_digest = index + self.digest_every


def _compare(
    index: int, command: c.Command, expected: Outcome[object], got: Outcome[object]
) -> None:
    """Require the engine's outcome to be the Python engine's, event for event."""
    want = None if expected.reject is None else (expected.reject.reason, expected.reject.message)
    have = None if got.reject is None else (got.reject.reason, got.reject.message)
    if want != have:
        raise SimFailure(index, f"the engines differ: reject {want} != {have}", command)
    if expected.events != got.events:
        pairs = zip(expected.events, got.events, strict=False)
        first = next((f"{a!r} != {b!r}" for a, b in pairs if a != b), "event counts")
        raise SimFailure(index, f"the engines differ: {first}", command)


def _pinpoint(
    seed: int, audit_every: int, first: int, last: int, engine: str = "python"
) -> SimFailure | None:
    """Re-run from the seed, auditing after every command in ``first..last``."""
    again = _LiveRun(seed, audit_every, last + 1, engine)
    try:
        while again.index + 1 < first:
            again.step(digest=False)
        while again.index < last:
            again.step(audit_now=True, digest=False)
    except SimFailure as failure:
        return failure
    return None


def run(
    commands: int,
    seed: int = DEFAULT_SEED,
    audit_every: int = DEFAULT_AUDIT_EVERY,
    *,
    progress: Callable[[str], None] | None = None,
    progress_every: int = 100_000,
    engine: str = "python",
    compare: bool = False,
) -> SimReport:
    """Run ``commands`` generated commands from ``seed``; see the module docstring."""
    if commands <= 0 or audit_every <= 0:
        raise ValueError("commands and audit_every must be positive")
    report = SimReport(seed=seed, commands=commands, audit_every=audit_every)
    live = _LiveRun(seed, audit_every, commands, engine, compare)
    started = time.perf_counter()
    cpu_started = time.process_time()
    try:
        try:
            mark, mark_t = 0, started
            while live.index + 1 < commands:
                live.step(audit_now=live.index + 2 == commands)
                done = live.index + 1
                if progress is not None and done % progress_every == 0:
                    now = time.perf_counter()
                    progress(
                        f"{done:>12,} commands {(done - mark) / (now - mark_t):>10,.0f} commands/s"
                        f"  resting={len(live.exchange.orders):,} trades={live.workload.trades:,}"
                        f" settled={live.workload.settled}"
                    )
                    mark, mark_t = done, now
        except SimFailure as failure:
            if failure.audit and live.last_good_audit < failure.index - 1:
                exact = _pinpoint(
                    seed, audit_every, live.last_good_audit + 1, failure.index, engine
                )
                if exact is not None:
                    raise exact from None
            raise
        report.run_s = time.perf_counter() - started
        report.digest = live.log.checkpoints[live.index]
        if progress is not None:
            progress(
                f"applied {commands:,} commands; replaying the log ({len(live.log.data):,} bytes)"
            )
        replay_started = time.perf_counter()
        report.replay_digest = replay_check(
            live.log, report.digest, progress, progress_every, engine
        )
        report.replay_s = time.perf_counter() - replay_started
    except SimFailure as failure:
        report.failure = failure.message
        report.failure_index = failure.index
        report.failure_command = repr(failure.command) if failure.command is not None else None
        report.run_s = report.run_s or time.perf_counter() - started
    report.applied = live.index + 1
    report.cpu_s = time.process_time() - cpu_started
    report.audits = live.audits
    report.probes = live.probes
    report.trades = live.workload.trades
    report.settled_markets = live.workload.settled
    report.rejects = dict(sorted(live.rejects.items(), key=lambda kv: -kv[1]))
    report.log_bytes = len(live.log.data)
    return report
