"""The ``augury`` command: run a server, administer it, or start the demo.

- ``augury serve`` runs an exchange on a data directory (SQLite there by default, or
  ``--db postgresql://...``); the first start creates the directory and the operator key.
- ``augury admin ...`` signs requests to the running server's ``/admin/v1`` API with the
  operator key from the data directory, and prints one JSON object per command.
- ``augury demo`` prepares a demo exchange (catalogue, demo user and key) and serves it.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
import uvicorn

from augury.api.app import OPERATOR_KEY_FILE, OPERATOR_KEY_ID_FILE, create_app
from augury.api.auth import signing_headers
from augury.api.settings import Settings
from augury.catalog import CatalogError, load_catalog_file

__all__ = ["app", "main"]

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
admin_app = typer.Typer(no_args_is_help=True, help="Administer a running server (prints JSON).")
users_app = typer.Typer(no_args_is_help=True, help="Users and their cash.")
keys_app = typer.Typer(no_args_is_help=True, help="API keys.")
catalog_app = typer.Typer(no_args_is_help=True, help="Series, events and markets.")
markets_app = typer.Typer(no_args_is_help=True, help="Market lifecycle.")
exchange_app = typer.Typer(no_args_is_help=True, help="Exchange-wide trading switch.")
app.add_typer(admin_app, name="admin")
for sub, name in (
    (users_app, "users"),
    (keys_app, "keys"),
    (catalog_app, "catalog"),
    (markets_app, "markets"),
    (exchange_app, "exchange"),
):
    admin_app.add_typer(sub, name=name)

DataOpt = Annotated[Path, typer.Option("--data", envvar="AUGURY_DATA", help="Data directory.")]


def _on_off(value: str, flag: str) -> bool:
    if value not in ("on", "off"):
        raise typer.BadParameter(f"{flag} takes on or off")
    return value == "on"


@app.command()
def serve(
    data: DataOpt = Path("./data"),
    db: Annotated[str | None, typer.Option("--db", envvar="AUGURY_DB", help="Store URL.")] = None,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
    v1_orders: Annotated[str, typer.Option("--v1-orders", help="on|off")] = "on",
    rate_limits: Annotated[str, typer.Option("--rate-limits", help="on|off")] = "on",
    legacy_pkcs1v15: Annotated[str, typer.Option("--legacy-pkcs1v15", help="on|off")] = "on",
    log_level: Annotated[str, typer.Option("--log-level")] = "info",
    snapshot_every: Annotated[
        int, typer.Option("--snapshot-every", help="Commands between snapshots.")
    ] = 200_000,
) -> None:
    """Run an exchange server (creates DATA and the operator key on first start)."""
    settings = Settings(
        data_dir=data,
        db_url=db,
        host=host,
        port=port,
        v1_orders=_on_off(v1_orders, "--v1-orders"),
        rate_limits=_on_off(rate_limits, "--rate-limits"),
        legacy_pkcs1v15=_on_off(legacy_pkcs1v15, "--legacy-pkcs1v15"),
        snapshot_every=snapshot_every,
    )
    logging.basicConfig(
        level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_level=log_level,
        loop="uvloop",
        http="httptools",
        ws="websockets-sansio",
        access_log=False,
    )


class AdminClient:
    """Signs admin requests with the operator key found in the data directory."""

    def __init__(self, data: Path, url: str) -> None:
        key_file = data / OPERATOR_KEY_FILE
        if not key_file.exists():
            _fail(f"no operator key in {data}: start the server with --data {data} first")
        self.private_pem = key_file.read_text()
        self.key_id = (data / OPERATOR_KEY_ID_FILE).read_text().strip()
        self.url = url.rstrip("/")

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        full = f"/admin/v1{path}"
        import time

        ts_ms = time.time_ns() // 1_000_000
        headers = signing_headers(self.private_pem, self.key_id, method, full, ts_ms)
        try:
            response = httpx.request(
                method, self.url + full, json=body, headers=headers, timeout=30
            )
        except httpx.HTTPError as error:
            _fail(f"cannot reach {self.url}: {error}")
        data = response.json()
        if response.status_code >= 400:
            print(json.dumps(data))
            raise typer.Exit(1)
        return data


def _fail(message: str) -> None:
    print(json.dumps({"error": {"code": "cli_error", "message": message}}))
    raise typer.Exit(2)


_state: dict[str, AdminClient] = {}


@admin_app.callback()
def admin_main(
    data: DataOpt = Path("./data"),
    url: Annotated[str, typer.Option("--url", envvar="AUGURY_URL")] = "http://127.0.0.1:8000",
) -> None:
    """Talk to a running server's admin API with the operator key."""
    _state["client"] = AdminClient(data, url)


