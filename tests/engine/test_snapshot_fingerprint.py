"""Changing what a snapshot holds without bumping ``SNAPSHOT_FORMAT`` fails here.

A snapshot is the engine-neutral state document (``engine/snapshot.py``, decision 0037)
behind an ``augury-state/<format>`` line: a build can only load documents laid out as it
writes them, so a change to the layout (a part added, removed or renamed, a column added
or moved, a value of another type) must bump ``SNAPSHOT_FORMAT``, and older snapshots are
then refused and the journal replayed instead. The fingerprint below is derived from the
documents themselves: the golden journal (every command type) is replayed one record at a
time and each state's document is walked, recording for every part and every column of
its rows (nested rows too) the kinds of value seen there. Columns are told apart by
position, so a moved column changes the fingerprint as well.

When this fails: bump ``SNAPSHOT_FORMAT`` in ``engine/state.py``, say in its docstring what
changed, and add the new fingerprint under the new number below. Never edit an old line:
each one is what a format was. (Formats 1 to 3 were pickles of the Python engine's objects;
the fingerprints start with the first engine-neutral format.)
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import msgspec

from augury.engine import commands as c
from augury.engine.exchange import Exchange
from augury.engine.snapshot import dump_state
from augury.engine.state import SNAPSHOT_FORMAT

# Format -> the fingerprint of the document layout it writes.
FINGERPRINTS = {
    4: "a102d501f76c36ead5d4360697207bffeb88c262a4c7d828dccaa72590122418",
}

FIXTURE = Path(__file__).parent.parent / "fixtures" / "journal-v1.json"


def _kind(value: object) -> str:
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, str):
        return "str"
    if isinstance(value, bytes):
        return "bin"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "map"
    return type(value).__name__


def _walk(value: Any, path: str, seen: dict[str, set[str]]) -> None:
    seen.setdefault(path, set()).add(_kind(value))
    if isinstance(value, dict):
        for key, item in value.items():
            _walk(item, f"{path}.{key}", seen)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            # A list of rows: every row is one path; a row's columns are told apart by
            # position (rows are arrays), a list of scalars by the list itself.
            column = f"[{index}]" if path.endswith("[]") else "[]"
            _walk(item, f"{path}{column}", seen)


def fingerprint_lines() -> list[str]:
    """Replay the golden journal, walking the snapshot document after every record;
    return one sorted line per path: the kinds of value found there."""
    document = json.loads(FIXTURE.read_text())
    exchange = Exchange(document["instance_id"])
    seen: dict[str, set[str]] = {}
    for _, ts_ns, payload, *_ in document["records"]:
        exchange.apply(c.decode_command(bytes.fromhex(payload)), ts_ns)
        _walk(msgspec.msgpack.decode(dump_state(exchange)), "", seen)
    return sorted(f"{path}: {' '.join(sorted(kinds))}" for path, kinds in seen.items())


def test_the_snapshot_layout_matches_the_snapshot_format() -> None:
    lines = fingerprint_lines()
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    listed = FINGERPRINTS.get(SNAPSHOT_FORMAT)
    if listed is None:
        hint = f"record it: add {SNAPSHOT_FORMAT}: {digest!r} to FINGERPRINTS"
    else:
        hint = (
            "bump SNAPSHOT_FORMAT (engine/state.py) and add "
            f"{SNAPSHOT_FORMAT + 1}: {digest!r} to FINGERPRINTS"
        )
    assert listed == digest, (
        f"the snapshot document is not laid out as format {SNAPSHOT_FORMAT} was: {hint}; "
        "the layout is now:\n" + "\n".join(lines)
    )


def test_every_engine_neutral_format_is_listed_once() -> None:
    assert sorted(FINGERPRINTS) == list(range(4, SNAPSHOT_FORMAT + 1))
    assert len(set(FINGERPRINTS.values())) == len(FINGERPRINTS)


def test_the_fingerprint_sees_every_part_and_nested_rows() -> None:
    paths = {line.split(":")[0] for line in fingerprint_lines()}
    # Resting orders inside markets, group windows and members, retired client ids:
    # the golden journal reaches them all at some record.
    for path in (
        ".markets[][24][]",
        ".groups[][6][]",
        ".retired_client_ids[][1][]",
        ".closed_orders[]",
        ".transfers[]",
    ):
        assert any(p.startswith(path) for p in paths), path
