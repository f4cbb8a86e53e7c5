"""The web pages in process: what they show, who may act, and the limits of every form.

The app runs in process (``tests.inprocess``, a fake clock) and is driven like a
browser without JavaScript: plain GETs and form posts carrying the session cookie. The
real-browser journeys are ``tests/web/test_browser.py``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.routing import Route

from augury.web.pages import all_routes
from tests.inprocess import Browser, InProcessExchange, Key
from tests.platform.world import serve

T4 = "KXPF-RATES-T4"
RAIN = "KXPF-RAIN-Y"
VENDOR = Path(__file__).resolve().parents[2] / "src/augury/web/static/vendor"
HTMX = {"HX-Request": "true"}


@pytest.fixture(scope="module")
def ex(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessExchange]:
    with serve(tmp_path_factory.mktemp("web")) as exchange:
        yield exchange


def _member(ex: InProcessExchange, email: str, dollars: int = 1000) -> Browser:
    browser = ex.browser()
    browser.signup(email, dollars=dollars)
    return browser


def _form(browser: Browser, path: str, data: dict[str, Any], **kw: Any) -> Any:
    fields = {"csrf_token": browser.csrf or "", **data}
    return browser.call("POST", path, data=fields, csrf=False, **kw)


def _limit_order(browser: Browser, ticker: str, price: int, quantity: int = 5) -> str:
    response = browser.call(
        "POST",
        "/api/limit-orders",
        {
            "optionId": ticker,
            "side": "YES",
            "action": "BUY",
            "quantity": quantity,
            "limitPriceCents": price,
        },
    )
    assert response.status_code == 201, response.text
    order_id: str = response.json()["order"]["id"]
    return order_id


PAGES = [
    "/",
    "/?q=heathrow",
    "/?category=Economics&sort=closing",
    "/event/fed-rate-in-december",
    f"/event/fed-rate-in-december?m={T4}",
    "/leaderboard",
    "/leaderboard?metric=volume&period=7d",
    "/developers",
    "/developers/api",
    "/developers/kalshi",
]
MEMBER_PAGES = ["/portfolio", "/account", "/notifications", "/watchlist"]


def test_pages_render_with_the_security_headers(ex: InProcessExchange) -> None:
    member = _member(ex, "pages@example.com")
    for path in PAGES + MEMBER_PAGES:
        response = member.call("GET", path)
        assert response.status_code == 200, (path, response.text[:500])
        assert response.headers["content-type"].startswith("text/html")
        csp = response.headers["content-security-policy"]
        assert "script-src 'self';" in csp
        assert "unsafe-inline" not in csp
        assert "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["cache-control"] == "no-store"
        # No inline script, no event-handler attribute, no style attribute.
        html = response.text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"\son[a-z]+\s*=", html), path
        assert not re.search(r"\sstyle\s*=", html), path
    anonymous = ex.browser()
    for path in [*PAGES, "/login", "/signup"]:
        assert anonymous.call("GET", path).status_code == 200, path
    for path in MEMBER_PAGES:
        response = anonymous.call("GET", path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next={path}"
    missing = anonymous.call("GET", "/no/such/page")
    assert missing.status_code == 404
    assert "There is no page" in missing.text


def test_the_one_allowed_style_hash_is_the_chart_attribution() -> None:
    # Recompute the hash from the pinned vendored file: the logo's constant style text.
    source = (VENDOR / "lightweight-charts-5.2.1.standalone.production.js").read_text()
    text = re.search(r'\.innerText="(a#tv-attr-logo\{[^"]*)"', source)
    assert text is not None
    digest = base64.b64encode(hashlib.sha256(text.group(1).encode()).digest()).decode()
    from augury.web.security import CSP

    assert f"'sha256-{digest}'" in CSP


def _post_routes() -> list[str]:
    paths = []
    for route in all_routes():
        if not isinstance(route, Route) or route.path == "/operator/{rest:path}":
            continue  # (the console's catch-all is a 404 for any other path)
        if "POST" in (route.methods or set()):
            paths.append(re.sub(r"\{[^}]+\}", "x" * 12, route.path))
    return paths


def test_every_form_needs_the_csrf_token(ex: InProcessExchange) -> None:
    member = _member(ex, "csrf@example.com")
    member_id = member.user["id"]
    ex.admin("POST", "/platform/operators", {"email": "csrf@example.com", "enabled": True})
    before = ex.state()
    checked = 0
    paths = _post_routes()
    for path in paths:
        if path in ("/login", "/signup"):
            # No session yet: another site's form is refused by its Origin.
            response = ex.browser().call(
                "POST",
                path,
                data={"email": "a@b.co", "password": "x" * 12},
                headers={"Origin": "https://evil.example"},
            )
        elif path in ("/account/avatar", "/operator/catalogue/file"):
            response = member.call(
                "POST", path, files={"file": ("a.png", b"x")}, data={"a": "b"}, csrf=False
            )
        else:
            response = member.call("POST", path, data={"amount": "5", "result": "yes"}, csrf=False)
        assert response.status_code == 403, (
            path,
            response.status_code,
            re.findall(r"role=\"alert\"[^>]*>([^<]*)", response.text),
        )
        checked += 1
    assert checked == len(paths) >= 25
    assert ex.state()[1] == before[1]  # nothing changed
    assert member.call("GET", "/portfolio").status_code == 200  # still signed in
    ex.admin("POST", "/platform/operators", {"email": "csrf@example.com", "enabled": False})
    assert member_id


def test_nobody_sees_or_touches_another_persons_things(ex: InProcessExchange) -> None:
    alice = _member(ex, "alice-web@example.com")
    bob = _member(ex, "bob-web@example.com")
    order_id = _limit_order(alice, T4, 20)
    token = alice.call("POST", "/api/me/tokens", {"name": "a", "scopes": ["read"]}).json()
    key = alice.call("POST", "/api/me/api-keys", {"name": "k", "type": "ed25519"}).json()
    sessions = alice.call("GET", "/account").text
    alice_session = re.search(r"/account/sessions/([0-9a-f]{12})/end", sessions)
    assert alice_session is not None
    attempts = [
        f"/orders/{order_id}/cancel",
        f"/portfolio/orders/{order_id}/cancel",
        f"/portfolio/orders/{order_id}/amend",
        f"/account/tokens/{token['token']['id']}/revoke",
        f"/account/keys/{key['apiKey']['id']}/delete",
        f"/account/sessions/{alice_session.group(1)}/end",
        f"/portfolio/positions/{T4}/protection",
    ]
    for path in attempts:
        response = _form(bob, path, {"limit": "30", "quantity": "1", "take": "90"})
        assert response.status_code == 404, (path, response.status_code, response.text[:300])
    # Alice's things are untouched and hers only.
    open_ids = [o["id"] for o in alice.call("GET", "/api/limit-orders").json()["orders"]]
    assert open_ids == [order_id]
    assert order_id not in bob.call("GET", "/portfolio").text
    assert key["apiKey"]["id"] not in bob.call("GET", "/account").text
    assert token["token"]["id"] not in bob.call("GET", "/account").text
    assert alice.call("GET", "/portfolio").status_code == 200
    # The owner can do what the others could not.
    assert _form(alice, f"/orders/{order_id}/cancel", {}, follow_redirects=False).status_code == 303
    assert alice.call("GET", "/api/limit-orders").json()["orders"] == []


def test_operator_console_is_a_404_for_members(ex: InProcessExchange) -> None:
    member = _member(ex, "member-op@example.com")
    for path in ("/operator", "/operator/users", "/operator/markets", "/operator/anything"):
        assert member.call("GET", path).status_code == 404
    before = ex.state()
    assert _form(member, "/operator/exchange/pause", {}).status_code == 404
    assert _form(member, f"/operator/markets/{T4}/close", {}).status_code == 404
    assert ex.state()[1] == before[1]
    assert ex.browser().call("GET", "/operator").status_code == 404
    ex.admin("POST", "/platform/operators", {"email": "member-op@example.com", "enabled": True})
    assert member.call("GET", "/operator").status_code == 200
    assert "Operator" in member.call("GET", "/").text
    ex.admin("POST", "/platform/operators", {"email": "member-op@example.com", "enabled": False})
    assert member.call("GET", "/operator").status_code == 404


def test_user_text_is_data_never_markup(ex: InProcessExchange) -> None:
    member = _member(ex, "xss@example.com")
    evil = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    response = _form(
        member,
        "/account/profile",
        {"bio": evil, "first_name": "<b>Eve</b>"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = ex.browser().call("GET", f"/u/{member.user['username']}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;b&gt;Eve&lt;/b&gt;" in page
    search = ex.browser().call("GET", "/", params={"q": '"><script>x</script>'}).text
    assert "<script>x</script>" not in search


def test_ticket_quotes_places_and_cancels(ex: InProcessExchange) -> None:
    maker = _member(ex, "maker-web@example.com")
    trader = _member(ex, "trader-web@example.com")
    _limit_order(maker, RAIN, 40, 5)  # a YES bid at 40: a NO seller's... not on the ask side
    sell = maker.call(
        "POST",
        "/api/limit-orders",
        {"optionId": RAIN, "side": "NO", "action": "BUY", "quantity": 10, "limitPriceCents": 55},
    )
    assert sell.status_code == 201  # a YES ask at 45
    form = {
        "side": "YES",
        "action": "BUY",
        "kind": "market",
        "unit": "contracts",
        "quantity": "4",
        "amount": "",
        "limit": "",
    }
    quote = _form(trader, f"/m/{RAIN}/quote", form, headers=HTMX)
    assert quote.status_code == 200
    # 4 @ 45¢ = $1.80; fee 0.07*4*0.45*0.55 = $0.0693 -> $0.0693; max payout $4.
    assert 'id="q-cost">$1.8000' in quote.text
    assert 'id="q-fee">$0.0693' in quote.text
    assert 'id="q-payout">$4.0000' in quote.text
    assert 'id="q-after">4 YES' in quote.text
    placed = _form(
        trader, f"/m/{RAIN}/order", {**form, "slug": "rain-in-london-tomorrow"}, headers=HTMX
    )
    assert "Bought 4 YES at 45¢ average (fee $0.07)" in placed.text, placed.text
    mine = trader.call("GET", f"/m/{RAIN}/mine").text
    assert "Holding" in mine
    assert "45¢" in mine
    limit = {**form, "kind": "limit", "limit": "30", "quantity": "2"}
    placed = _form(trader, f"/m/{RAIN}/order", {**limit, "slug": "x"}, headers=HTMX)
    assert "Limit order placed" in placed.text
    order_id = trader.call("GET", "/api/limit-orders").json()["orders"][0]["id"]
    assert order_id in trader.call("GET", "/portfolio").text
    amended = _form(
        trader,
        f"/portfolio/orders/{order_id}/amend",
        {"limit": "31", "quantity": "3"},
        headers=HTMX,
    )
    assert "Order amended." in amended.text
    (order,) = trader.call("GET", "/api/limit-orders").json()["orders"]
    assert (order["limitPriceCents"], order["remainingQuantityCentis"]) == (31, 300)
    cancelled = _form(trader, f"/orders/{order_id}/cancel", {"ticker": RAIN}, headers=HTMX)
    assert "No open orders here." in cancelled.text
    bad = _form(trader, f"/m/{RAIN}/quote", {**form, "quantity": "-1"}, headers=HTMX)
    assert "quantity must be" in bad.text


def test_forms_and_queries_are_bounded(ex: InProcessExchange) -> None:
    member = _member(ex, "limits@example.com")
    huge = _form(member, "/account/profile", {"bio": "x" * 70_000})
    assert huge.status_code == 413
    long_field = _form(member, "/account/profile", {"bio": "x" * 9_000})
    assert long_field.status_code == 400
    too_long_bio = _form(member, "/account/profile", {"bio": "x" * 600})
    assert too_long_bio.status_code == 400
    assert "length &lt;= 500" in too_long_bio.text
    assert member.call("GET", "/", params={"q": "q" * 5000}).status_code == 200
    assert member.call("GET", "/", params={"sort": "nonsense"}).status_code == 400
    assert member.call("GET", f"/m/{T4}/candles", params={"period": "5m"}).status_code == 400
    assert member.call("GET", "/m/NOPE/book").status_code == 404
    key = _form(member, "/account/keys", {"public_key": "-----BEGIN PRIVATE KEY-----\nx"})
    assert key.status_code == 400
    assert "PUBLIC key" in key.text
    # Keys pasted in are held to the upload rule of POST /api_keys: RSA at most 4,096 bits.
    big_rsa = (
        rsa.generate_private_key(public_exponent=65537, key_size=4160)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    too_big = _form(member, "/account/keys", {"public_key": big_rsa, "name": "big"})
    assert too_big.status_code == 400
    assert "4160 bits" in too_big.text
    # A form is held to the API's own constraints (a 65-character token name).
    named = _form(member, "/account/tokens", {"name": "n" * 65})
    assert named.status_code == 400
    assert "length &lt;= 64" in named.text
    assert member.call("GET", "/live", params={"m": "NOPE"}).status_code == 404
    assert ex.browser().call("GET", "/live").status_code == 401


def test_operator_creates_settles_and_holders_are_paid(ex: InProcessExchange) -> None:
    operator = _member(ex, "operator-web@example.com")
    ex.admin("POST", "/platform/operators", {"email": "operator-web@example.com", "enabled": True})
    bad = _form(
        operator,
        "/operator/catalogue/event",
        {
            "series_ticker": "KXPF",
            "event_ticker": "KXPF-WEB",
            "title": "Bad",
            "open_time": "tomorrow",
            "m1_suffix": "A",
            "m1_label": "A",
        },
    )
    assert bad.status_code == 400
    assert "open_time" in bad.text
    made = _form(
        operator,
        "/operator/catalogue/event",
        {
            "series_ticker": "KXPF",
            "event_ticker": "KXPF-WEB",
            "title": "Which colour?",
            "m1_suffix": "RED",
            "m1_label": "Red",
            "m2_suffix": "BLUE",
            "m2_label": "Blue",
            "rules": "Resolves to the colour the operator announces.",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text[:500]
    events = ex.browser().call("GET", "/api/events", params={"q": "colour"}).json()["events"]
    assert [o["id"] for o in events[0]["options"]] == ["KXPF-WEB-RED", "KXPF-WEB-BLUE"]
    holder = _member(ex, "holder-web@example.com", dollars=100)
    seller = _member(ex, "seller-web@example.com", dollars=100)
    _limit_order(holder, "KXPF-WEB-RED", 30, 10)  # holder bids 30 for 10 YES
    hit = seller.call(
        "POST",
        "/api/trades",
        {
            "optionId": "KXPF-WEB-RED",
            "side": "NO",
            "action": "BUY",
            "quantity": 10,
            "priceCents": 70,
        },
    )
    assert hit.status_code == 201, hit.text
    confirm = operator.call(
        "GET", "/operator/markets/KXPF-WEB-RED/settle", params={"result": "yes"}
    )
    assert confirm.status_code == 200
    # 10 YES pay $1 each = $10.0000 to the holder, the NO side gets nothing.
    assert 'id="payout-total">$10.0000' in confirm.text
    cash_before = holder.call("GET", "/api/positions").json()["summary"]["cashCents"]
    done = _form(
        operator, "/operator/markets/KXPF-WEB-RED/settle", {"result": "yes"}, follow_redirects=False
    )
    assert done.status_code == 303
    cash_after = holder.call("GET", "/api/positions").json()["summary"]["cashCents"]
    assert cash_after - cash_before == 1_000
    assert "$10.0000" in holder.call("GET", "/portfolio").text


def test_equity_curve_follows_cash_and_fills(ex: InProcessExchange) -> None:
    maker = _member(ex, "eq-maker@example.com")
    trader = _member(ex, "eq-trader@example.com", dollars=1000)
    ex.fake_clock.advance(5 * 1_000_000_000)
    sell = maker.call(
        "POST",
        "/api/limit-orders",
        {"optionId": T4, "side": "NO", "action": "BUY", "quantity": 10, "limitPriceCents": 55},
    )
    assert sell.status_code == 201
    bought = trader.call(
        "POST",
        "/api/trades",
        {"optionId": T4, "side": "YES", "action": "BUY", "quantity": 10, "priceCents": 45},
    )
    assert bought.status_code == 201, bought.text
    points = trader.call("GET", "/portfolio/equity").json()["points"]
    values = [p["v"] for p in points]
    # $1,000 deposited; then 10 YES at 45¢ ($4.50) and a fee of 0.07*10*0.45*0.55 = $0.17325:
    # cash $995.32675 plus 10 YES marked at 45¢ = $999.82675 -> 99,982 cents.
    assert values[0] == 100_000
    assert values[1] == 99_982
    summary = trader.call("GET", "/api/positions").json()["summary"]
    assert values[-1] == summary["equityCents"]


def test_the_demo_user_is_the_demos_operator(ex: InProcessExchange, tmp_path: Path) -> None:
    from augury.demo.platform_account import ensure_demo_account

    ex.admin("POST", "/users", {"name": "demo", "deposit": "10"})
    login = ex.portal.call(ensure_demo_account, ex.app.state.context, tmp_path)
    assert login is not None
    demo = ex.browser()
    assert demo.login(*login).status_code == 200
    assert demo.call("GET", "/operator").status_code == 200
    refused = ex.call(
        "POST",
        "/admin/v1/platform/operators",
        _other_key(ex),
        {"email": login[0], "enabled": False},
    )
    assert refused.status_code in (401, 403)  # only the operator key grants or removes it


def _other_key(ex: InProcessExchange) -> Key:
    body = ex.admin("POST", "/keys/generate", {"user": "demo", "type": "ed25519"})
    return Key(body["api_key_id"], body["private_key"])
