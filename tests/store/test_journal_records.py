"""Journal records stay readable: committed journals replay to the same state forever.

Each ``tests/fixtures/journal-vN.json`` is what one build wrote, from
``tests/store/journal_script.py``: every command type, accepted and refused, with the
outcome and events of every record and the digest of the final state. ``journal-v0`` and
``journal-v0-transfer-ids`` were written by builds before records carried versions (tags
without ``/1``, the time inside each payload; the second after Deposit and Withdraw
gained a transfer id, which changed their layout); ``journal-v1`` by the first build with
versioned records (docs/decisions/0022-versioned-journal-records.md). A fixture is never
rewritten.

For each fixture, its records are stored through ``Journal`` into a fresh store and
recovered with ``runtime.boot.recover``, exactly as a server restarts on that data
directory; every record must be accepted or refused as it was then, cause the same
events, and the state must have the recorded digest. A change that breaks the decoding
of old records, or changes what an old command does, fails here. Today's build must
also write the current version's records byte for byte (golden bytes), so an encoding
change cannot slip in without a new version and a new fixture.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from augury.engine import commands as c
from augury.engine.exchange import Exchange, Outcome
from augury.engine.state import SNAPSHOT_FORMAT, canonical_state, state_digest
from augury.runtime.boot import recover
from augury.store import Journal
from tests.engine.native_engine import native_or_skip
from tests.store import journal_script

FIXTURES = Path(__file__).parent.parent / "fixtures"
VERSIONS = ("journal-v0.json", "journal-v0-transfer-ids.json", "journal-v1.json")
CURRENT = "journal-v1.json"

# The canonical state's parts when each fixture was written (``engine/state.py``): the
# recorded digest is over those, in that order. A later build that keeps more (here the
# retired client ids, decision 0016) still reproduces the old parts byte for byte.
_BEFORE_RETIRED_IDS = [
    "counters",
    "paused",
    "accounts",
    "positions",
    "escrow",
    "fees",
    "external",
    "users",
    "api_keys",
    "markets",
    "groups",
    "reserves",
    "client_ids",
    "transfers",
    "closed_orders",
]
DIGEST_PARTS: dict[str, list[str] | None] = {
    "journal-v0.json": _BEFORE_RETIRED_IDS,
    "journal-v0-transfer-ids.json": _BEFORE_RETIRED_IDS,
    "journal-v1.json": None,  # all of today's
}

Row = tuple[int, int, bytes]


def _fixture(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return document


def _rows(document: dict[str, Any]) -> list[Row]:
    return [(seq, ts_ns, bytes.fromhex(payload)) for seq, ts_ns, payload, *_ in document["records"]]


def _digest(exchange: Any, parts: list[str] | None) -> str:
    if parts is None:
        return state_digest(exchange)
    if isinstance(exchange, Exchange):
        state = canonical_state(exchange)
    else:  # the native engine
        state = msgspec.msgpack.decode(exchange.canonical_bytes())
    return hashlib.sha256(msgspec.msgpack.encode({k: state[k] for k in parts})).hexdigest()


def _recover(
    rows: list[Row],
    snapshot: bytes | None = None,
    parts: list[str] | None = None,
    engine: str = "python",
) -> tuple[str, list[tuple[str, str]]]:
    """Store the rows (and a snapshot at the last one) and recover on ``engine``; return
    the state's digest (over ``parts`` of it, None: all) and each replayed record's
    (outcome, event names)."""
    seen: list[tuple[str, str]] = []

    def sink(seq: int, command: c.Command, outcome: Outcome[object]) -> None:
        reason = "ok" if outcome.reject is None else outcome.reject.reason.value
        seen.append((reason, " ".join(type(event).__name__ for event in outcome.events)))

    with Journal.open("sqlite://") as journal:
        journal.append_batch(rows)
        if snapshot is not None:
            journal.write_snapshot(rows[-1][0], rows[-1][1], snapshot)
        result = recover(journal, journal_script.INSTANCE_ID, sink, engine=engine)
    return _digest(result.exchange, parts), seen


@pytest.mark.parametrize("name", VERSIONS)
def test_a_journal_of_every_version_replays_to_its_recorded_outcomes_and_digest(
    name: str,
) -> None:
    document = _fixture(name)
    assert document["instance_id"] == journal_script.INSTANCE_ID
    digest, seen = _recover(_rows(document), parts=DIGEST_PARTS[name])
    assert seen == [(outcome, events) for _, _, _, outcome, events in document["records"]]
    assert digest == document["digest"]


@pytest.mark.parametrize("name", VERSIONS)
def test_the_native_engine_replays_every_version_to_the_same_outcomes_and_digest(
    name: str,
) -> None:
    """The Rust decoder implements decision 0022 too: every version, at its row's time."""
    native_or_skip()
    document = _fixture(name)
    digest, seen = _recover(_rows(document), parts=DIGEST_PARTS[name], engine="native")
    assert seen == [(outcome, events) for _, _, _, outcome, events in document["records"]]
    assert digest == document["digest"]


@pytest.mark.parametrize("name", VERSIONS)
def test_every_fixture_holds_every_command_type(name: str) -> None:
    kinds = {type(c.decode_command(payload)).__name__ for _, _, payload in _rows(_fixture(name))}
    assert kinds == {"Batch", *(t.__name__ for t in c.Single.__args__)}


@pytest.mark.parametrize("name", VERSIONS)
def test_every_fixture_decodes_to_the_commands_todays_script_builds(name: str) -> None:
    """Each fixture tells today's story (the oldest one, its beginning: the script grew)."""
    made = journal_script.script()
    rows = _rows(_fixture(name))
    assert [ts_ns for _, ts_ns, _ in rows] == [r.ts_ns for r in made.records[: len(rows)]]
    assert [c.decode_command(payload) for _, _, payload in rows] == made.commands[: len(rows)]


def test_todays_build_writes_the_current_records_byte_for_byte() -> None:
    made = journal_script.script()
    document = _fixture(CURRENT)
    assert made.digest == document["digest"]
    assert [(r.seq, r.ts_ns, r.payload) for r in made.records] == _rows(document)


def test_a_store_written_by_three_builds_recovers() -> None:
    """A store written by each build in turn: the old records stay, the newer follow."""
    first, second, third = (_rows(_fixture(name)) for name in VERSIONS)
    digest, seen = _recover(first[:40] + second[40:80] + third[80:])
    assert digest == _fixture(CURRENT)["digest"]
    assert seen == [(outcome, events) for *_, outcome, events in _fixture(CURRENT)["records"]]


def test_an_old_store_with_an_old_snapshot_recovers_from_its_journal() -> None:
    """The old build's snapshot is in an older state format: it is passed over and the
    old records are replayed from the first."""
    assert SNAPSHOT_FORMAT > 2
    old_snapshot = b"augury-state/2\n" + b"a pickle of the old classes"
    digest, seen = _recover(
        _rows(_fixture("journal-v0.json")), old_snapshot, DIGEST_PARTS["journal-v0.json"]
    )
    assert digest == _fixture("journal-v0.json")["digest"]
    assert len(seen) == len(_fixture("journal-v0.json")["records"])
