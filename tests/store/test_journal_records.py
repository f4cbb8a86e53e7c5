"""Journal records stay readable: a committed journal replays to the same state forever.

``tests/fixtures/journal-v0.json`` was written by the build of 2026-07 (before records
carried versions) from ``tests/store/journal_script.py``: every command type, accepted and
refused. Its records are stored through ``Journal`` into a fresh store and recovered with
``runtime.boot.recover``, exactly as a server restarts on an old data directory; every
record must be accepted or refused as it was then, cause the same events, and the final
state must have the digest the fixture names. A change that breaks the decoding of old
records, or changes what an old command does, fails here.

The fixture's records decode to the commands today's script builds, at the same times, so
the script and the fixture tell the same story.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from augury.engine import commands as c
from augury.engine.exchange import Outcome
from augury.engine.state import state_digest
from augury.runtime.boot import recover
from augury.store import Journal
from tests.store import journal_script

FIXTURES = Path(__file__).parent.parent / "fixtures"


def _fixture(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return document


def _replay(document: dict[str, Any]) -> tuple[str, list[tuple[str, str]]]:
    seen: list[tuple[str, str]] = []

    def sink(seq: int, command: c.Command, outcome: Outcome[object]) -> None:
        reason = "ok" if outcome.reject is None else outcome.reject.reason.value
        seen.append((reason, " ".join(type(event).__name__ for event in outcome.events)))

    with Journal.open("sqlite://") as journal:
        journal.append_batch(
            [
                (seq, ts_ns, bytes.fromhex(payload))
                for seq, ts_ns, payload, *_ in document["records"]
            ]
        )
        result = recover(journal, document["instance_id"], sink)
    return state_digest(result.exchange), seen


def test_the_v0_journal_replays_to_its_recorded_outcomes_and_digest() -> None:
    document = _fixture("journal-v0.json")
    digest, seen = _replay(document)
    assert seen == [(outcome, events) for _, _, _, outcome, events in document["records"]]
    assert digest == document["digest"]


def test_the_fixture_holds_every_command_type() -> None:
    records = _fixture("journal-v0.json")["records"]
    kinds = {
        type(c.decode_command(bytes.fromhex(payload))).__name__ for _, _, payload, *_ in records
    }
    assert kinds == {"Batch", *(t.__name__ for t in c.Single.__args__)}


def test_the_v0_records_hold_todays_script() -> None:
    made = journal_script.script()
    document = _fixture("journal-v0.json")
    assert made.digest == document["digest"]
    rows = document["records"]
    assert [r.ts_ns for r in made.records] == [row[1] for row in rows]
    decoded = [c.decode_command(bytes.fromhex(row[2])) for row in rows]
    assert decoded == made.commands
