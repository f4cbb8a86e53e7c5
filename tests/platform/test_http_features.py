"""The rows of the contract that had no test over HTTP, in process on a fake clock.

``/api/events?category=`` and ``?featured=1``; the price history of ``/api/events/[slug]``;
trading by ``eventSlug`` + ``optionLabel``; ``/api/trades?status=closed``; ``expiresInHours``
on limit orders; leaderboard periods 7d/30d with the volume and predictions metrics;
notifications for orders the exchange cancelled and for withdrawals.

Every expectation is worked out by hand from the scenario (times on the fake clock, prices
in cents, contracts), not read back from the code: candle periods are ``(end - period, end]``
with ``end`` aligned to the period, an order expires at ``now + hours`` exactly, a trade is
closed once its option is no longer held, a leaderboard period counts what was traded
inside ``[now - days, now]`` (whole minutes) and ranks ties by username.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.inprocess import Browser, InProcessExchange
from tests.platform.test_trading import wait_for
from tests.platform.world import FAST, S, serve

T4, T5 = "KXPF-RATES-T4", "KXPF-RATES-T5"
GDP, RAIN = "KXPF-GDP-Y", "KXWX-RAIN-Y"
MINUTE, HOUR, DAY = 60 * S, 3_600 * S, 86_400 * S
# The fake clock starts at 2026-01-01T00:00:00Z: aligned to minutes, hours and days.
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
# These tests are about the features, not the per-principal request limit.
SETTINGS = replace(FAST, requests_per_minute=1_000_000)


def _market(ticker: str, event: str, label: str, rules: str) -> dict[str, Any]:
    return {
        "ticker": ticker,
        "event_ticker": event,
        "title": f"{label}?",
        "yes_sub_title": label,
        "open_time": "2026-01-01T00:00:00Z",
        "close_time": "2030-01-01T00:00:00Z",
        "rules_primary": rules,
    }


CATALOG: dict[str, Any] = {
    "series": [
        {"ticker": "KXPF", "title": "Macro", "category": "Economics", "fee_type": "quadratic"},
        {"ticker": "KXWX", "title": "Weather", "category": "Weather", "fee_type": "quadratic"},
    ],
    "events": [
        {"event_ticker": "KXPF-RATES", "series_ticker": "KXPF", "title": "Fed rate in December"},
        {"event_ticker": "KXPF-GDP", "series_ticker": "KXPF", "title": "GDP growth above 2%"},
        {
            "event_ticker": "KXWX-RAIN",
            "series_ticker": "KXWX",
            "title": "Rain in London tomorrow?",
        },
    ],
    "markets": [
        _market(T4, "KXPF-RATES", "Above 4%", "Upper bound above 4%."),
        _market(T5, "KXPF-RATES", "Above 5%", "Upper bound above 5%."),
        _market(GDP, "KXPF-GDP", "Above 2%", "Advance estimate above 2%."),
        _market(RAIN, "KXWX-RAIN", "Rain", "Precipitation at Heathrow."),
    ],
}


@pytest.fixture
def ex(tmp_path: Path) -> Iterator[InProcessExchange]:
    with serve(tmp_path, platform=SETTINGS, catalog=CATALOG) as exchange:
        yield exchange


def _member(ex: InProcessExchange, email: str, dollars: int) -> Browser:
    """A funded platform user calling with a bearer token (sessions expire in 14 days)."""
    person = ex.browser()
    person.signup(email, dollars=dollars)
    person.token = person.new_token()
    person.session = None
    return person


def _ids(response: Any) -> set[str]:
    assert response.status_code == 200, response.text
    return {e["id"] for e in response.json()["events"]}


def _cross(maker: Browser, taker: Browser, option: str, cents: int, quantity: int) -> None:
    """The maker offers YES at ``cents`` (buys NO at 100 - cents); the taker buys it all."""
    offer = {
        "optionId": option,
        "side": "NO",
        "action": "BUY",
        "quantity": quantity,
        "limitPriceCents": 100 - cents,
    }
    made = maker.call("POST", "/api/limit-orders", offer)
    assert made.status_code == 201, made.text
    trade = {
        "optionId": option,
        "side": "YES",
        "action": "BUY",
        "quantity": quantity,
        "priceCents": cents,
    }
    done = taker.call("POST", "/api/trades", trade)
    assert done.status_code == 201, done.text
    assert done.json()["filledQuantity"] == quantity


def _drain(ex: InProcessExchange) -> None:
    """Wait until the history read model has written every applied command."""
    ex.portal.call(ex.app.state.context.runtime.history.drain)


def _notes(person: Browser, kind: str) -> list[dict[str, Any]]:
    listed = person.call("GET", "/api/me/notifications", params={"limit": 100})
    assert listed.status_code == 200, listed.text
    return [n for n in listed.json()["notifications"] if n["kind"] == kind]


# --- events: category, featured, price history -------------------------------------------


def test_events_filter_by_category_and_featured(ex: InProcessExchange) -> None:
    anon = ex.browser()
    assert _ids(anon.call("GET", "/api/events")) == {"KXPF-RATES", "KXPF-GDP", "KXWX-RAIN"}
    by = {"category": "economics"}  # case-insensitive
    assert _ids(anon.call("GET", "/api/events", params=by)) == {"KXPF-RATES", "KXPF-GDP"}
    assert _ids(anon.call("GET", "/api/events", params={"category": "Weather"})) == {"KXWX-RAIN"}
    assert _ids(anon.call("GET", "/api/events", params={"category": "Sports"})) == set()
    assert _ids(anon.call("GET", "/api/events", params={"featured": "1"})) == set()

    ex.admin("POST", "/platform/events/rain-in-london-tomorrow/feature", {"featured": True})
    ex.admin("POST", "/platform/events/fed-rate-in-december/feature", {"featured": True})
    featured = anon.call("GET", "/api/events", params={"featured": "1"})
    assert _ids(featured) == {"KXWX-RAIN", "KXPF-RATES"}
    assert all(e["featured"] for e in featured.json()["events"])
    both = {"featured": "1", "category": "economics"}
    assert _ids(anon.call("GET", "/api/events", params=both)) == {"KXPF-RATES"}
    ex.admin("POST", "/platform/events/rain-in-london-tomorrow/feature", {"featured": False})
    assert _ids(anon.call("GET", "/api/events", params={"featured": "1"})) == {"KXPF-RATES"}
    every = {e["id"]: e["featured"] for e in anon.call("GET", "/api/events").json()["events"]}
    assert every == {"KXPF-RATES": True, "KXPF-GDP": False, "KXWX-RAIN": False}


def _history(person: Browser, span: str) -> list[tuple[dt.datetime, int, int]]:
    response = person.call("GET", "/api/events/fed-rate-in-december", params={"range": span})
    assert response.status_code == 200, response.text
    series = {h["optionId"]: h["points"] for h in response.json()["priceHistory"]}
    assert series[T5] == []  # nothing traded there
    return [
        (dt.datetime.fromisoformat(p["t"].replace("Z", "+00:00")), p["priceCents"], p["priceBps"])
        for p in series[T4]
    ]


def test_price_history_is_the_close_of_each_period_with_trades(ex: InProcessExchange) -> None:
    maker = _member(ex, "history-maker@example.com", 1000)
    taker = _member(ex, "history-taker@example.com", 1000)
    anon = ex.browser()
    # Trades on T4: 40 at +90 s and 45 at +100 s (one minute, closes at 45), 55 at +150 s,
    # 62 at +2 h 5 min 30 s.
    for at_s, cents in ((90, 40), (100, 45), (150, 55), (2 * 3600 + 330, 62)):
        ex.fake_clock.set(_t0_ns() + at_s * S)
        _cross(maker, taker, T4, cents, 1)
    ex.fake_clock.set(_t0_ns() + 3 * HOUR)
    _drain(ex)
    minute = dt.timedelta(minutes=1)
    # 1d: one-minute periods (end - 1 min, end].
    assert _history(anon, "1d") == [
        (T0 + 2 * minute, 45, 4500),
        (T0 + 3 * minute, 55, 5500),
        (T0 + 126 * minute, 62, 6200),
    ]
    # 7d and 30d: hourly periods; the first hour closes at 55, the third at 62.
    hourly = [(T0 + dt.timedelta(hours=1), 55, 5500), (T0 + dt.timedelta(hours=3), 62, 6200)]
    assert _history(anon, "7d") == hourly
    assert _history(anon, "30d") == hourly
    # Two days later the last day holds no trade; the week still holds them all.
    ex.fake_clock.set(_t0_ns() + 2 * DAY)
    assert _history(anon, "1d") == []
    assert _history(anon, "7d") == hourly
    assert anon.call("GET", "/api/events/fed-rate-in-december?range=1y").status_code == 400


def _t0_ns() -> int:
    return int(T0.timestamp()) * S


# --- trading by slug and label; trades by status --------------------------------------------


def test_trade_by_event_slug_and_option_label(ex: InProcessExchange) -> None:
    maker = _member(ex, "slug-maker@example.com", 1000)
    taker = _member(ex, "slug-taker@example.com", 100)
    offer = {"optionId": T5, "side": "NO", "action": "BUY", "quantity": 2, "limitPriceCents": 70}
    assert maker.call("POST", "/api/limit-orders", offer).status_code == 201
    trade = {
        "eventSlug": "fed-rate-in-december",
        "optionLabel": "above 5%",  # labels match case-insensitively
        "side": "YES",
        "action": "BUY",
        "quantity": 2,
        "priceCents": 30,
    }
    done = taker.call("POST", "/api/trades", trade)
    assert done.status_code == 201, done.text
    assert (done.json()["optionId"], done.json()["filledQuantity"]) == (T5, 2)
    [position] = taker.call("GET", "/api/positions").json()["positions"]
    assert position["optionId"] == T5
    # A single-market event's option is labelled "Yes".
    offer = {"optionId": GDP, "side": "NO", "action": "BUY", "quantity": 1, "limitPriceCents": 50}
    assert maker.call("POST", "/api/limit-orders", offer).status_code == 201
    single = {**trade, "eventSlug": "gdp-growth-above-2", "optionLabel": "Yes", "quantity": 1}
    single["priceCents"] = 50
    done = taker.call("POST", "/api/trades", single)
    assert done.status_code == 201, done.text
    assert done.json()["optionId"] == GDP
    # Refusals: unknown label or slug 404, neither form 400; nothing changes.
    before = ex.state()
    wrong = taker.call("POST", "/api/trades", {**trade, "optionLabel": "Above 6%"})
    assert wrong.status_code == 404, wrong.text
    unknown = taker.call("POST", "/api/trades", {**trade, "eventSlug": "no-such-event"})
    assert unknown.status_code == 404, unknown.text
    bare = {k: v for k, v in trade.items() if k not in ("eventSlug", "optionLabel")}
    assert taker.call("POST", "/api/trades", bare).status_code == 400
    half = {k: v for k, v in trade.items() if k != "optionLabel"}
    assert taker.call("POST", "/api/trades", half).status_code == 400
    assert ex.state() == before


def test_trades_filtered_open_and_closed(ex: InProcessExchange) -> None:
    maker = _member(ex, "closed-maker@example.com", 1000)
    taker = _member(ex, "closed-taker@example.com", 500)
    _cross(maker, taker, T4, 40, 2)  # bought 2 T4 ...
    bid = {"optionId": T4, "side": "YES", "action": "BUY", "quantity": 2, "limitPriceCents": 50}
    assert maker.call("POST", "/api/limit-orders", bid).status_code == 201
    sell = {"optionId": T4, "side": "YES", "action": "SELL", "quantity": 2, "priceCents": 50}
    assert taker.call("POST", "/api/trades", sell).status_code == 201  # ... and sold them
    _cross(maker, taker, T5, 30, 1)  # still held
    _cross(maker, taker, RAIN, 20, 1)  # held until the market settles, below
    _drain(ex)

    def trades(status: str | None) -> list[tuple[str, str, int]]:
        params = {"status": status} if status else {}
        listed = taker.call("GET", "/api/trades", params=params)
        assert listed.status_code == 200, listed.text
        return sorted((t["optionId"], t["action"], t["quantity"]) for t in listed.json()["trades"])

    assert trades("closed") == [(T4, "BUY", 2), (T4, "SELL", 2)]
    assert trades("open") == sorted([(RAIN, "BUY", 1), (T5, "BUY", 1)])
    assert len(trades(None)) == 4
    assert all(
        t["status"] == ("closed" if t["optionId"] == T4 else "open")
        for t in taker.call("GET", "/api/trades").json()["trades"]
    )
    ex.admin("POST", f"/markets/{RAIN}/settle", {"result": "no"})
    wait_for(lambda: trades("open") == [(T5, "BUY", 1)])
    assert trades("closed") == sorted([(RAIN, "BUY", 1), (T4, "BUY", 2), (T4, "SELL", 2)])
    assert taker.call("GET", "/api/trades", params={"status": "settled"}).status_code == 400


# --- limit orders that expire; notifications of exchange cancels and withdrawals -----------


def test_limit_order_expires_after_the_given_hours_and_the_owner_is_told(
    ex: InProcessExchange,
) -> None:
    owner = _member(ex, "expiry-owner@example.com", 100)
    taker = _member(ex, "expiry-taker@example.com", 100)
    placed_at = _t0_ns() + 10 * MINUTE
    ex.fake_clock.set(placed_at)
    offer = {
        "optionId": T4,
        "side": "NO",
        "action": "BUY",
        "quantity": 3,
        "limitPriceCents": 60,
        "expiresInHours": 2,
    }
    made = owner.call("POST", "/api/limit-orders", offer)
    assert made.status_code == 201, made.text
    order = made.json()["order"]
    expires = dt.datetime.fromisoformat(order["expiresAt"].replace("Z", "+00:00"))
    assert expires == T0 + dt.timedelta(minutes=10, hours=2)
    # One second before, it still trades (YES at 40 = NO at 60).
    ex.fake_clock.set(placed_at + 2 * HOUR - S)
    buy = {"optionId": T4, "side": "YES", "action": "BUY", "quantity": 1, "priceCents": 40}
    assert taker.call("POST", "/api/trades", buy).status_code == 201
    open_ids = [o["id"] for o in owner.call("GET", "/api/limit-orders").json()["orders"]]
    assert open_ids == [order["id"]]
    assert _notes(owner, "order_cancelled") == []
    # At the expiry time the exchange's own tick cancels what is left (2 contracts).
    ex.fake_clock.set(placed_at + 2 * HOUR)
    wait_for(lambda: owner.call("GET", "/api/limit-orders").json()["orders"] == [])
    history = owner.call("GET", "/api/limit-orders", params={"status": "history"}).json()
    [gone] = [o for o in history["orders"] if o["id"] == order["id"]]
    assert (gone["status"], gone["filledQuantityCentis"]) == ("cancelled", 100)
    wait_for(lambda: len(_notes(owner, "order_cancelled")) == 1)
    [note] = _notes(owner, "order_cancelled")
    assert note["data"] == {"optionId": T4, "orderId": order["id"], "reason": "expired"}
    # Nothing trades against it any more.
    late = taker.call("POST", "/api/trades", buy)
    assert late.status_code == 409, late.text
    # Out of range hours are refused.
    for hours in (0, 8_761, -1):
        bad = owner.call("POST", "/api/limit-orders", {**offer, "expiresInHours": hours})
        assert bad.status_code == 400, (hours, bad.text)


def test_exchange_cancel_is_notified_and_the_owners_own_cancel_is_not(
    ex: InProcessExchange,
) -> None:
    owner = _member(ex, "cancel-owner@example.com", 100)
    mine = {"optionId": T5, "side": "YES", "action": "BUY", "quantity": 1, "limitPriceCents": 10}
    own = owner.call("POST", "/api/limit-orders", mine).json()["order"]["id"]
    assert owner.call("DELETE", f"/api/limit-orders/{own}").status_code == 200
    closing = {**mine, "optionId": GDP}
    resting = owner.call("POST", "/api/limit-orders", closing).json()["order"]["id"]
    ex.admin("POST", f"/markets/{GDP}/close")
    wait_for(lambda: len(_notes(owner, "order_cancelled")) == 1)
    [note] = _notes(owner, "order_cancelled")
    assert note["data"] == {"optionId": GDP, "orderId": resting, "reason": "market_closed"}
    assert note["read"] is False


def test_withdrawal_notifications_follow_approval(ex: InProcessExchange) -> None:
    person = _member(ex, "withdraw@example.com", 50)
    ex.admin("POST", "/platform/gateways/manual", {"deposits": True, "withdrawals": True})
    first = person.call("POST", "/api/withdrawals", {"amountCents": 1_234})
    assert first.status_code == 202, first.text
    second = person.call("POST", "/api/withdrawals", {"amountCents": 500})
    ex.admin("POST", f"/platform/cash-requests/{second.json()['request']['id']}/reject")
    approved = ex.admin("POST", f"/platform/cash-requests/{first.json()['request']['id']}/approve")
    assert approved["status"] == "approved"
    wait_for(lambda: len(_notes(person, "withdrawal")) == 1)
    [note] = _notes(person, "withdrawal")
    assert note["data"]["amountCents"] == 1_234
    assert note["data"]["reference"] == f"cash-{first.json()['request']['id']}"
    cash = person.call("GET", "/api/positions").json()["summary"]["cashCents"]
    assert cash == 5_000 - 1_234
    # The rejected one moved nothing and told nothing beyond that one note.
    assert len(_notes(person, "withdrawal")) == 1


# --- leaderboard periods and metrics -----------------------------------------------------


def _board(person: Browser, metric: str, period: str) -> list[tuple[int, str, int]]:
    response = person.call(
        "GET", "/api/leaderboard", params={"metric": metric, "period": period, "limit": 100}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["metric"], body["period"]) == (metric, period)
    return [(s["rank"], s["username"], s[metric]) for s in body["standings"]]


def _ranked(scores: dict[str, int]) -> list[tuple[int, str, int]]:
    """Highest first, ties by username; users without trades in the period are left out."""
    order = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return [(rank, name, score) for rank, (name, score) in enumerate(order, start=1)]


def test_leaderboard_periods_for_volume_and_predictions(ex: InProcessExchange) -> None:
    maker = _member(ex, "lb-maker@example.com", 5_000)
    alice = _member(ex, "lb-alice@example.com", 1_000)
    bob = _member(ex, "lb-bob@example.com", 1_000)
    carol = _member(ex, "lb-carol@example.com", 1_000)
    name: Callable[[Browser], str] = lambda p: str(p.user["username"])  # noqa: E731
    m, a, b, c = name(maker), name(alice), name(bob), name(carol)
    # Day 0: Alice buys 10 T4. Day 20: Bob 3 T5 and 2 RAIN. Day 28: Carol 1 T4, Alice 1 RAIN.
    ex.fake_clock.set(_t0_ns() + HOUR)
    _cross(maker, alice, T4, 40, 10)
    ex.fake_clock.set(_t0_ns() + 20 * DAY)
    _cross(maker, bob, T5, 50, 3)
    _cross(maker, bob, RAIN, 30, 2)
    ex.fake_clock.set(_t0_ns() + 28 * DAY)
    _cross(maker, carol, T4, 45, 1)
    _cross(maker, alice, RAIN, 35, 1)
    _drain(ex)
    # Asked on day 31: 30d starts on day 1, 7d on day 24.
    ex.fake_clock.set(_t0_ns() + 31 * DAY)
    viewer = ex.browser()
    assert _board(viewer, "volume", "all") == _ranked({m: 17, a: 11, b: 5, c: 1})
    assert _board(viewer, "predictions", "all") == _ranked({m: 3, a: 2, b: 2, c: 1})
    assert _board(viewer, "volume", "30d") == _ranked({m: 7, b: 5, a: 1, c: 1})
    assert _board(viewer, "predictions", "30d") == _ranked({m: 3, b: 2, a: 1, c: 1})
    assert _board(viewer, "volume", "7d") == _ranked({m: 2, a: 1, c: 1})
    assert _board(viewer, "predictions", "7d") == _ranked({m: 2, a: 1, c: 1})
    # Time passes with nothing traded: by day 36 the week is empty and the month has lost
    # day 0 only (it was already out), so it is unchanged.
    ex.fake_clock.set(_t0_ns() + 36 * DAY)
    assert _board(viewer, "volume", "7d") == []
    assert _board(viewer, "volume", "30d") == _ranked({m: 7, b: 5, a: 1, c: 1})
    # By day 51 the month holds only day 28.
    ex.fake_clock.set(_t0_ns() + 51 * DAY)
    assert _board(viewer, "volume", "30d") == _ranked({m: 2, a: 1, c: 1})
    assert _board(viewer, "volume", "all") == _ranked({m: 17, a: 11, b: 5, c: 1})
    assert viewer.call("GET", "/api/leaderboard", params={"period": "1y"}).status_code == 400
    assert viewer.call("GET", "/api/leaderboard", params={"metric": "xp"}).status_code == 400
