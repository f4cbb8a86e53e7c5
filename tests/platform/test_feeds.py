"""Notifications, the trades CSV and webhooks (signed, retried, refused inside the network)."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from augury.api.schemas.base import rfc3339_from_ns as iso
from tests.inprocess import Browser, InProcessExchange
from tests.platform.receiver import Receiver
from tests.platform.world import FAST, serve

RAIN = "KXPF-RAIN-Y"


def wait_for(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition never came true"
        time.sleep(0.01)


@pytest.fixture(scope="module")
def ex(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessExchange]:
    settings = replace(FAST, webhooks_allow_private=True)
    with serve(tmp_path_factory.mktemp("feeds"), platform=settings) as exchange:
        yield exchange


def _cross(ex: InProcessExchange, buyer: Browser, tag: str, quantity: int = 3) -> None:
    seller = ex.browser()
    seller.signup(f"seller-{tag}@example.com", dollars=500)
    order = {
        "optionId": RAIN,
        "side": "NO",
        "action": "BUY",
        "quantity": quantity,
        "limitPriceCents": 45,
    }
    assert seller.call("POST", "/api/limit-orders", order).status_code == 201
    trade = {
        "optionId": RAIN,
        "side": "YES",
        "action": "BUY",
        "quantity": quantity,
        "priceCents": 55,
    }
    assert buyer.call("POST", "/api/trades", trade).status_code == 201


def test_fill_notifications_paged_and_marked_read(ex: InProcessExchange) -> None:
    buyer = ex.browser()
    buyer.signup("notes@example.com", dollars=100)
    _cross(ex, buyer, "n1", 1)
    _cross(ex, buyer, "n2", 1)

    def notes() -> list[dict[str, object]]:
        result: list[dict[str, object]] = buyer.call("GET", "/api/me/notifications").json()[
            "notifications"
        ]
        return result

    wait_for(lambda: len([n for n in notes() if n["kind"] == "fill"]) == 2)
    page = buyer.call("GET", "/api/me/notifications", params={"limit": 1}).json()
    assert len(page["notifications"]) == 1
    assert page["unreadCount"] >= 2
    second = buyer.call(
        "GET", "/api/me/notifications", params={"limit": 1, "cursor": page["nextCursor"]}
    ).json()
    assert second["notifications"][0]["id"] < page["notifications"][0]["id"]
    marked = buyer.call("POST", "/api/me/notifications", {"markAllRead": True}).json()
    assert marked == {"ok": True, "unreadCount": 0}


def test_muted_kind_is_not_notified(ex: InProcessExchange) -> None:
    buyer = ex.browser()
    buyer.signup("muted@example.com", dollars=100)
    response = buyer.call("PATCH", "/api/me/preferences", {"notifications": {"fill": False}})
    assert response.status_code == 200, response.text
    _cross(ex, buyer, "m", 1)
    ex.admin("POST", f"/users/{buyer.user['id']}/deposit", {"amount": "1"})
    wait_for(
        lambda: any(
            n["kind"] == "deposit"
            for n in buyer.call("GET", "/api/me/notifications").json()["notifications"]
        )
    )
    kinds = [n["kind"] for n in buyer.call("GET", "/api/me/notifications").json()["notifications"]]
    assert "fill" not in kinds


def test_csv_export_matches_the_fills(ex: InProcessExchange) -> None:
    buyer = ex.browser()
    buyer.signup("csv@example.com", dollars=100)
    _cross(ex, buyer, "c1", 2)
    _cross(ex, buyer, "c2", 3)
    response = buyer.call("GET", "/api/me/trades/export")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    trades = buyer.call("GET", "/api/trades").json()["trades"]
    assert [(r["fill_id"], r["quantity"], r["price_cents"]) for r in rows] == [
        (t["id"], f"{t['quantity']}.00", f"{t['priceCents']}.00") for t in trades
    ]
    assert len(rows) == 2


def test_webhook_is_signed_and_delivered(ex: InProcessExchange) -> None:
    buyer = ex.browser()
    buyer.signup("hook@example.com", dollars=100)
    with Receiver() as receiver:
        created = buyer.call("POST", "/api/me/webhooks", {"url": receiver.url, "events": ["fill"]})
        assert created.status_code == 201, created.text
        secret = created.json()["secret"]
        _cross(ex, buyer, "w", 2)
        wait_for(lambda: len(receiver.received) == 1)
    headers, body = receiver.received[0]
    t, v1 = (part.split("=", 1)[1] for part in headers["augury-signature"].split(","))
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(v1, expected)
    event = json.loads(body)
    assert event["type"] == "fill"
    assert event["data"]["optionId"] == RAIN
    assert event["data"]["quantityCentis"] == 200
    log = buyer.call("GET", "/api/me/webhooks").json()["webhooks"][0]["deliveries"]
    wait_for(
        lambda: (
            buyer.call("GET", "/api/me/webhooks").json()["webhooks"][0]["deliveries"][0]["status"]
            == "delivered"
        )
    )
    assert log[0]["kind"] == "fill"


def test_failed_delivery_is_retried_with_backoff(ex: InProcessExchange) -> None:
    buyer = ex.browser()
    buyer.signup("retry@example.com", dollars=100)
    with Receiver() as receiver:
        receiver.status = 500
        assert buyer.call("POST", "/api/me/webhooks", {"url": receiver.url}).status_code == 201
        _cross(ex, buyer, "r", 1)
        wait_for(lambda: len(receiver.received) == 1)

        def log() -> dict[str, object]:
            result: dict[str, object] = buyer.call("GET", "/api/me/webhooks").json()["webhooks"][0][
                "deliveries"
            ][0]
            return result

        wait_for(lambda: log()["attempts"] == 1)
        assert log()["status"] == "pending"
        assert log()["lastStatusCode"] == 500
        # The first retry waits 5 s (BACKOFF_S[0]); the fake clock has not moved since.
        first = log()
        assert first["nextAttemptAt"] == iso(ex.clock.now_ns() + 5 * 1_000_000_000)
        receiver.status = 200
        ex.fake_clock.advance(5 * 1_000_000_000)
        wait_for(lambda: len(receiver.received) == 2)
        assert (
            receiver.received[0][0]["augury-delivery"] == receiver.received[1][0]["augury-delivery"]
        )
        wait_for(lambda: log()["status"] == "delivered")


def test_private_targets_are_refused_by_default(tmp_path: Path) -> None:
    with serve(tmp_path / "d") as ex:
        b = ex.browser()
        b.signup("ssrf@example.com")
        for url in (
            "http://127.0.0.1:9/hook",
            "http://10.1.2.3/hook",
            "http://[::1]/x",
            "http://169.254.169.254/latest/meta-data",
            "http://localhost/x",
            "ftp://example.com/x",
            "http://user:pw@example.com/x",
        ):
            response = b.call("POST", "/api/me/webhooks", {"url": url})
            assert response.status_code == 400, url
