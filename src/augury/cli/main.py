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
from augury.api.ratelimit import TIER_LIMITS, UNLIMITED
from augury.api.settings import Settings
from augury.api.ws.transport import (
    WS_PING_INTERVAL_S,
    WS_PING_TIMEOUT_S,
    AuguryWebSocketProtocol,
)
from augury.catalog import CatalogError, load_catalog_file
from augury.runtime.sequencer import DEFAULT_SNAPSHOT_EVERY

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


def _tier(value: str) -> str:
    if value not in TIER_LIMITS and value != UNLIMITED:
        raise typer.BadParameter(f"--default-tier takes one of {', '.join(TIER_LIMITS)}, unlimited")
    return value


@app.command()
def serve(
    data: DataOpt = Path("./data"),
    db: Annotated[str | None, typer.Option("--db", envvar="AUGURY_DB", help="Store URL.")] = None,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
    v1_orders: Annotated[str, typer.Option("--v1-orders", help="on|off")] = "on",
    rate_limits: Annotated[str, typer.Option("--rate-limits", help="on|off")] = "on",
    default_tier: Annotated[
        str, typer.Option("--default-tier", help="Tier of users never given one (basic..prestige).")
    ] = "prestige",
    legacy_pkcs1v15: Annotated[str, typer.Option("--legacy-pkcs1v15", help="on|off")] = "on",
    historical_cutoff_days: Annotated[
        int, typer.Option("--historical-cutoff-days", help="Age that moves records to /historical.")
    ] = 90,
    log_level: Annotated[str, typer.Option("--log-level")] = "info",
    snapshot_every: Annotated[
        int, typer.Option("--snapshot-every", help="Commands between snapshots.")
    ] = DEFAULT_SNAPSHOT_EVERY,
) -> None:
    """Run an exchange server (creates DATA and the operator key on first start)."""
    settings = Settings(
        data_dir=data,
        db_url=db,
        host=host,
        port=port,
        v1_orders=_on_off(v1_orders, "--v1-orders"),
        rate_limits=_on_off(rate_limits, "--rate-limits"),
        default_tier=_tier(default_tier),
        historical_cutoff_days=historical_cutoff_days,
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
        # websockets-sansio with Kalshi's heartbeat pings and no permessage-deflate.
        ws=AuguryWebSocketProtocol,
        ws_per_message_deflate=False,
        ws_ping_interval=WS_PING_INTERVAL_S,
        ws_ping_timeout=WS_PING_TIMEOUT_S,
        access_log=False,
        # Nothing reads the client address, so uvicorn's X-Forwarded-* rewriting is
        # pure cost on every request (about 1 % of the event loop in a profile).
        proxy_headers=False,
    )


@app.command()
def demo(
    data: DataOpt = Path("./data"),
    db: Annotated[
        str | None,
        typer.Option("--db", envvar="AUGURY_DB", help="Store URL (default: SQLite in DATA)."),
    ] = None,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    activity: Annotated[
        str, typer.Option("--activity", help="How busy the simulated traders are: low|normal|high.")
    ] = "normal",
    seed: Annotated[
        int, typer.Option("--seed", help="Seed of the simulated world and traders.")
    ] = 7,
    speed: Annotated[
        float,
        typer.Option(
            "--speed",
            help="Clock acceleration: 10 runs ten simulated seconds per second, so markets "
            "roll and settle ten times sooner (for watching and tests; signed API calls "
            "need 1).",
        ),
    ] = 1.0,
    log_level: Annotated[str, typer.Option("--log-level")] = "warning",
) -> None:
    """Start a lively demo exchange: markets, simulated traders and a funded demo user.

    The first start creates DATA: journal, operator key, demo user key and its key id.
    Eleven series in six categories; 5- and 10-minute markets roll over and settle as it runs.
    Later starts with the same DATA resume the same exchange.
    """
    from augury.demo.clock import AcceleratedClock
    from augury.demo.runner import DemoConfig, DemoRunner
    from augury.demo.serve import demo_hook
    from augury.demo.view import ACTIVITY
    from augury.runtime.clock import SystemClock

    if activity not in ACTIVITY:
        raise typer.BadParameter("--activity takes low, normal or high")
    if speed <= 0:
        raise typer.BadParameter("--speed must be positive")
    # Snapshots more often than ``serve``: a demo journal grows by ~40 commands a second,
    # and a restart replays everything after the newest snapshot.
    settings = Settings(data_dir=data, db_url=db, host=host, port=port)
    clock = AcceleratedClock(SystemClock(), speed)
    runner = DemoRunner(DemoConfig(seed=seed, activity=activity, speed=speed), clock)
    # Listening on every interface is the user's choice; the printed URLs use loopback.
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
    hook = demo_hook(
        runner,
        f"http://{shown}:{port}/trade-api/v2",
        f"ws://{shown}:{port}/trade-api/ws/v2",
        announce=lambda text: print(text, flush=True),
    )
    logging.basicConfig(
        level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    print(f"Starting the Augury demo exchange (data in {data}) ...", flush=True)
    # The same transport settings as ``serve``.
    uvicorn.run(
        create_app(settings, clock, on_start=hook),
        host=host,
        port=port,
        log_level=log_level,
        loop="uvloop",
        http="httptools",
        ws=AuguryWebSocketProtocol,
        ws_per_message_deflate=False,
        ws_ping_interval=WS_PING_INTERVAL_S,
        ws_ping_timeout=WS_PING_TIMEOUT_S,
        access_log=False,
        # Nothing reads the client address, so uvicorn's X-Forwarded-* rewriting is
        # pure cost on every request (about 1 % of the event loop in a profile).
        proxy_headers=False,
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