def _call(method: str, path: str, body: dict[str, Any] | None = None) -> None:
    print(json.dumps(_state["client"].call(method, path, body)))


@users_app.command("create")
def users_create(
    name: str, deposit: Annotated[str | None, typer.Option("--deposit")] = None
) -> None:
    """Create a user, optionally funded (DOLLARS)."""
    _call("POST", "/users", {"name": name, **({"deposit": deposit} if deposit else {})})


@users_app.command("deposit")
def users_deposit(name: str, dollars: str) -> None:
    """Deposit DOLLARS into a user's main account."""
    _call("POST", f"/users/{name}/deposit", {"amount": dollars})


@users_app.command("withdraw")
def users_withdraw(name: str, dollars: str) -> None:
    """Withdraw DOLLARS from a user's main account."""
    _call("POST", f"/users/{name}/withdraw", {"amount": dollars})


@users_app.command("list")
def users_list() -> None:
    """List users with their balances."""
    _call("GET", "/users")


@users_app.command("tier")
def users_tier(name: str, tier: str) -> None:
    """Set a user's rate-limit tier (basic ... prestige, unlimited)."""
    _call("POST", f"/users/{name}/tier", {"tier": tier})


@keys_app.command("create")
def keys_create(
    name: str,
    public_key: Annotated[Path, typer.Option("--public-key", help="PEM file")],
    scopes: Annotated[str, typer.Option("--scopes")] = "read,write",
) -> None:
    """Register a user's RSA or Ed25519 public key."""
    _call(
        "POST",
        "/keys",
        {"user": name, "public_key": public_key.read_text(), "scopes": scopes.split(",")},
    )


@keys_app.command("generate")
def keys_generate(
    name: str,
    out: Annotated[Path, typer.Option("--out", help="Where to write the private key")],
    key_type: Annotated[str, typer.Option("--type")] = "rsa",
    scopes: Annotated[str, typer.Option("--scopes")] = "read,write",
) -> None:
    """Generate a key pair on the server; write the private key to OUT."""
    result = _state["client"].call(
        "POST", "/keys/generate", {"user": name, "type": key_type, "scopes": scopes.split(",")}
    )
    out.write_text(result["private_key"])
    out.chmod(0o600)
    print(json.dumps({"api_key_id": result["api_key_id"]}))


@catalog_app.command("load")
def catalog_load(file: Path) -> None:
    """Load series, events and markets from a JSON or YAML file (idempotent)."""
    try:
        catalog = load_catalog_file(file)
    except (OSError, CatalogError, ValueError) as error:
        _fail(f"cannot read catalog {file}: {error}")
    _call("POST", "/catalog", json.loads(json.dumps(catalog, default=str)))


for _action in ("pause", "resume", "close"):

    def _make(action: str) -> None:
        @markets_app.command(action, help=f"{action.capitalize()} a market.")
        def _cmd(ticker: str) -> None:
            _call("POST", f"/markets/{ticker}/{action}")

    _make(_action)


@markets_app.command("settle")
def markets_settle(
    ticker: str,
    result: Annotated[str, typer.Option("--result", help="yes|no|scalar|void")],
    value: Annotated[str | None, typer.Option("--value", help="DOLLARS per YES (scalar)")] = None,
) -> None:
    """Determine a market's result and settle it now."""
    _call(
        "POST",
        f"/markets/{ticker}/settle",
        {"result": result, **({"value": value} if value else {})},
    )


@exchange_app.command("pause")
def exchange_pause() -> None:
    """Pause trading on the whole exchange."""
    _call("POST", "/exchange/pause")


@exchange_app.command("resume")
def exchange_resume() -> None:
    """Resume trading on the whole exchange."""
    _call("POST", "/exchange/resume")


def main() -> None:
    """Entry point of the ``augury`` script."""
    app(prog_name="augury")


if __name__ == "__main__":
    main()
