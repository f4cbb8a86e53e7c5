"""The engine's domain table (decision 0014) covers every command and every bound holds.

``engine.domain_check.FIELDS`` is the rule a native engine mirrors, so it must name every
command type of the journal's union and only fields those types have. For each bounded
field, a value at its bound is not refused for its domain and one past it is, with
``OUT_OF_DOMAIN``, before any other reject: the commands are otherwise nonsense (unknown
users and markets), which the engine would refuse for a later reason.
"""

from __future__ import annotations

import typing

import msgspec
import pytest

from augury.domain.rejects import RejectReason
from augury.engine import commands as c
from augury.engine.domain_check import FIELDS, domain_reject
from augury.engine.exchange import Exchange

COMMAND_TYPES = set(typing.get_args(c.Single)) | {c.Batch}


def _sample(command_type: type) -> c.Command:
    values: dict[str, object] = {}
    for field in msgspec.structs.fields(command_type):
        if field.required:
            hint = str(field.type)
            if "Literal" in hint:
                values[field.name] = typing.get_args(field.type)[0]
            elif "int" in hint:
                values[field.name] = 1
            elif "list" in hint:
                values[field.name] = []
            else:
                values[field.name] = "x"
    result = command_type(**values)
    assert type(result) in COMMAND_TYPES
    return typing.cast(c.Command, result)  # a member of the union: asserted just above


def test_every_command_type_is_in_the_table() -> None:
    assert set(FIELDS) == COMMAND_TYPES


BY_NAME = [command_type for _, command_type in sorted((t.__name__, t) for t in FIELDS)]


@pytest.mark.parametrize("command_type", BY_NAME)
def test_each_rule_names_a_field_of_its_type(command_type: type) -> None:
    names = {field.name for field in msgspec.structs.fields(command_type)}
    assert {name for name, _, _ in FIELDS[command_type]} <= names


def _cases() -> list[tuple[type, str, str, object]]:
    cases = []
    for command_type, rules in FIELDS.items():
        for name, kind, bound in rules:
            cases.append((command_type, name, kind, bound))
    return sorted(cases, key=lambda case: (case[0].__name__, case[1]))


@pytest.mark.parametrize(("command_type", "name", "kind", "bound"), _cases())
def test_a_value_past_its_bound_is_refused_first(
    command_type: type, name: str, kind: str, bound: object
) -> None:
    base = _sample(command_type)
    at: object
    past: object
    if kind == "int":
        assert isinstance(bound, int)
        at, past = bound, bound + 1
    elif kind == "text":
        assert isinstance(bound, int)
        at, past = "x" * bound, "x" * (bound + 1)
    else:
        assert isinstance(bound, tuple)
        at, past = ["x" * bound[1]] * bound[0], ["x"] * (bound[0] + 1)
    assert domain_reject(msgspec.structs.replace(base, **{name: at})) is None
    outcome = Exchange().apply(msgspec.structs.replace(base, **{name: past}), 0)
    assert outcome.reject is not None
    assert outcome.reject.reason is RejectReason.OUT_OF_DOMAIN
    assert name in outcome.reject.message
