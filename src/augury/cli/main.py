"""The ``augury`` command: run a server, administer it, or start the demo.

Each command family lives in its own module and is registered here:

- ``augury serve`` / ``augury demo`` (``cli/serve.py``): run an exchange on a data directory;
- ``augury admin ...`` (``cli/admin.py``): operate a running server with the operator key;
- ``augury journal ...`` (``cli/journal.py``): offline repairs of a stopped server's journal.
- the trader's toolkit (``augury.client.cli``): creds, markets, book, order, positions,
  balance, fills, export, bot, record, replay, backtest.
"""

from __future__ import annotations

import typer

from augury.cli import serve
from augury.cli.admin import admin_app
from augury.cli.journal import journal_app
from augury.cli.platform import register as register_platform_verbs
from augury.cli.sandbox import register as register_sandbox_verbs
from augury.client import cli as toolkit

__all__ = ["app", "main"]

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
app.command()(serve.serve)
app.command()(serve.demo)
app.add_typer(admin_app, name="admin")
app.add_typer(journal_app, name="journal")
register_platform_verbs()
toolkit.register(app)
register_sandbox_verbs()


def main() -> None:
    """Entry point of the ``augury`` script."""
    app(prog_name="augury")


if __name__ == "__main__":
    main()
