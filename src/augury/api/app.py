"""The ASGI application factory: ``create_app(settings)`` builds one exchange server.

Nothing is global: the lifespan opens the store, recovers the exchange, starts the
sequencer and the lifecycle ticker, and on the first start creates the operator key (its
private half and id are written into the data directory for ``augury admin``). Shutdown
drains the sequencer and writes a snapshot.

Routes live under ``/trade-api/v2`` (the Kalshi API, so signed paths match the docs) and
``/admin/v1`` (the operator API). Every refusal is a JSON error body (``api.errors``);
no exception escapes as an HTML page or a bare 500.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from augury.api.auth import generate_key_pair
from augury.api.body_guard import BodyGuard, BodyStats
from augury.api.context import OPERATOR_USER, Context, json_response
from augury.api.errors import ApiError
from augury.api.memory import MemoryTrimmer
from augury.api.metrics import METRICS_PATH, MetricsMiddleware, ServerMetrics
from augury.api.modes import ModeMiddleware, WireMode
from augury.api.ratelimit import API_PREFIX, RateLimiter, RateLimitMiddleware
from augury.api.routes import (
    account,
    admin,
    candles,
    catalog,
    groups,
    historical,
    history,
    keys,
    legacy,
    markets,
    orders,
    portfolio,
    subaccounts,
    unserved,
)
from augury.api.sandbox import admin as sandbox_admin
from augury.api.sandbox.faults import FILE_NAME as FAULTS_FILE
from augury.api.sandbox.faults import FaultBook
from augury.api.sandbox.rest import FaultMiddleware, SandboxStarlette
from augury.api.sandbox.timecontrol import Scheduler
from augury.api.schemas.codec import RequestDecodeError
from augury.api.schemas.errors import error_envelope
from augury.api.settings import Settings
from augury.api.tutorials import routes as tutorial_routes
from augury.api.ws import Hub as WsHub
from augury.api.ws import routes as ws_routes
from augury.domain.enums import MarketStatus
from augury.engine import commands as c
from augury.engine.exchange import Exchange
from augury.platform.admin import routes as platform_admin_routes
from augury.platform.app import PLATFORM_API, Platform
from augury.runtime.boot import Runtime
from augury.runtime.clock import Clock, SystemClock
from augury.seed.app import SEED_PREFIX, SeedApp
from augury.web.app import web_app

__all__ = [
    "OPERATOR_KEY_FILE",
    "OPERATOR_KEY_ID_FILE",
    "create_app",
    "next_due_ns",
    "wire_mode",
]

log = logging.getLogger(__name__)

OPERATOR_KEY_FILE = "operator_key.pem"
OPERATOR_KEY_ID_FILE = "operator_key_id"
TICK_INTERVAL_S = 0.1


def next_due_ns(exchange: Exchange) -> int | None:
    """Return the earliest time a Tick would change something, or None."""
    due: list[int] = list(exchange.expiring.values())
    for market in exchange.markets.values():
        status = market.status
        if status is MarketStatus.INITIALIZED:
            due.append(market.open_ts_ns)
        elif market.before_close:
            due.append(market.close_ts_ns)
        elif status in (MarketStatus.DETERMINED, MarketStatus.AMENDED) and market.determined_ns:
            due.append(market.determined_ns + market.settlement_timer_s * 1_000_000_000)
    return min(due) if due else None


async def _ticker(context: Context) -> None:
    """Submit a Tick whenever time alone has something to do (open, close, expire, settle)."""
    while True:
        await asyncio.sleep(TICK_INTERVAL_S)
        due = next_due_ns(context.exchange)
        if due is not None and due <= context.clock.now_ns():
            try:
                await context.runtime.sequencer.submit(c.Tick())
            except Exception:
                log.exception("lifecycle tick failed")
                return


async def _ensure_operator(context: Context, data_dir: Path) -> None:
    key_file = data_dir / OPERATOR_KEY_FILE
    id_file = data_dir / OPERATOR_KEY_ID_FILE
    if not key_file.exists():
        private_pem, _ = generate_key_pair("rsa")
        key_file.write_text(private_pem)
        key_file.chmod(0o600)
        id_file.write_text(admin.new_key_id())
    key_id = id_file.read_text().strip()
    if key_id in context.exchange.api_keys:
        return
    from cryptography.hazmat.primitives import serialization

    private = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    items: list[c.Single] = []
    if OPERATOR_USER not in context.exchange.users:
        items.append(c.CreateUser(user_id=OPERATOR_USER, name="operator"))
    items.append(
        c.RegisterApiKey(
            api_key_id=key_id,
            user_id=OPERATOR_USER,
            name="operator",
            public_key_pem=public_pem,
            key_type="rsa",
            scopes=["admin", "read", "write"],
        )
    )
    await context.runtime.sequencer.submit(c.Batch.of(items))


def _error(error: ApiError) -> Response:
    return json_response(error_envelope(error.code, error.message, error.details), error.status)


async def _api_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return _error(exc)


async def _decode_error(_request: Request, exc: Exception) -> Response:
    return _error(ApiError(400, "invalid_parameters", str(exc)))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        # Names the nearest served path (issue 16): a typo should not look like a ticker.
        return _error(unserved.not_found(request, str(exc.detail)))
    code = {405: "method_not_allowed"}.get(exc.status_code, "bad_request")
    return _error(ApiError(exc.status_code, code, str(exc.detail)))


async def _server_error(_request: Request, exc: Exception) -> Response:
    log.exception("unhandled error", exc_info=exc)
    return _error(ApiError(500, "internal_server_error", "internal server error"))


def _live_metrics(runtime: Runtime, hub: WsHub) -> dict[str, int]:
    """Read the gauges /metrics reports at scrape time (see ``api.metrics``)."""
    return {
        "augury_ws_connections": len(hub.connections),
        "augury_ws_subscriptions": sum(len(conn.subs) for conn in hub.connections),
        "augury_ws_drops": hub.drops,
        "augury_sequencer_queue_depth": runtime.sequencer.queue_depth,
        "augury_history_lag_commands": runtime.sequencer.last_seq
        - runtime.history.writer.watermark(),
    }


def wire_mode(settings: Settings) -> WireMode:
    """The wire mode ``settings`` ask for (validated by the CLI)."""
    if settings.profile == "2026":
        return WireMode(tutorials=settings.compat_tutorials, profile="2026")
    return WireMode(tutorials=settings.compat_tutorials)


def create_app(
    settings: Settings,
    clock: Clock | None = None,
    on_start: Callable[[Context], Awaitable[None]] | None = None,
) -> Starlette:
    """Build the server application for one data directory and store.

    ``on_start`` (e.g. the demo's simulated traders) runs as a task once the exchange is
    ready; it is cancelled at shutdown, before the sequencer drains.
    """
    if settings.profile == "2026":
        # The current contract only: the v1 order writes are retired, RSA signs with PSS.
        settings = dataclasses.replace(settings, v1_orders=False, legacy_pkcs1v15=False)
    the_clock: Clock = clock or SystemClock()
    metrics = ServerMetrics()
    # Sandbox faults (per key or user, off unless configured) and market schedules.
    fault_book = FaultBook(settings.data_dir / FAULTS_FILE)
    scheduler = Scheduler()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        fault_book.load()
        platform = await Platform.open(settings.platform, the_clock, settings.database_url)
        runtime = await Runtime.start(
            settings.database_url,
            settings.instance_id,
            the_clock,
            snapshot_every=settings.snapshot_every,
            replay_sink=platform.replay,
            max_snapshot_seq=platform.watermark,
            engine=settings.engine,
        )
        context = Context(settings, the_clock, runtime)
        app.state.context = context
        ws_hub = app.state.ws_hub = WsHub(runtime.exchange)
        ws_hub.trade_count = settings.compat_tutorials
        runtime.sequencer.subscribe(ws_hub.on_applied)
        runtime.sequencer.observe_batch = metrics.on_batch
        metrics.live.read = lambda: _live_metrics(runtime, ws_hub)
        # Before anything can trade: the history store knows the last trade sizes.
        await runtime.history.drain()
        markets = list(runtime.exchange.markets)
        ws_hub.seed_last_trade_sizes(
            await runtime.history.read(lambda reader: reader.last_trade_sizes(markets))
        )
        await _ensure_operator(context, settings.data_dir)
        await platform.start(context, ws_hub)
        app.state.platform = platform
        ticker = asyncio.get_running_loop().create_task(_ticker(context), name="ticker")
        # Freed buffers go back to the OS, so memory returns after a burst (0019).
        app.state.memory = trimmer = MemoryTrimmer()
        trimming = asyncio.get_running_loop().create_task(trimmer.run(), name="malloc-trim")
        hook: asyncio.Future[None] | None = (
            asyncio.ensure_future(on_start(context)) if on_start is not None else None
        )
        log.info("engine: %s", runtime.engine)
        log.info(
            "augury ready: recovered %d commands (snapshot at %d, replayed %d) in %.2fs",
            runtime.recovery.last_seq,
            runtime.recovery.snapshot_seq,
            runtime.recovery.replayed,
            runtime.recovery.seconds,
        )
        try:
            yield
        finally:
            if hook is not None:
                hook.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await hook
            for task in (ticker, trimming):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await scheduler.stop()
            await ws_hub.stop()
            await web.stop()
            await platform.stop()
            await runtime.stop()

    # Account routes first: "/portfolio/orders/queue_positions" must win over any
    # "/portfolio/orders/{order_id}" route.
    account_routes = [*account.routes, *groups.routes, *keys.routes, *subaccounts.routes]
    # History and candle routes precede markets: "/markets/trades" and
    # "/markets/candlesticks" must win over "/markets/{ticker}". Catalog routes go last, so
    # fixed paths like "/events/multivariate" added elsewhere win over "/events/{ticker}".
    # The V2 order writes are the hot path. Starlette tries routes in order (about 1 us
    # each): behind the other 49 routes every order paid for ~50 failed regex matches, and
    # inside the Mount for its matching and nested dispatch too. So they sit at the top
    # level, first, under their full path (`API_PREFIX + path`). No other route's path
    # starts with "/portfolio/events/orders", so nothing is shadowed; a method they do not
    # serve falls through to the other routes as before.
    hot_routes = [
        Route(API_PREFIX + route.path, route.endpoint, methods=route.methods)
        for route in orders.routes
    ]
    api_routes = [
        *account_routes,
        *history.routes,
        *candles.routes,
        *historical.routes,
        *markets.routes,
        *portfolio.routes,
        *legacy.routes,
        *unserved.routes,
        *tutorial_routes,
        *catalog.routes,
    ]
    body_stats = BodyStats()
    limiter = RateLimiter(
        enabled=settings.rate_limits,
        default_tier=settings.default_tier,
        addresses_max=settings.limits.addresses_max,
    )
    # The website (issue 13) answers everything the APIs above do not: it is mounted last.
    web = web_app()
    app = SandboxStarlette(
        routes=[
            *hot_routes,
            Mount(API_PREFIX, routes=api_routes),
            Mount("/api", app=PLATFORM_API),
            Mount(SEED_PREFIX, app=SeedApp(settings.seed)),
            Mount("/admin/v1/platform", routes=platform_admin_routes),
            Mount("/admin/v1", routes=[*sandbox_admin.routes, *admin.routes]),
            *ws_routes,
            Route(METRICS_PATH, metrics.endpoint, methods=["GET"]),
            Mount("/", app=web),
        ],
        lifespan=lifespan,
        # Bodies are bounded (size, JSON depth) before anything else reads them; refusals are
        # counted by the guard's own stats, so metrics sit inside it.
        middleware=[
            Middleware(BodyGuard, limits=settings.limits, stats=body_stats),
            Middleware(MetricsMiddleware, metrics=metrics),
            Middleware(ModeMiddleware, mode=wire_mode(settings)),
            Middleware(FaultMiddleware, book=fault_book),
            Middleware(RateLimitMiddleware, limiter=limiter),
        ],
        exception_handlers={
            ApiError: _api_error,
            RequestDecodeError: _decode_error,
            HTTPException: _http_error,
            Exception: _server_error,
        },
    )
    app.state.limiter = limiter
    app.state.body_stats = body_stats
    app.state.fault_book = fault_book
    app.state.scheduler = scheduler
    return app
