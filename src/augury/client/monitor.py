"""Client-side monitoring: what a trading client measures, and rules that alert on it.

``Monitor`` is a ``RequestObserver`` (give it to ``Client(observer=...)``) and watches a
rate limiter and WebSocket stats. Over a sliding window (default 5 minutes; WebSocket
disconnects over one hour) it keeps per-endpoint latency, the error rate (any answer that
is not 2xx, and transport failures), order successes and failures, rate-limit usage
(tokens in use over capacity) and disconnects.

Alert rules are data: ``AlertRule(name, metric, threshold)`` fires when the metric is **at
or above** its threshold (in integers: milliseconds, permille, counts). Defaults:

=====================  ==========================  =========
rule                   metric                      threshold
=====================  ==========================  =========
``latency``            worst endpoint's mean, ms   5000
``error_rate``         errors per 1000 requests    50 (5 %)
``limit_usage``        tokens used per 1000        800 (80 %)
``ws_disconnects``     disconnects in the last h   10
=====================  ==========================  =========

Alerts go to sinks: ``LogSink`` (logging), ``StdoutSink`` (JSON lines) or
``WebhookSink`` (a JSON POST; the HTTP client is injectable).
"""

from __future__ import annotations

import json
import logging
import sys
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, Final, Protocol

import httpx

from augury.client.call import CREATE_TEMPLATES
from augury.client.clock import NS_PER_S, Clock
from augury.client.ratelimit import ClientRateLimiter
from augury.client.ws.client import WsStats

__all__ = [
    "DEFAULT_RULES",
    "Alert",
    "AlertRule",
    "LogSink",
    "Monitor",
    "StdoutSink",
    "WebhookSink",
]

log = logging.getLogger(__name__)
HOUR_NS: Final = 3600 * NS_PER_S


@dataclass(frozen=True, slots=True)
class AlertRule:
    name: str
    metric: str
    threshold: int


@dataclass(frozen=True, slots=True)
class Alert:
    rule: str
    metric: str
    value: int
    threshold: int
    ts_ns: int
    detail: str = ""


DEFAULT_RULES: Final = (
    AlertRule("latency", "latency_ms", 5000),
    AlertRule("error_rate", "error_permille", 50),
    AlertRule("limit_usage", "limit_usage_permille", 800),
    AlertRule("ws_disconnects", "ws_disconnects_per_hour", 10),
)


class Sink(Protocol):
    def emit(self, alert: Alert) -> None: ...


class LogSink:
    """Alerts as log warnings."""

    def emit(self, alert: Alert) -> None:
        log.warning(
            "alert %s: %s = %d >= %d %s",
            alert.rule,
            alert.metric,
            alert.value,
            alert.threshold,
            alert.detail,
        )


class StdoutSink:
    """Alerts as JSON lines on stdout (or any text stream)."""

    def __init__(self, out: IO[str] | None = None) -> None:
        self.out = out

    def emit(self, alert: Alert) -> None:
        out = self.out or sys.stdout
        out.write(json.dumps(_as_dict(alert), sort_keys=True) + "\n")


def _as_dict(alert: Alert) -> dict[str, Any]:
    return {name: getattr(alert, name) for name in alert.__slots__}


class WebhookSink:
    """Alerts POSTed as JSON to a URL (failures are logged, never raised)."""

    def __init__(self, url: str, http: httpx.Client | None = None) -> None:
        self.url = url
        self.http = http or httpx.Client(timeout=5)

    def emit(self, alert: Alert) -> None:
        try:
            self.http.post(self.url, json=_as_dict(alert))
        except httpx.HTTPError as exc:
            log.warning("alert webhook failed: %s", exc)


class Monitor:
    """Measures a client and evaluates alert rules (see the module docstring)."""

    def __init__(
        self,
        clock: Clock,
        *,
        rules: tuple[AlertRule, ...] = DEFAULT_RULES,
        sinks: list[Sink] | None = None,
        window_s: int = 300,
    ) -> None:
        self.clock = clock
        self.rules = rules
        self.sinks: list[Sink] = sinks if sinks is not None else [LogSink()]
        self.window_ns = window_s * NS_PER_S
        self._requests: deque[tuple[int, str, bool, int]] = deque()  # ts, route, ok, latency_ns
        self.orders_ok = 0
        self.orders_failed = 0
        self.limiter: ClientRateLimiter | None = None
        self.ws: WsStats | None = None

    def on_request(self, method: str, template: str, status: int | None, seconds: float) -> None:
        """Record one request (``RequestObserver``)."""
        ok = status is not None and 200 <= status < 300
        self._requests.append(
            (self.clock.now_ns(), f"{method} {template}", ok, round(seconds * NS_PER_S))
        )
        if method == "POST" and template in CREATE_TEMPLATES:
            if ok:
                self.orders_ok += 1
            else:
                self.orders_failed += 1

    def _recent(self) -> list[tuple[int, str, bool, int]]:
        cutoff = self.clock.now_ns() - self.window_ns
        while self._requests and self._requests[0][0] < cutoff:
            self._requests.popleft()
        return list(self._requests)

    def latency_ms(self) -> dict[str, int]:
        """Return each endpoint's mean latency over the window, in milliseconds."""
        sums: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
        for _ts, route, _ok, latency_ns in self._recent():
            sums[route][0] += latency_ns
            sums[route][1] += 1
        return {route: total // count // 1_000_000 for route, (total, count) in sums.items()}

    def metrics(self) -> dict[str, int]:
        """Return the current value of every metric the rules can use."""
        recent = self._recent()
        errors = sum(1 for _ts, _route, ok, _lat in recent if not ok)
        latencies = self.latency_ms()
        usage = 0
        if self.limiter is not None:
            usage = max(self.limiter.usage_permille(b) for b in ("read", "write"))
        disconnects = 0
        if self.ws is not None:
            since = self.clock.now_ns() - HOUR_NS
            disconnects = sum(1 for ts in self.ws.disconnect_times_ns if ts >= since)
        return {
            "latency_ms": max(latencies.values(), default=0),
            "error_permille": errors * 1000 // len(recent) if recent else 0,
            "limit_usage_permille": usage,
            "ws_disconnects_per_hour": disconnects,
            "requests": len(recent),
            "orders_ok": self.orders_ok,
            "orders_failed": self.orders_failed,
        }

    def evaluate(self) -> list[Alert]:
        """Check every rule; emit and return the alerts that fire."""
        values = self.metrics()
        fired = []
        for rule in self.rules:
            value = values.get(rule.metric, 0)
            if value >= rule.threshold:
                detail = ""
                if rule.metric == "latency_ms":
                    worst = max(self.latency_ms().items(), key=lambda kv: kv[1])
                    detail = worst[0]
                alert = Alert(
                    rule.name, rule.metric, value, rule.threshold, self.clock.now_ns(), detail
                )
                fired.append(alert)
                for sink in self.sinks:
                    sink.emit(alert)
        return fired

    def run_every(self, seconds: float, sleep: Callable[[float], None], rounds: int) -> None:
        """Evaluate ``rounds`` times, ``seconds`` apart (a simple monitoring loop)."""
        for _ in range(rounds):
            self.evaluate()
            sleep(seconds)
