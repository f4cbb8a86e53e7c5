"""What every toolkit command shares: ``--host``, ``--profile``, ``--json``, and output.

``--host`` is ``prod``, ``demo``, ``local`` or a URL and overrides the profile's host;
``--profile`` picks a stored credential (default: the one ``augury creds use`` chose; a
command that needs no key runs unsigned when there is none). Output is a ``rich`` table for
people or, with ``--json``, one JSON document on stdout for scripts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import msgspec
import typer
from rich.console import Console
from rich.table import Table

from augury.client.creds import CredentialError, CredentialStore
from augury.client.errors import ClientError
from augury.client.hosts import Host, resolve
from augury.client.signing import Signer
from augury.client.sync import Client

__all__ = [
    "HostOpt",
    "JsonOpt",
    "ProfileOpt",
    "RootOpt",
    "client_for",
    "fail",
    "print_json",
    "print_table",
    "signer_for",
    "ws_host",
]

HostOpt = Annotated[
    str | None, typer.Option("--host", help="prod | demo | local | URL (default: the profile's)")
]
ProfileOpt = Annotated[str | None, typer.Option("--profile", help="stored credential to use")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON for scripts")]
RootOpt = Annotated[
    Path | None,
    typer.Option("--creds-root", help="credential store root (default $AUGURY_HOME or ~/.augury)"),
]


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error to stderr and return the Exit to raise."""
    Console(stderr=True).print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


def signer_for(
    profile: str | None, root: Path | None, *, required: bool
) -> tuple[Signer | None, str | None]:
    """Return the profile's signer and host (None, None when optional and absent)."""
    store = CredentialStore(root)
    try:
        if profile is None and store.current() is None and not required:
            return None, None
        found, signer = store.load(profile)
    except CredentialError as exc:
        if required:
            raise fail(str(exc)) from None
        return None, None
    return signer, found.host


def client_for(
    host: str | None, profile: str | None, root: Path | None, *, signed: bool = True
) -> Client:
    """Build the client a command runs with."""
    signer, profile_host = signer_for(profile, root, required=signed)
    try:
        client = Client(host or profile_host or "local", signer=signer)
    except ValueError as exc:
        raise fail(str(exc)) from None
    # Typer vendors click; its current-context helper is reachable only through typer.main.
    context = typer.main.get_current_context(silent=True)  # type: ignore[attr-defined]
    if context is not None:
        context.call_on_close(client.close)  # when the command ends, however it ends
    return client


def ws_host(spec: str | None) -> Host:
    """Return the host a WebSocket command connects to (its ``ws_url``, not the REST one).

    Named hosts keep their own WebSocket origins (Kalshi serves the feed from
    ``external-api-ws.*``, not the REST origin), so commands pass the ``Host`` itself.
    """
    try:
        return resolve(spec or "local")
    except ValueError as exc:
        raise fail(str(exc)) from None


def to_builtins(value: Any) -> Any:
    """Convert models to plain JSON-able values."""
    return msgspec.to_builtins(value)


def print_json(value: Any) -> None:
    """Print one JSON document."""
    sys.stdout.write(json.dumps(to_builtins(value), indent=2, default=str) + "\n")


def print_table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    """Print a rich table."""
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*[str(cell) for cell in row])
    Console().print(table)


def run_api(action: Any) -> Any:
    """Run an API call, turning client errors into a clean exit."""
    try:
        return action()
    except ClientError as exc:
        raise fail(str(exc)) from None
