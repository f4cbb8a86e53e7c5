"""Changing what a snapshot holds without bumping ``SNAPSHOT_FORMAT`` fails here.

A snapshot is a pickle of the ``Exchange`` (``engine/state.py``): it can only be loaded by
code whose classes sit at the same import paths with the same fields (and, for ``Order``,
whose ``__reduce__`` lists them in the same order). A build that changes any of that must
bump ``SNAPSHOT_FORMAT`` so older snapshots are refused and the journal is replayed
instead. The fingerprint below is derived from what the pickler actually writes: every
class and function the pickle names, and the fields of every object it holds, collected
while the golden journal (every command type) is replayed one record at a time, so every
kind of object the engine keeps (resting orders, groups, closed orders, keys...) is seen.

When this fails: bump ``SNAPSHOT_FORMAT`` in ``engine/state.py``, say in its docstring
what changed, and add the new fingerprint under the new number below. Never edit an old
line: each one is what a format was.
"""

from __future__ import annotations

import enum
import hashlib
import io
import json
import pickle
from pathlib import Path
from typing import Any

import msgspec

from augury.engine import commands as c
from augury.engine.exchange import Exchange
from augury.engine.state import SNAPSHOT_FORMAT

# Format -> the fingerprint of the fields it pickles (format 1 predates this test).
FINGERPRINTS = {
    2: "eeb7cf749e347530bc44c041917b40964519fdc4927ed289c37a6dc3bc2a7320",
    # 3: computed with this test's walker on main at 3517f2c (retired client ids).
    3: "238daade45910df35863270fff9ec846182a2c374faa99968383177bcfd4a9c0",
    4: "0475c8a2895c17f618ade6363c1034bcc77386028e1b8133f4cfd02ba219f5c2",
}

FIXTURE = Path(__file__).parent.parent / "fixtures" / "journal-v1.json"
_ATOMS = (type(None), bool, int, float, str, bytes)


def _fields(obj: object) -> str:
    if isinstance(obj, enum.Enum):
        # Members are pickled by value (``MarketStatus("active")``).
        return "enum " + " ".join(str(member.value) for member in type(obj))
    if isinstance(obj, msgspec.Struct):
        return "struct " + " ".join(obj.__struct_fields__)
    if type(obj).__getstate__ is not object.__getstate__:
        # A class that says what it pickles: exactly those names.
        state = obj.__getstate__()
        assert isinstance(state, dict)
        return "state " + " ".join(sorted(state))
    slots = [
        name
        for klass in reversed(type(obj).__mro__)
        for name in klass.__dict__.get("__slots__", ())
        if name not in ("__dict__", "__weakref__")
    ]
    names = sorted(vars(obj)) if hasattr(obj, "__dict__") else []
    return "slots " + " ".join(slots) + " | dict " + " ".join(names)


class _Recorder(pickle.Pickler):
    """A pickler that notes every global it names and the fields of every object."""

    def __init__(self, lines: set[str]) -> None:
        super().__init__(io.BytesIO(), protocol=pickle.HIGHEST_PROTOCOL)
        self.lines = lines

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, type) or type(obj).__name__ in (
            "function",
            "builtin_function_or_method",
        ):
            self.lines.add(f"global {obj.__module__}.{obj.__qualname__}")
        elif type(obj) not in _ATOMS:
            kind = type(obj)
            self.lines.add(f"{kind.__module__}.{kind.__qualname__}: {_fields(obj)}")
        return NotImplemented


def fingerprint_lines() -> list[str]:
    """Replay the golden journal, pickling the state after every record; return what the
    pickles named, one sorted line per class, function and field layout."""
    document = json.loads(FIXTURE.read_text())
    exchange = Exchange(document["instance_id"])
    lines: set[str] = set()
    for _, ts_ns, payload, *_ in document["records"]:
        exchange.apply(c.decode_command(bytes.fromhex(payload)), ts_ns)
        _Recorder(lines).dump(exchange)
    return sorted(lines)


def test_the_snapshot_fields_match_the_snapshot_format() -> None:
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
        f"what a snapshot pickles is not what format {SNAPSHOT_FORMAT} pickled: {hint}; "
        "the fields are now:\n" + "\n".join(lines)
    )


def test_every_format_since_the_fingerprint_is_listed_once() -> None:
    assert sorted(FINGERPRINTS) == list(range(2, SNAPSHOT_FORMAT + 1))
    assert len(set(FINGERPRINTS.values())) == len(FINGERPRINTS)


def test_the_fingerprint_sees_every_kind_of_object_the_engine_keeps() -> None:
    named = {line.split(":")[0] for line in fingerprint_lines()}
    for kind in (
        "augury.engine.orders.Order",
        "augury.engine.groups.OrderGroup",
        "augury.engine.book.Level",
        "augury.ledger.accounts.Position",
        "augury.ledger.collateral.OrderGroupSide",
    ):
        assert kind in named
