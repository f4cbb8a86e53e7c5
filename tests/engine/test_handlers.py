"""Every command type has exactly one handler, and it returns the command's result type.

``Exchange.apply`` finds a command's handler in ``engine.exchange.HANDLERS`` and hands
back whatever it returns as the command's typed result (``Outcome[R]`` for a
``Cmd[R]``). mypy cannot see through that table, so this test checks the pairing from
the declarations themselves: the ``R`` each command class names against the return
annotation of the handler the table gives it.
"""

from __future__ import annotations

import typing

import pytest

from augury.engine import commands as c
from augury.engine.exchange import HANDLERS, Exchange

SINGLES: tuple[type, ...] = typing.get_args(c.Single)


def _declared_result(command_type: type) -> object:
    (base,) = (b for b in command_type.__orig_bases__ if typing.get_origin(b) is c.Cmd)  # type: ignore[attr-defined]
    (result,) = typing.get_args(base)
    return result


def test_every_single_command_type_has_a_handler() -> None:
    assert set(HANDLERS) == set(SINGLES)


@pytest.mark.parametrize("command_type", SINGLES, ids=lambda t: t.__name__)
def test_the_handler_returns_what_the_command_declares(command_type: type) -> None:
    handler = HANDLERS[command_type]
    hints = typing.get_type_hints(handler, localns={"Exchange": Exchange})
    assert hints["return"] == _declared_result(command_type)
    # The handler takes the command it is registered for, and the command's time.
    params = [hints[name] for name in list(hints)[:-1]]
    assert params == [Exchange, command_type, int]


def test_a_batch_cannot_hold_a_batch() -> None:
    inner = c.Batch.of([c.Tick()])
    with pytest.raises(TypeError):
        c.Batch.of([inner])
