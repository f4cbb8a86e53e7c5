"""The replay check (``augury.sim.replay``) and the ``python -m augury.sim`` entry point.

The replay check must fail where the live run and the replay part ways: a recorded outcome
that the replay does not reproduce, or a final digest that differs.
"""

from __future__ import annotations

import random
import subprocess
import sys

import pytest

from augury.engine.exchange import Exchange, Outcome
from augury.engine.state import state_digest
from augury.sim import Workload
from augury.sim.replay import INSTANCE_ID, CommandLog, SimFailure, replay_check


def _live_log(commands: int) -> tuple[CommandLog, str]:
    workload = Workload(random.Random(11))
    exchange = Exchange(INSTANCE_ID)
    log = CommandLog()
    for _ in range(commands):
        command = workload.next_command()
        log.journal(command, workload.ts)
        outcome: Outcome[object] = exchange.apply(command, workload.ts)
        log.saw(outcome)
        workload.observe(outcome)
    return log, state_digest(exchange)


def test_an_untouched_log_replays_to_the_live_digest() -> None:
    log, digest = _live_log(400)
    assert replay_check(log, digest) == digest


def test_a_recorded_outcome_the_replay_does_not_reproduce_is_named_by_index() -> None:
    log, digest = _live_log(400)
    log.codes[123] ^= 0x7F  # the live run "saw" a different reject code at command 123
    with pytest.raises(SimFailure) as caught:
        replay_check(log, digest)
    assert caught.value.index == 123
    assert caught.value.message == "replay outcome differs from the live run"


def test_a_different_final_digest_fails_at_the_last_command() -> None:
    log, _ = _live_log(50)
    with pytest.raises(SimFailure) as caught:
        replay_check(log, "0" * 64)
    assert caught.value.index == 49
    assert caught.value.message == "final replay digest differs"


@pytest.mark.process
def test_python_dash_m_augury_sim_runs_clean() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "augury.sim", "--commands", "3000", "--seed", "3"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("augury sim: seed=3 commands=3,000")
    assert "(replay identical)" in done.stdout
