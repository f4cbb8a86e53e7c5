"""``augury journal ...``: offline operations on a store's journal (the server stopped).

``augury journal void SEQ`` marks one record void: recovery then replays it as a command
that failed and changed nothing. It is the way out that a startup error names when a
record cannot be decoded by the running build (decision 0015); every other record, and
every record's bytes, stay as they are. Run it only with the server stopped: the journal
has one writer.

Security: it needs the store itself (the data directory's files, or the PostgreSQL URL),
which only the operator holds; it offers nothing the API does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from augury.cli.options import DataOpt
from augury.store import Journal
from augury.store.journal import JournalError

__all__ = ["journal_app"]

journal_app = typer.Typer(
    no_args_is_help=True, help="Offline repairs of a stopped server's journal (see docs)."
)


def _url(data: Path, db: str | None) -> str:
    return db or f"sqlite:///{(data / 'augury.db').resolve()}"


@journal_app.command("void")
def void(
    seq: int,
    data: DataOpt = Path("./data"),
    db: Annotated[
        str | None,
        typer.Option("--db", envvar="AUGURY_DB", help="Store URL (default: SQLite in DATA)."),
    ] = None,
) -> None:
    """Mark journal record SEQ void: replay treats it as a failed command."""
    url = _url(data, db)
    if url.startswith("sqlite:///") and not (data / "augury.db").exists() and db is None:
        typer.echo(json.dumps({"error": f"no store in {data}"}), err=True)
        raise typer.Exit(1)
    with Journal.open(url) as journal:
        try:
            journal.void_record(seq)
        except JournalError as error:
            typer.echo(json.dumps({"error": str(error)}), err=True)
            raise typer.Exit(1) from None
        typer.echo(json.dumps({"voided": seq, "void_records": sorted(journal.void_records())}))
