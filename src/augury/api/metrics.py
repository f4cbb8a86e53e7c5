"""Prometheus metrics for ``augury serve``, at ``GET /metrics`` (prometheus-client).

One registry per app (no module globals). What is measured, and where:

=====================================  ===========================================  ==========
metric                                 meaning                                      source
=====================================  ===========================================  ==========
augury_http_requests_total             requests by method, route template, status   middleware
augury_http_request_duration_seconds   latency by method and route template         middleware
augury_http_rate_limited_total         429 answers                                  middleware
augury_auth_failures_total             401 answers, by transport (rest, ws)         middleware
augury_ws_connections                  open WebSocket connections                   hub, scrape
augury_ws_subscriptions                subscriptions over all connections           hub, scrape
augury_ws_drops_total                  connections dropped as slow readers (25)     hub, scrape
augury_sequencer_queue_depth           commands waiting for the sequencer           scrape
augury_sequencer_batch_size            commands per journaled batch                 sequencer
augury_journal_commit_seconds          journal append (group commit) latency        sequencer
augury_engine_apply_seconds            engine apply time per batch                  sequencer
augury_history_lag_commands            applied commands not yet in the read models  scrape
augury_sqlite_memory_bytes             SQLite page caches, schemas and statements   scrape
augury_python_allocated_blocks         live blocks of Python's small-object heap    scrape
=====================================  ===========================================  ==========

Labels are route *templates* (``/trade-api/v2/markets/{ticker}``), never raw paths, and
a request that matched no route is ``<unmatched>``: the label set is bounded by the route
table whatever clients send. ``/metrics`` itself carries no user data.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from augury.api.memory import sqlite_memory_bytes

__all__ = ["METRICS_PATH", "MetricsMiddleware", "ServerMetrics"]

METRICS_PATH = "/metrics"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
_BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)


class _Live(Collector):
    """Gauges read at scrape time from the running server's objects."""

    def __init__(self) -> None:
        self.read: Callable[[], dict[str, int]] | None = None

    def collect(self) -> Iterator[Any]:
        values = self.read() if self.read is not None else {}
        for name, doc in (
            ("augury_ws_connections", "Open WebSocket connections."),
            ("augury_ws_subscriptions", "WebSocket subscriptions over all connections."),
            ("augury_sequencer_queue_depth", "Commands waiting for the sequencer."),
            ("augury_history_lag_commands", "Applied commands not yet in the read models."),
        ):
            yield GaugeMetricFamily(name, doc, value=values.get(name, 0))
        yield GaugeMetricFamily(
            "augury_sqlite_memory_bytes",
            "Memory SQLite holds: page caches, schemas, statements (all connections).",
            value=sqlite_memory_bytes(),
        )
        yield GaugeMetricFamily(
            "augury_python_allocated_blocks",
            "Live blocks of Python's small-object allocator (sys.getallocatedblocks).",
            value=sys.getallocatedblocks(),
        )
        yield CounterMetricFamily(
            "augury_ws_drops",
            "WebSocket connections dropped as slow readers.",
            value=values.get("augury_ws_drops", 0),
        )


class ServerMetrics:
    """The registry and instruments of one server."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "augury_http_requests", "HTTP requests.", ["method", "route", "status"], registry=r
        )
        self.latency = Histogram(
            "augury_http_request_duration_seconds",
            "HTTP latency.",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.rate_limited = Counter("augury_http_rate_limited", "429 answers.", registry=r)
        self.auth_failures = Counter(
            "augury_auth_failures", "401 answers.", ["transport"], registry=r
        )
        self.batch_size = Histogram(
            "augury_sequencer_batch_size", "Commands per batch.", buckets=_BATCH_BUCKETS, registry=r
        )
        self.commit = Histogram(
            "augury_journal_commit_seconds",
            "Journal batch commit time.",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.apply = Histogram(
            "augury_engine_apply_seconds",
            "Engine apply time per batch.",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.live = _Live()
        r.register(self.live)

    def on_batch(self, size: int, commit_ns: int, apply_ns: int) -> None:
        """Sequencer hook: one journaled and applied batch."""
        self.batch_size.observe(size)
        self.commit.observe(commit_ns / 1e9)
        self.apply.observe(apply_ns / 1e9)

    async def endpoint(self, _request: Request) -> Response:
        """``GET /metrics`` in the Prometheus text format."""
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE)


def _template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    # A Mount left in the scope means nothing inside it matched.
    if not isinstance(path, str) or isinstance(route, Mount):
        return "<unmatched>"
    return str(scope.get("root_path", "")) + path


class MetricsMiddleware:
    """Times every HTTP request and counts 401/429 answers, labelled by route template."""

    def __init__(self, app: ASGIApp, metrics: ServerMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        status: list[int] = []

        async def watch(message: Message) -> None:
            if message["type"] in ("http.response.start", "websocket.http.response.start"):
                status.append(message["status"])
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, watch)
        finally:
            self._record(
                scope,
                status[0] if status else (500 if kind == "http" else 101),
                time.perf_counter() - started,
            )

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        m = self.metrics
        if scope["type"] == "websocket":
            if status == 401:
                m.auth_failures.labels("ws").inc()
            return
        method = scope["method"]
        route = _template(scope)
        m.requests.labels(method, route, str(status)).inc()
        m.latency.labels(method, route).observe(seconds)
        if status == 429:
            m.rate_limited.inc()
        elif status == 401:
            m.auth_failures.labels("rest").inc()
