"""The ASGI application factory: ``create_app(settings)`` builds one exchange server.

Nothing is global: the lifespan starts a node (``api.node``, the composition root: store,
recovery, sequencer, history feed, read side, operator key), adds the web-facing parts
(the key-ring context, the WebSocket hub, the platform), then starts the lifecycle ticker.
Shutdown stops them in reverse; the node drains the sequencer and writes a snapshot.

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

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from augury.api.body_guard import BodyGuard, BodyStats
from augury.api.context import Context, json_response
from augury.api.errors import ApiError
from augury.api.memory import MemoryTrimmer
from augury.api.metrics import METRICS_PATH, MetricsMiddleware, ServerMetrics
from augury.api.modes import ModeMiddleware, WireMode
from augury.api.node import OPERATOR_KEY_FILE, OPERATOR_KEY_ID_FILE, Node
from augury.api.ratelimit import API_PREFIX, RateLimiter, RateLimitMiddleware
from augury.api.routes import (
    account,
    admin,
    candles,
    catalog,
    groups,
    historical_tier,
    keys,
    legacy,
    markets,
    orders,
    portfolio,
    records,
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
from augury.api.ws.endpoint import routes as ws_routes
from augury.api.ws.hub import Hub as WsHub
from augury.platform.admin import routes as platform_admin_routes
from augury.platform.app import PLATFORM_API, Platform
from augury.queries import ReadSideUnavailable
from augury.runtime.boot import Runtime
from augury.runtime.clock import Clock, SystemClock
from augury.runtime.history_feed import HistoryUnavailable
from augury.runtime.ports import StoreOpener
from augury.seed.app import SEED_PREFIX, SeedApp
from augury.store import SQL_STORE
from augury.web.app import web_app

__all__ = ["OPERATOR_KEY_FILE", "OPERATOR_KEY_ID_FILE", "create_app", "wire_mode"]

log = logging.getLogger(__name__)


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


async def _unavailable(_request: Request, exc: Exception) -> Response:
    # A read model stopped following the journal: never stale answers, 503 until restart.
    return _error(ApiError(503, "service_unavailable", str(exc)))


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
    store: StoreOpener | None = None,
) -> Starlette:
    """Build the server application for one data directory and store.

    ``on_start`` (e.g. the demo's simulated traders) runs as a task once the exchange is
    ready; it is cancelled at shutdown, before the sequencer drains. ``store`` opens the
    databases (default: ``augury.store.SQL_STORE``, SQLite or PostgreSQL by URL).
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
        node = await Node.start(
            store or SQL_STORE,
            settings.database_url,
            settings.instance_id,
            the_clock,
            settings.data_dir,
            snapshot_every=settings.snapshot_every,
            replay_sink=platform.replay,
            max_snapshot_seq=platform.watermark,
            engine=settings.engine,
        )
        runtime, queries = node.runtime, node.queries
        context = Context(settings, the_clock, runtime, queries)
        app.state.context = context
        ws_hub = app.state.ws_hub = WsHub(queries)
        ws_hub.trade_count = settings.compat_tutorials
        runtime.sequencer.subscribe(ws_hub.on_applied)
        runtime.sequencer.observe_batch = metrics.on_batch
        metrics.live.read = lambda: _live_metrics(runtime, ws_hub)
        # Before anything can trade: the history store knows the last trade sizes.
        markets = [market.ticker for market in queries.markets()]
        ws_hub.seed_last_trade_sizes(await queries.last_trade_sizes(markets))
        await platform.start(context, ws_hub)
        app.state.platform = platform
        node.start_ticker()
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
            trimming.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await trimming
            await scheduler.stop()
            await ws_hub.stop()
            await web.stop()
            await platform.stop()
            await node.stop()

    # Account routes first: "/portfolio/orders/queue_positions" must win over any
    # "/portfolio/orders/{order_id}" route.
    account_routes = [*account.routes, *groups.routes, *keys.routes, *subaccounts.routes]
    # Record (history) and candle routes precede markets: "/markets/trades" and
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
        *records.routes,
        *candles.routes,
        *historical_tier.routes,
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
            HistoryUnavailable: _unavailable,
            ReadSideUnavailable: _unavailable,
            Exception: _server_error,
        },
    )
    app.state.limiter = limiter
    app.state.body_stats = body_stats
    app.state.fault_book = fault_book
    app.state.scheduler = scheduler
    return app
