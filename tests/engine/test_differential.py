"""Differential test: the native engine against the Python engine (the specification).

Both engines take the same seeded random command streams (``tests.engine.differential``:
every command type, adversarial values, many users and markets, settlements and listings
mid-stream) and must produce identical outcomes: the same rejects (reason and message),
the same values, the same events field by field, and the same canonical state (the bytes
the state digest hashes) after every command. The auditor must find nothing in the native
state at the end of each stream.

Budget: ``AUGURY_DIFF_SEEDS`` streams of ``AUGURY_DIFF_COMMANDS`` commands (CI's fixed
budget by default); ``make sim ENGINE=native`` runs far longer streams.
"""

from __future__ import annotations

import itertools
import os

import pytest

from augury.engine import commands as c
from augury.engine.exchange import Exchange
from augury.runtime.native_engine import NativeExchange
from tests.engine.differential import CommandStream, compare
from tests.engine.native_engine import digest_any, native_or_skip

SEEDS = int(os.environ.get("AUGURY_DIFF_SEEDS", "4"))
COMMANDS = int(os.environ.get("AUGURY_DIFF_COMMANDS", "2500"))


@pytest.mark.parametrize("seed", range(SEEDS))
def test_native_engine_matches_python_engine(seed: int) -> None:
    native_or_skip()
    stream = CommandStream(seed)
    python, native = Exchange("diff"), NativeExchange("diff")
    for step, (command, ts_ns) in enumerate(itertools.islice(stream, COMMANDS)):
        difference = compare(python, native, command, ts_ns, stream)
        assert difference is None, f"seed {seed} step {step}: {command!r}: {difference}"
    assert native.audit() == []
    assert digest_any(native) == digest_any(python)


def test_a_difference_is_detected() -> None:
    """The comparison can fail: an engine that saw one extra deposit differs in state."""
    native_or_skip()
    python, native = Exchange("diff"), NativeExchange("diff")
    user = c.CreateUser(user_id="a", name="A")
    assert compare(python, native, user, 1) is None
    native.apply(c.Deposit(user_id="a", amount_cc=100), 2)
    difference = compare(python, native, c.Tick(), 3)
    assert difference is not None
    assert difference[0] == "state"
