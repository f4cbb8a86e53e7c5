"""``augury admin ...``: operate a running server through its ``/admin/v1`` API.

Each command signs its request with the operator key from the data directory and prints
one JSON object (the server's answer); a refusal prints the error body and exits 1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from augury.api.app import OPERATOR_KEY_FILE, OPERATOR_KEY_ID_FILE
from augury.api.auth import signing_headers
from augury.catalog import CatalogError, load_catalog_file
from augury.cli.options import DataOpt

__all__ = ["AdminClient", "admin_app"]

admin_app = typer.Typer(no_args_is_help=True, help="Administer a running server (prints JSON).")
users_app = typer.Typer(no_args_is_help=True, help="Users and their cash.")
keys_app = typer.Typer(no_args_is_help=True, help="API keys.")
catalog_app = typer.Typer(no_args_is_help=True, help="Series, events and markets.")
markets_app = typer.Typer(no_args_is_help=True, help="Market lifecycle.")
exchange_app = typer.Typer(no_args_is_help=True, help="Exchange-wide trading switch.")
for sub, name in (
    (users_app, "users"),
    (keys_app, "keys"),
    (catalog_app, "catalog"),
    (markets_app, "markets"),
    (exchange_app, "exchange"),
):
    admin_app.add_typer(sub, name=name)


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


_state: dict[str, Any] = {}


@admin_app.callback()
def admin_main(
    data: DataOpt = Path("./data"),
    url: Annotated[str, typer.Option("--url", envvar="AUGURY_URL")] = "http://127.0.0.1:8000",
) -> None:
    """Talk to a running server's admin API with the operator key."""
    # The client is made on first use: offline verbs (restore) need no operator key.
    _state["data"], _state["url"] = data, url


def client() -> AdminClient:
    """Return the operator's client for this invocation (made on first use)."""
    if "client" not in _state:
        _state["client"] = AdminClient(_state["data"], _state["url"])
    made: AdminClient = _state["client"]
    return made


def _call(method: str, path: str, body: dict[str, Any] | None = None) -> None:
    print(json.dumps(client().call(method, path, body)))


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
    """Set a user's rate-limit tier (basic ... prestige, unlimited; default = the server's)."""
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


@keys_app.command("revoke")
def keys_revoke(api_key_id: str) -> None:
    """Revoke any user's API key (its WebSocket sessions close); never the operator's."""
    _call("DELETE", f"/keys/{api_key_id}")


@keys_app.command("generate")
def keys_generate(
    name: str,
    out: Annotated[Path, typer.Option("--out", help="Where to write the private key")],
    key_type: Annotated[str, typer.Option("--type")] = "rsa",
    scopes: Annotated[str, typer.Option("--scopes")] = "read,write",
) -> None:
    """Generate a key pair on the server; write the private key to OUT."""
    result = client().call(
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
