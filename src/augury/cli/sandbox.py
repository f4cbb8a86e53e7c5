"""``augury admin`` verbs for the sandbox: faults per key or user, and time control.

- ``faults list``: every target, its config and what was applied so far;
- ``faults set (--key ID | --user NAME) [options]``: replace a target's faults. Options
  build the JSON of ``augury.api.sandbox.faults.parse_config``; ``--config FILE`` sends a
  JSON file as it is;
- ``faults clear (--key ID | --user NAME)``;
- ``markets determine TICKER --result R [--value D]``, ``markets finalize TICKER``,
  ``markets schedule TICKER --speed S --result R [--value D]``,
  ``markets unschedule TICKER``.

Each prints one JSON object, like every ``augury admin`` verb.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from augury.cli.admin import _call, admin_app, markets_app

__all__ = ["register"]

faults_app = typer.Typer(no_args_is_help=True, help="Sandbox faults per API key or user.")

KeyOpt = Annotated[str | None, typer.Option("--key", help="API key id")]
UserOpt = Annotated[str | None, typer.Option("--user", help="User id")]


def _target(key: str | None, user: str | None) -> str:
    if (key is None) == (user is None):
        raise typer.BadParameter("give exactly one of --key and --user")
    return f"/faults/keys/{key}" if key is not None else f"/faults/users/{user}"


def _latency(text: str) -> dict[str, Any]:
    """``200`` (fixed), ``uniform:50:150``, ``normal:100:20``, ``exponential:100``."""
    parts = text.split(":")
    try:
        numbers = [int(p) for p in parts[1:]] if len(parts) > 1 else [int(parts[0])]
    except ValueError:
        raise typer.BadParameter(f"cannot read latency {text!r}") from None
    kind = parts[0] if len(parts) > 1 else "fixed"
    shapes = {
        "fixed": ("ms",),
        "uniform": ("min_ms", "max_ms"),
        "normal": ("mean_ms", "stddev_ms"),
        "exponential": ("mean_ms",),
    }
    names = shapes.get(kind)
    if names is None or len(names) != len(numbers):
        raise typer.BadParameter(
            "latency is MS, uniform:MIN:MAX, normal:MEAN:SD or exponential:MEAN"
        )
    return {"kind": kind, **dict(zip(names, numbers, strict=True))}


def _pairs(items: list[str], what: str) -> dict[str, str]:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"{what} takes NAME=VALUE, not {item!r}")
        out[name] = value
    return out


@faults_app.command("list")
def faults_list() -> None:
    """Show every target's faults and the running market schedules."""
    _call("GET", "/faults")


@faults_app.command("set")
def faults_set(
    key: KeyOpt = None,
    user: UserOpt = None,
    config: Annotated[Path | None, typer.Option("--config", help="JSON file")] = None,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    latency: Annotated[str | None, typer.Option("--latency", help="REST latency")] = None,
    ws_latency: Annotated[str | None, typer.Option("--ws-latency")] = None,
    error: Annotated[
        list[str], typer.Option("--error", help="429|500|503|drop|applied_drop=FRACTION")
    ] = [],  # noqa: B006 (typer reads the default; it is never mutated)
    retry_after: Annotated[int, typer.Option("--retry-after", help="seconds, on 429s")] = 1,
    maintenance: Annotated[bool, typer.Option("--maintenance")] = False,
    maintenance_until: Annotated[
        int | None, typer.Option("--maintenance-until", help="Unix seconds")
    ] = None,
    ws_disconnect_every: Annotated[int, typer.Option("--ws-disconnect-every", help="s")] = 0,
    ws_skip_seq_every: Annotated[int, typer.Option("--ws-skip-seq-every")] = 0,
    ws_duplicate_every: Annotated[int, typer.Option("--ws-duplicate-every")] = 0,
    ws_delay: Annotated[list[str], typer.Option("--ws-delay", help="CHANNEL=MS")] = [],  # noqa: B006
) -> None:
    """Set (replace) the faults of one API key or one user."""
    path = _target(key, user)
    if config is not None:
        _call("PUT", path, json.loads(config.read_text()))
        return
    body: dict[str, Any] = {"seed": seed}
    lat = {}
    if latency is not None:
        lat["rest"] = _latency(latency)
    if ws_latency is not None:
        lat["ws"] = _latency(ws_latency)
    if lat:
        body["latency"] = lat
    if error:
        body["errors"] = {**_pairs(error, "--error"), "retry_after_s": retry_after}
    ws: dict[str, Any] = {}
    if ws_disconnect_every:
        ws["disconnect_every_s"] = ws_disconnect_every
    if ws_skip_seq_every:
        ws["skip_seq_every"] = ws_skip_seq_every
    if ws_duplicate_every:
        ws["duplicate_every"] = ws_duplicate_every
    if ws_delay:
        ws["delay_ms"] = {k: int(v) for k, v in _pairs(ws_delay, "--ws-delay").items()}
    if ws:
        body["ws"] = ws
    if maintenance or maintenance_until is not None:
        body["maintenance"] = {"end_ts": maintenance_until}
    _call("PUT", path, body)


@faults_app.command("clear")
def faults_clear(key: KeyOpt = None, user: UserOpt = None) -> None:
    """Remove the faults of one API key or one user."""
    _call("DELETE", _target(key, user))


ResultOpt = Annotated[str, typer.Option("--result", help="yes|no|scalar|void")]
ValueOpt = Annotated[str | None, typer.Option("--value", help="DOLLARS per YES (scalar)")]


def _result(result: str, value: str | None) -> dict[str, Any]:
    return {"result": result, **({"value": value} if value else {})}


def markets_determine(ticker: str, result: ResultOpt, value: ValueOpt = None) -> None:
    """Determine a market now (it settles when its settlement timer has run)."""
    _call("POST", f"/markets/{ticker}/determine", _result(result, value))


def markets_finalize(ticker: str) -> None:
    """Settle a determined market now."""
    _call("POST", f"/markets/{ticker}/finalize")


def markets_schedule(
    ticker: str,
    speed: Annotated[str, typer.Option("--speed", help="how many times faster (1-1000000)")],
    result: ResultOpt,
    value: ValueOpt = None,
) -> None:
    """Run the rest of a market's schedule SPEED times faster, ending with RESULT."""
    _call("POST", f"/markets/{ticker}/schedule", {"speed": speed, **_result(result, value)})


def markets_unschedule(ticker: str) -> None:
    """Stop a market's accelerated schedule."""
    _call("DELETE", f"/markets/{ticker}/schedule")


def register() -> None:
    """Add the sandbox's verbs to ``augury admin``."""
    admin_app.add_typer(faults_app, name="faults")
    markets_app.command("determine")(markets_determine)
    markets_app.command("finalize")(markets_finalize)
    markets_app.command("schedule")(markets_schedule)
    markets_app.command("unschedule")(markets_unschedule)
