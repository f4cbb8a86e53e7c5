"""``augury serve`` and ``augury demo``: run an exchange server on a data directory.

``serve`` runs an exchange (SQLite in the data directory by default, or
``--db postgresql://...``); the first start creates the directory and the operator key.
``demo`` prepares a demo exchange (catalogue, demo user and key) and serves it. Both use
the same transport settings (``run_server``): Augury's HTTP protocol with its size, time
and connection limits (``ServerLimits``, changed through ``AUGURY_LIMITS``), and HTTPS/WSS
with ``--tls-cert FILE --tls-key FILE``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from starlette.applications import Starlette

from augury.api.app import create_app
from augury.api.http_protocol import ConnectionGuard, http_protocol, raise_fd_limit
from augury.api.limits import ServerLimits
from augury.api.memory import mmap_threshold_from_env, set_mmap_threshold
from augury.api.modes import PROFILES
from augury.api.ratelimit import TIER_LIMITS, UNLIMITED
from augury.api.settings import Settings
from augury.api.ws.transport import (
    WS_PING_INTERVAL_S,
    WS_PING_TIMEOUT_S,
    AuguryWebSocketProtocol,
)
from augury.cli.options import DataOpt, EngineOpt, engine_choice
from augury.platform.settings import PlatformSettings
from augury.runtime.sequencer import DEFAULT_SNAPSHOT_EVERY

__all__ = ["demo", "run_server", "serve"]


TlsFiles = tuple[Path, Path] | None
TlsCertOpt = Annotated[
    Path | None,
    typer.Option("--tls-cert", help="PEM certificate (chain): serve HTTPS and WSS."),
]
TlsKeyOpt = Annotated[Path | None, typer.Option("--tls-key", help="PEM private key of --tls-cert.")]


def run_server(app: Starlette, settings: Settings, log_level: str, tls: TlsFiles = None) -> None:
    """Serve an app with Augury's transport settings until interrupted."""
    logging.basicConfig(
        level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    limits = settings.limits
    # Large buffers (bodies, frames) in their own mappings, given back on free: a burst
    # of big requests must not leave them in the heap (api/memory.py, decision 0057).
    threshold = mmap_threshold_from_env()
    if threshold and not set_mmap_threshold(threshold):
        logging.getLogger(__name__).warning("malloc mmap threshold not set (not glibc)")
    guard = ConnectionGuard(limits, raise_fd_limit())
    app.state.connection_guard = guard  # its counters, for /metrics
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=log_level,
        loop="uvloop",
        # httptools behind Augury's head-size, deadline and connection-cap protocol.
        http=http_protocol(guard),
        timeout_keep_alive=max(1, round(limits.idle_timeout_s)),
        ws_max_size=limits.ws_message_bytes_max,
        ssl_certfile=tls[0] if tls else None,
        ssl_keyfile=tls[1] if tls else None,
        # websockets-sansio with Kalshi's heartbeat pings and no permessage-deflate.
        ws=AuguryWebSocketProtocol,
        ws_per_message_deflate=False,
        ws_ping_interval=WS_PING_INTERVAL_S,
        ws_ping_timeout=WS_PING_TIMEOUT_S,
        access_log=False,
        # The client address is the socket's peer: failed-auth throttles and anonymous
        # rate-limit buckets key on it, so a client must not choose it through
        # X-Forwarded-For (the rewriting also cost about 1 % of the event loop).
        proxy_headers=False,
        # A live page holds an event stream open (web.live): on shutdown, streams still
        # open after this many seconds are cancelled so the exchange can drain and stop.
        timeout_graceful_shutdown=3,
    )


def _tls(cert: Path | None, key: Path | None) -> TlsFiles:
    if (cert is None) != (key is None):
        raise typer.BadParameter("--tls-cert and --tls-key go together")
    if cert is None or key is None:
        return None
    for path in (cert, key):
        if not path.is_file():
            raise typer.BadParameter(f"{path} is not a file")
    return cert, key


