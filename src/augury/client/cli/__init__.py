"""The toolkit's command line, registered on the ``augury`` command by ``register(app)``.

People: ``creds``, ``markets``, ``book``, ``order``, ``positions``, ``balance``, ``fills``,
``export``. Bots and data: ``bot run``, ``record``, ``replay``, ``backtest``.
"""

from __future__ import annotations

import typer

from augury.client.cli import data, people
from augury.client.cli.botcmd import bot_app
from augury.client.cli.creds_cmd import creds_app
from augury.client.cli.exporting import export

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the toolkit's commands to the ``augury`` command."""
    app.add_typer(creds_app, name="creds")
    app.command()(people.markets)
    app.command()(people.book)
    app.add_typer(people.order_app, name="order")
    app.command()(people.positions)
    app.command()(people.balance)
    app.command()(people.fills)
    app.command()(export)
    app.add_typer(bot_app, name="bot")
    app.command()(data.record)
    app.command()(data.replay)
    app.command()(data.backtest)
