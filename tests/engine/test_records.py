"""The journal record layouts are the ones the decision record specifies, version by version.

``docs/decisions/0022-versioned-journal-records.md`` is the specification a second
decoder (the Rust engine's) implements: for every record tag, its fields in order with
their msgpack types and defaults. This test renders the layouts from the code's own
command classes (``engine/commands.py`` for the current version, ``engine/legacy_records.py``
for version 0) and requires the decision record's tables to say exactly that, so the
specification cannot drift from the code, and a command whose fields change without a
new tag fails here (its row no longer matches what the record says that tag holds).
"""

from __future__ import annotations

import re
import typing
from pathlib import Path

import msgspec
import pytest

from augury.engine import commands as c
from augury.engine import legacy_records as v0

DECISION = Path(__file__).parents[2] / "docs" / "decisions" / "0022-versioned-journal-records.md"
_ROW = re.compile(r"^\| `([A-Za-z]+(?:/\d+)?)` \| (.*) \|$")


def _type(t: msgspec.inspect.Type) -> str:
    if isinstance(t, msgspec.inspect.IntType):
        return "int"
    if isinstance(t, msgspec.inspect.StrType):
        return "str"
    if isinstance(t, msgspec.inspect.BoolType):
        return "bool"
    if isinstance(t, msgspec.inspect.NoneType):
        return "nil"
    if isinstance(t, msgspec.inspect.LiteralType):
        return " or ".join(f'"{value}"' for value in t.values)
    if isinstance(t, msgspec.inspect.ListType):
        return f"array of {_type(t.item_type)}"
    if isinstance(t, msgspec.inspect.DictType):
        return "map"
    if isinstance(t, msgspec.inspect.UnionType):
        return " or ".join(_type(member) for member in t.types)
    if isinstance(t, msgspec.inspect.StructType):
        return "record"
    raise AssertionError(f"no rendering for {t!r}")


def _field(f: msgspec.inspect.Field) -> str:
    text = f"{f.name}: {_type(f.type)}"
    if f.default is not msgspec.NODEFAULT:
        text += f" = {msgspec.json.encode(f.default).decode()}"
    elif f.default_factory is not msgspec.NODEFAULT:
        text += f" = {msgspec.json.encode(f.default_factory()).decode()}"
    return f"`{text}`"


def _layout(kind: type) -> tuple[str, str]:
    info = msgspec.inspect.type_info(kind)
    assert isinstance(info, msgspec.inspect.StructType)
    assert info.array_like
    assert info.tag is not None
    if kind is c.Batch or kind is v0.Batch:
        # A batch's items are whole records of the same version.
        fields = "`items: array of record`" + (", `ts_ns: int`" if kind is v0.Batch else "")
    else:
        fields = ", ".join(_field(f) for f in info.fields) or "(none)"
    return str(info.tag), fields


def code_layouts() -> dict[str, str]:
    kinds = [*typing.get_args(c.Command), *typing.get_args(v0.LegacyCommand)]
    return dict(_layout(typing.get_origin(kind) or kind) for kind in kinds)


def documented_layouts() -> dict[str, str]:
    rows: dict[str, str] = {}
    for line in DECISION.read_text().splitlines():
        match = _ROW.match(line)
        if match:
            assert match.group(1) not in rows, f"{match.group(1)} is specified twice"
            rows[match.group(1)] = match.group(2)
    return rows


def test_the_decision_record_specifies_every_layout_the_code_has() -> None:
    code, documented = code_layouts(), documented_layouts()
    for tag in sorted(code.keys() | documented.keys()):
        assert documented.get(tag) == code.get(tag), (
            f"{tag}: the decision record says {documented.get(tag)!r}, the code has "
            f"{code.get(tag)!r}. A new field layout needs a new version (a new tag, the old "
            "one kept decodable) and a row of its own."
        )


@pytest.mark.parametrize("kind", typing.get_args(c.Single), ids=lambda t: t.__name__)
def test_every_current_tag_names_its_type_and_version(kind: type) -> None:
    tag = msgspec.inspect.type_info(kind).tag  # type: ignore[attr-defined]
    name, _, version = str(tag).partition("/")
    assert name == kind.__name__
    assert version.isdigit()
    assert int(version) >= 1


def test_version_zero_tags_are_the_bare_type_names() -> None:
    for kind in typing.get_args(v0.LegacyCommand):
        assert msgspec.inspect.type_info(kind).tag == kind.__name__  # type: ignore[attr-defined]