def _on_off(value: str, flag: str) -> bool:
    if value not in ("on", "off"):
        raise typer.BadParameter(f"{flag} takes on or off")
    return value == "on"


def _tier(value: str) -> str:
    if value not in TIER_LIMITS and value != UNLIMITED:
        raise typer.BadParameter(f"--default-tier takes one of {', '.join(TIER_LIMITS)}, unlimited")
    return value


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
    compat: Annotated[
        str | None,
        typer.Option(
            "--compat",
            help="tutorials: also accept the older forms popular tutorials use "
            "(docs/compat-tutorials.md). Off by default.",
        ),
    ] = None,
    profile: Annotated[
        str,
        typer.Option(
            "--profile",
            help="default (the compatible API) or 2026 (only the current contract: no "
            "legacy courtesy fields, no v1 order writes; docs/profiles.md).",
        ),
    ] = "default",
    webhooks_allow_private: Annotated[
        bool,
        typer.Option(
            "--webhooks-allow-private",
            help="Let platform webhooks target loopback and private addresses (tests, LANs).",
        ),
    ] = False,
    engine: EngineOpt = None,
    tls_cert: TlsCertOpt = None,
    tls_key: TlsKeyOpt = None,
) -> None:
    """Run an exchange server (creates DATA and the operator key on first start)."""
    tls = _tls(tls_cert, tls_key)
    if compat not in (None, "tutorials"):
        raise typer.BadParameter("--compat takes tutorials")
    if profile not in PROFILES:
        raise typer.BadParameter(f"--profile takes {' or '.join(PROFILES)}")
    if profile == "2026" and compat is not None:
        raise typer.BadParameter("--profile 2026 serves only the current contract: no --compat")
    strict = profile == "2026"
    settings = Settings(
        data_dir=data,
        db_url=db,
        host=host,
        port=port,
        # The 2026 profile: the v1 order writes are retired, signatures are RSA-PSS only.
        v1_orders=_on_off(v1_orders, "--v1-orders") and not strict,
        rate_limits=_on_off(rate_limits, "--rate-limits"),
        default_tier=_tier(default_tier),
        historical_cutoff_days=historical_cutoff_days,
        legacy_pkcs1v15=_on_off(legacy_pkcs1v15, "--legacy-pkcs1v15") and not strict,
        compat_tutorials=compat == "tutorials",
        profile=profile,
        snapshot_every=snapshot_every,
        limits=ServerLimits.from_env(),
        platform=PlatformSettings(webhooks_allow_private=webhooks_allow_private),
        engine=engine_choice(engine),
    )
    run_server(create_app(settings), settings, log_level, tls)


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
    engine: EngineOpt = None,
    tls_cert: TlsCertOpt = None,
    tls_key: TlsKeyOpt = None,
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
    tls = _tls(tls_cert, tls_key)
    # Snapshots more often than ``serve``: a demo journal grows by ~40 commands a second,
    # and a restart replays everything after the newest snapshot.
    settings = Settings(
        data_dir=data,
        db_url=db,
        host=host,
        port=port,
        engine=engine_choice(engine),
        limits=ServerLimits.from_env(),
    )
    clock = AcceleratedClock(SystemClock(), speed)
    runner = DemoRunner(DemoConfig(seed=seed, activity=activity, speed=speed), clock)
    # Listening on every interface is the user's choice; the printed URLs use loopback.
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
    secure = "s" if tls else ""
    hook = demo_hook(
        runner,
        f"http{secure}://{shown}:{port}/trade-api/v2",
        f"ws{secure}://{shown}:{port}/trade-api/ws/v2",
        announce=lambda text: print(text, flush=True),
    )
    print(f"Starting the Augury demo exchange (data in {data}) ...", flush=True)
    run_server(create_app(settings, clock, on_start=hook), settings, log_level, tls)
