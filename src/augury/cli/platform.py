"""``augury admin`` verbs for the platform: accounts, money, flags, events, backups.

- ``accounts list|suspend USER|reinstate USER``: platform users (a suspended user's
  sessions end and their tokens, API keys and WebSocket connections stop working);
- ``accounts operator EMAIL on|off``: who may open the web app's operator console;
- ``gateways set manual --deposits on|off --withdrawals on|off``;
- ``payments list [--status pending]``, ``payments approve ID``, ``payments reject ID``;
- ``flags set NAME on|off``; ``events feature SLUG on|off``;
- ``backup --out FILE`` (live, from the running server) and ``restore FILE`` (offline:
  stop the server first; ``--db URL`` for PostgreSQL, ``--replace`` over an existing store).

Each prints one JSON object, like every ``augury admin`` verb.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Annotated

import httpx
import typer

from augury.api.auth import signing_headers
from augury.cli.admin import _call, _state, admin_app, client

__all__ = ["register"]

accounts_app = typer.Typer(no_args_is_help=True, help="Platform accounts.")
gateways_app = typer.Typer(no_args_is_help=True, help="Payment gateways.")
payments_app = typer.Typer(no_args_is_help=True, help="Deposit and withdrawal requests.")
flags_app = typer.Typer(no_args_is_help=True, help="Feature flags (public).")
events_app = typer.Typer(no_args_is_help=True, help="Platform event settings.")


def _on_off(value: str, what: str) -> bool:
    if value not in ("on", "off"):
        raise typer.BadParameter(f"{what} takes on or off")
    return value == "on"


@accounts_app.command("list")
def accounts_list(status: Annotated[str | None, typer.Option("--status")] = None) -> None:
    """List platform accounts (optionally only active or suspended ones)."""
    _call("GET", "/platform/users" + (f"?status={status}" if status else ""))


@accounts_app.command("suspend")
def accounts_suspend(user_id: str) -> None:
    """Suspend an account: sessions, tokens and API keys stop working at once."""
    _call("POST", f"/platform/users/{user_id}/suspend")


@accounts_app.command("reinstate")
def accounts_reinstate(user_id: str) -> None:
    """Reinstate a suspended account."""
    _call("POST", f"/platform/users/{user_id}/reinstate")


@accounts_app.command("operator")
def accounts_operator(email: str, value: str = "on") -> None:
    """Make an account an operator (on) or a plain member (off): operators see /operator."""
    enabled = _on_off(value, "operator")
    _call("POST", "/platform/operators", {"email": email, "enabled": enabled})


@gateways_app.command("set")
def gateways_set(
    name: str,
    deposits: Annotated[str, typer.Option("--deposits", help="on|off")] = "on",
    withdrawals: Annotated[str, typer.Option("--withdrawals", help="on|off")] = "on",
) -> None:
    """Enable or disable a gateway (only ``manual`` exists: operator-approved transfers)."""
    body = {
        "deposits": _on_off(deposits, "--deposits"),
        "withdrawals": _on_off(withdrawals, "--withdrawals"),
    }
    _call("POST", f"/platform/gateways/{name}", body)


@payments_app.command("list")
def payments_list(status: Annotated[str | None, typer.Option("--status")] = None) -> None:
    """List deposit and withdrawal requests."""
    _call("GET", "/platform/cash-requests" + (f"?status={status}" if status else ""))


@payments_app.command("approve")
def payments_approve(request_id: str) -> None:
    """Approve a request: journals the deposit or withdrawal."""
    _call("POST", f"/platform/cash-requests/{request_id}/approve")


@payments_app.command("reject")
def payments_reject(
    request_id: str, reason: Annotated[str | None, typer.Option("--reason")] = None
) -> None:
    """Reject a request (nothing moves)."""
    _call("POST", f"/platform/cash-requests/{request_id}/reject", {"reason": reason})


@flags_app.command("set")
def flags_set(name: str, value: str) -> None:
    """Turn a feature flag on or off (readable by anyone at /api/flags)."""
    _call("POST", f"/platform/flags/{name}", {"enabled": _on_off(value, "the value")})


@events_app.command("feature")
def events_feature(slug: str, value: str = "on") -> None:
    """Mark an event featured (or not) on the platform."""
    _call("POST", f"/platform/events/{slug}/feature", {"featured": _on_off(value, "the value")})


def backup(out: Annotated[Path, typer.Option("--out", help="Where to write the backup")]) -> None:
    """Take a consistent backup of the running exchange (journal, snapshots, platform)."""
    admin = client()
    if out.exists():
        print(json.dumps({"error": {"code": "cli_error", "message": f"{out} exists"}}))
        raise typer.Exit(2)
    path = "/admin/v1/platform/backup"
    headers = signing_headers(admin.private_pem, admin.key_id, "GET", path, time.time_ns() // 10**6)
    partial = out.with_name(out.name + ".partial")
    size = 0
    with httpx.stream("GET", admin.url + path, headers=headers, timeout=600) as response:
        if response.status_code != 200:
            response.read()
            print(response.text)
            raise typer.Exit(1)
        with partial.open("wb") as handle:
            for chunk in response.iter_bytes():
                handle.write(chunk)
                size += len(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        last_seq = response.headers.get("x-augury-last-seq")
    partial.rename(out)
    print(json.dumps({"backup": str(out), "bytes": size, "last_seq": int(last_seq or 0)}))


def restore(
    file: Path,
    db: Annotated[str | None, typer.Option("--db", envvar="AUGURY_DB", help="Store URL.")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Overwrite a store in use")] = False,
) -> None:
    """Restore a backup into the data directory (or --db); the server must be stopped."""
    from augury.api.settings import Settings
    from augury.platform.backup import BackupError
    from augury.platform.backup import restore as run_restore

    data: Path = _state["data"]
    data.mkdir(parents=True, exist_ok=True)
    url = Settings(data_dir=data, db_url=db).database_url
    try:
        counts = run_restore(file, url, replace=replace)
    except BackupError as error:
        print(json.dumps({"error": {"code": "cli_error", "message": str(error)}}))
        raise typer.Exit(1) from None
    print(json.dumps({"restored": str(file), "rows": counts}))


def register() -> None:
    """Add the platform's verbs to ``augury admin``."""
    for sub, name in (
        (accounts_app, "accounts"),
        (gateways_app, "gateways"),
        (payments_app, "payments"),
        (flags_app, "flags"),
        (events_app, "events"),
    ):
        admin_app.add_typer(sub, name=name)
    admin_app.command("backup")(backup)
    admin_app.command("restore")(restore)
