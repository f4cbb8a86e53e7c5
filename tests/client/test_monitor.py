"""Client alert rules fire at their threshold and not below; sinks; server /metrics."""

from __future__ import annotations

import asyncio
import io
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from augury.client import Signer
from augury.client import endpoints as ep
from augury.client.clock import FakeClock
from augury.client.monitor import Alert, Monitor, StdoutSink, WebhookSink
from augury.client.ratelimit import BucketSpec, ClientRateLimiter, CostTable
from augury.client.ws import WsClient, WsStats
from tests.client.inproc import exchange
from tests.e2e.server_harness import Server
from tests.ws.ws_helpers import catalog_server


class Collect:
    def __init__(self) -> None:
        self.alerts: list[Alert] = []

    def emit(self, alert: Alert) -> None:
        self.alerts.append(alert)


def _monitor() -> tuple[Monitor, Collect, FakeClock]:
    sink = Collect()
    clock = FakeClock()
    return Monitor(clock, sinks=[sink]), sink, clock


def _fired(monitor: Monitor) -> list[str]:
    return [a.rule for a in monitor.evaluate()]


@pytest.mark.parametrize(("seconds", "fires"), [(5.0, True), (4.999, False), (7.5, True)])
def test_latency_rule_fires_at_5_seconds(seconds: float, fires: bool) -> None:
    monitor, _sink, _clock = _monitor()
    monitor.on_request("GET", "/markets", 200, 0.010)
    monitor.on_request("GET", "/portfolio/balance", 200, seconds)
    assert ("latency" in _fired(monitor)) is fires


@pytest.mark.parametrize(("errors", "fires"), [(5, True), (4, False)])
def test_error_rate_rule_fires_at_5_percent(errors: int, fires: bool) -> None:
    monitor, _sink, _clock = _monitor()
    for i in range(100):
        status = 503 if i < errors else 200
        monitor.on_request("GET", "/markets", status, 0.01)
    assert ("error_rate" in _fired(monitor)) is fires


def test_transport_failures_count_as_errors_and_old_requests_leave_the_window() -> None:
    monitor, _sink, clock = _monitor()
    for _ in range(20):
        monitor.on_request("GET", "/markets", None, 0.01)
    assert "error_rate" in _fired(monitor)
    clock.advance(301 * 1_000_000_000)
    monitor.on_request("GET", "/markets", 200, 0.01)
    assert _fired(monitor) == []


@pytest.mark.parametrize(("requests", "fires"), [(32, True), (31, False)])
def test_limit_usage_rule_fires_at_80_percent(requests: int, fires: bool) -> None:
    monitor, _sink, clock = _monitor()
    # Capacity 410 - 10 = 400 usable tokens; 32 requests of 10 use 320 = 80 %.
    limiter = ClientRateLimiter(
        BucketSpec(100, 410), BucketSpec(100, 110), CostTable(10, []), clock, margin_permille=0
    )
    for _ in range(requests):
        limiter.reserve(ep.get_markets())
    monitor.limiter = limiter
    assert ("limit_usage" in _fired(monitor)) is fires


@pytest.mark.parametrize(("disconnects", "fires"), [(10, True), (9, False)])
def test_ws_disconnect_rule_fires_at_10_per_hour(disconnects: int, fires: bool) -> None:
    monitor, _sink, clock = _monitor()
    stats = WsStats()
    stats.disconnect_times_ns.append(clock.now_ns())  # more than an hour before "now"
    clock.advance(3601 * 1_000_000_000)
    for _ in range(disconnects):
        stats.disconnect_times_ns.append(clock.now_ns())
    monitor.ws = stats
    assert ("ws_disconnects" in _fired(monitor)) is fires


def test_order_outcomes_are_counted() -> None:
    monitor, _sink, _clock = _monitor()
    monitor.on_request("POST", "/portfolio/events/orders", 201, 0.01)
    monitor.on_request("POST", "/portfolio/events/orders", 409, 0.01)
    monitor.on_request("GET", "/portfolio/orders", 200, 0.01)
    assert (monitor.metrics()["orders_ok"], monitor.metrics()["orders_failed"]) == (1, 1)


