"""``augury creds add|list|remove|use``: the per-user credential store from the shell."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from augury.client.cli.common import JsonOpt, RootOpt, fail, print_json, print_table
from augury.client.creds import CredentialError, CredentialStore
from augury.client.hosts import resolve

__all__ = ["creds_app"]

creds_app = typer.Typer(no_args_is_help=True, help="Store API keys per user (0600 files).")


@creds_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="profile name")],
    key_id: Annotated[str, typer.Option("--key-id", help="API key id")],
    key_file: Annotated[Path, typer.Option("--key-file", help="PEM private key file")],
    host: Annotated[str, typer.Option("--host", help="prod | demo | local | URL")] = "local",
    root: RootOpt = None,
) -> None:
    """Validate a key and store it under NAME."""
    try:
        resolve(host)
        pem = key_file.read_text()
        CredentialStore(root).add(name, key_id, pem, host)
    except (OSError, ValueError) as exc:
        raise fail(str(exc)) from None
    typer.echo(f"stored {name}")


@creds_app.command("list")
def list_(root: RootOpt = None, as_json: JsonOpt = False) -> None:
    """List stored profiles (the current one is marked)."""
    store = CredentialStore(root)
    try:
        current = store.current()
        rows = []
        for name in store.names():
            profile, _signer = store.load(name)
            rows.append(
                {
                    "name": name,
                    "key_id": profile.key_id,
                    "host": profile.host,
                    "current": name == current,
                }
            )
    except CredentialError as exc:
        raise fail(str(exc)) from None
    if as_json:
        print_json(rows)
        return
    print_table(
        "credentials",
        ["", "name", "key id", "host"],
        [["*" if r["current"] else "", r["name"], r["key_id"], r["host"]] for r in rows],
    )


@creds_app.command("remove")
def remove(name: str, root: RootOpt = None) -> None:
    """Delete a stored profile."""
    try:
        CredentialStore(root).remove(name)
    except CredentialError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"removed {name}")


@creds_app.command("use")
def use(name: str, root: RootOpt = None) -> None:
    """Make NAME the default profile."""
    try:
        CredentialStore(root).use(name)
    except CredentialError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"using {name}")