def test_stdout_and_webhook_sinks_carry_the_alert() -> None:
    posted: list[bytes] = []

    def answer(request: httpx.Request) -> httpx.Response:
        posted.append(request.content)
        return httpx.Response(204)

    hook = httpx.Client(transport=httpx.MockTransport(answer))
    out = io.StringIO()
    clock = FakeClock()
    monitor = Monitor(clock, sinks=[StdoutSink(out), WebhookSink("http://hooks.test/a", hook)])
    monitor.on_request("GET", "/markets", 200, 6.0)
    monitor.evaluate()
    line = json.loads(out.getvalue())
    assert (line["rule"], line["value"], line["threshold"], line["detail"]) == (
        "latency",
        6000,
        5000,
        "GET /markets",
    )
    assert json.loads(posted[0]) == line


def test_monitor_watches_a_real_client_and_ws_client(tmp_path: Path) -> None:
    with exchange(tmp_path / "data") as ex:
        signer = ex.user("mon")
        monitor = Monitor(ex.clock, sinks=[])
        client = ex.client(signer, observer=monitor)
        client.balance()
        with pytest.raises(Exception, match="404"):
            client.market("NOPE")
        values = monitor.metrics()
        assert values["requests"] == 2
        assert values["error_permille"] == 500


def _metric(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if line.startswith(name) and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


@pytest.mark.process
def test_server_exposes_prometheus_metrics_with_route_templates(tmp_path: Path) -> None:
    with catalog_server(tmp_path / "data") as server:
        key_id, pem = server.user("metrics", "1000", key_type="ed25519")
        signer = Signer.from_pem(key_id, pem)
        http = server.http
        for ticker in ("KXTEST-26DEC-T1", "KXTEST-26DEC-T2", "KXTEST-26DEC-T3"):
            assert http.get(f"/trade-api/v2/markets/{ticker}").status_code == 200
        http.get("/trade-api/v2/no/such/route/12345")
        bad = signer.headers("GET", "/trade-api/v2/portfolio/balance", 1)  # stale timestamp
        assert http.get("/trade-api/v2/portfolio/balance", headers=bad).status_code == 401

        async def ws_session() -> str:
            ws = WsClient(server.url, signer=signer)
            await ws.subscribe(["orderbook_delta"], ["KXTEST-26DEC-T1"])
            runner = asyncio.ensure_future(ws.run())
            await ws.wait_connected()
            text = http.get("/metrics").text
            await ws.close()
            runner.cancel()
            return text

        text = asyncio.run(ws_session())
        route = "/trade-api/v2/markets/{ticker}"
        assert _metric(text, "augury_http_requests_total", route=route, status="200") == 3
        assert _metric(text, "augury_http_request_duration_seconds_count", route=route) == 3
        assert "KXTEST-26DEC-T1" not in text  # templates, never raw paths
        assert _metric(text, "augury_http_requests_total", route="<unmatched>", status="404") == 1
        assert _metric(text, "augury_auth_failures_total", transport="rest") == 1
        assert _metric(text, "augury_ws_connections") == 1
        assert _metric(text, "augury_ws_subscriptions") == 1
        assert _metric(text, "augury_sequencer_batch_size_count") >= 2  # catalog + user
        assert _metric(text, "augury_journal_commit_seconds_count") >= 2
        assert _metric(text, "augury_engine_apply_seconds_count") >= 2
        for gauge in (
            "augury_sequencer_queue_depth",
            "augury_history_lag_commands",
            "augury_ws_drops_total",
            "augury_http_rate_limited_total",
        ):
            assert gauge in text


@pytest.mark.process
def test_server_counts_429s(tmp_path: Path) -> None:
    server = Server(tmp_path / "data", extra=["--rate-limits", "on"])
    server.start()
    try:
        key_id, pem = server.user("limited", "1000", key_type="ed25519")
        server.admin("POST", "/users/limited/tier", {"tier": "basic"})
        signer = Signer.from_pem(key_id, pem)
        path = "/trade-api/v2/portfolio/balance"
        statuses: list[int] = []

        def one(http: httpx.Client) -> int:
            headers = signer.headers("GET", path, time.time_ns() // 1_000_000)
            return http.get(path, headers=headers).status_code

        # basic: 400 read tokens, 10 per request, refilled at 200 per second. Requests sent
        # one by one on a loaded host can come slower than the refill and never meet a 429,
        # so send rounds of 40 at once (a full bucket's worth) until one is refused.
        with httpx.Client(base_url=server.url, timeout=30) as http, ThreadPoolExecutor(8) as pool:
            for _ in range(50):
                statuses += pool.map(lambda _i: one(http), range(40))
                if 429 in statuses:
                    break
        text = server.http.get("/metrics").text
        assert _metric(text, "augury_http_rate_limited_total") == statuses.count(429) > 0
    finally:
        server.close()
