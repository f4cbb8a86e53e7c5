"""What the content pages show, against figures worked out by hand.

A catalogue of three events made one after another (so "newest" has an order), in two
categories, with fee-free markets (so P&L is plain arithmetic), and a few trades either
side of a 24-hour gap. The markets page's results and order for every filter and sort,
its 24 h change, the leaderboard's rows, and the account page's actions (watch star,
password change, a token shown once, ending sessions, an avatar upload) are each
checked against values computed here or read back through ``/api``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image

from tests.inprocess import Browser, InProcessExchange
from tests.platform.world import serve

HOUR_NS = 3_600 * 1_000_000_000
GDP, SNOW, CPI = "KXC-GDP-Y", "KXW-SNOW-Y", "KXC-CPI-Y"
SERIES = {
    "series": [
        {"ticker": "KXC", "title": "Economy", "category": "Economics", "fee_multiplier": 0},
        {"ticker": "KXW", "title": "Weather", "category": "Weather", "fee_multiplier": 0},
    ]
}


def _event(series: str, event: str, title: str, close: str, rules: str) -> dict[str, Any]:
    return {
        "events": [{"event_ticker": event, "series_ticker": series, "title": title}],
        "markets": [
            {
                "ticker": f"{event}-Y",
                "event_ticker": event,
                "title": title,
                "yes_sub_title": "Yes",
                "open_time": "2026-01-01T00:00:00Z",
                "close_time": close,
                "rules_primary": rules,
            }
        ],
    }


@pytest.fixture(scope="module")
def ex(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessExchange]:
    with serve(tmp_path_factory.mktemp("web-content"), catalog=SERIES) as exchange:
        # Created an hour apart, in this order: GDP, SNOW, CPI (CPI is the newest).
        for entry in (
            _event("KXC", "KXC-GDP", "GDP growth above 3%?", "2029-01-01T00:00:00Z", "BEA"),
            _event(
                "KXW", "KXW-SNOW", "Snow in Paris?", "2027-06-01T00:00:00Z", "Station Montsouris"
            ),
            _event("KXC", "KXC-CPI", "CPI above 4%?", "2028-01-01T00:00:00Z", "BLS release"),
        ):
            exchange.fake_clock.advance(HOUR_NS)
            exchange.admin("POST", "/catalog", entry)
        yield exchange


def _member(ex: InProcessExchange, email: str, dollars: int = 0, **extra: Any) -> Browser:
    browser = ex.browser()
    browser.signup(email, dollars=dollars, **extra)
    return browser


def _buy(member: Browser, ticker: str, side: str, price: int, quantity: int) -> None:
    body = {
        "optionId": ticker,
        "side": side,
        "action": "BUY",
        "quantity": quantity,
        "limitPriceCents": price,
    }
    response = member.call("POST", "/api/limit-orders", body)
    assert response.status_code == 201, response.text


def _form(browser: Browser, path: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    fields = {"csrf_token": browser.csrf or "", **(data or {})}
    return browser.call("POST", path, data=fields, csrf=False, follow_redirects=False, **kw)


@pytest.fixture(scope="module")
def traders(ex: InProcessExchange) -> tuple[Browser, Browser]:
    """Ann and Ben trade; every order is fully crossed, so no book is left (a card's
    price is then the last trade)."""
    ann = _member(ex, "ann@example.com", 100, firstName="Ann")
    ben = _member(ex, "ben@example.com", 100, firstName="Ben")
    _buy(ann, GDP, "YES", 40, 10)  # Ann: +10 YES at 40
    _buy(ben, GDP, "NO", 60, 10)  # Ben: 10 NO at 60; trade at 40
    _buy(ann, CPI, "YES", 20, 3)  # Ann: +3 YES at 20
    _buy(ben, CPI, "NO", 80, 3)  # Ben: 3 NO at 80; trade at 20
    ex.fake_clock.advance(25 * HOUR_NS)
    _buy(ben, GDP, "YES", 55, 4)  # Ben bids 55 for 4 YES (closes 4 of his NO)
    _buy(ann, GDP, "NO", 45, 4)  # Ann sells 4 of her YES at 55; trade at 55
    return ann, ben


def _titles(html: str) -> list[str]:
    return re.findall(r'<h2 class="event-title"><a href="[^"]*">([^<]*)</a>', html)


def _card(html: str, ticker: str) -> tuple[str, str]:
    """(price, 24 h change) shown for one option."""
    found = re.search(
        rf'\?m={ticker}">[^<]*</a>\s*<span class="num option-price">([^<]*)</span>\s*'
        r'<span class="num small[^"]*">([^<]*)</span>',
        html,
    )
    assert found is not None, ticker
    return found.group(1), found.group(2)


def test_markets_page_filters_sorts_and_changes(
    ex: InProcessExchange, traders: tuple[Browser, Browser]
) -> None:
    page = ex.browser()

    def titles(**params: str) -> list[str]:
        response = page.call("GET", "/", params=params)
        assert response.status_code == 200
        return _titles(response.text)

    gdp, snow, cpi = "GDP growth above 3%?", "Snow in Paris?", "CPI above 4%?"
    # Volume: GDP 10 + 4 = 14 contracts, CPI 3, SNOW 0.
    assert titles() == [gdp, cpi, snow]
    assert titles(sort="volume") == [gdp, cpi, snow]
    # Closing soonest: SNOW (2027-06), CPI (2028-01), GDP (2029-01).
    assert titles(sort="closing") == [snow, cpi, gdp]
    # Newest first: the catalogue made them GDP, SNOW, CPI an hour apart.
    assert titles(sort="newest") == [cpi, snow, gdp]
    assert titles(category="Weather") == [snow]
    assert titles(category="Economics", sort="closing") == [cpi, gdp]
    assert titles(q="montsouris") == [snow]  # the rules are searched too
    assert titles(q="above") == [gdp, cpi]
    assert titles(q="no such words") == []
    html = page.call("GET", "/").text
    # GDP: last trade 55¢ now, 40¢ a day ago: +15¢. CPI: 20¢ then and now: 0¢. SNOW never
    # traded: no price, no change.
    assert _card(html, GDP) == ("55¢", "+15¢")
    assert _card(html, CPI) == ("20¢", "0¢")
    assert _card(html, SNOW) == ("—", "")
    assert "14 contracts traded" in html


def test_watch_star_toggles(ex: InProcessExchange) -> None:
    member = _member(ex, "watcher@example.com")

    def watched() -> list[str]:
        body = member.call("GET", "/api/watchlist").json()
        return [w["event"]["slug"] for w in body["events"]]

    slug = ex.browser().call("GET", "/api/events", params={"q": "snow"}).json()["events"][0]
    slug = slug["slug"]
    assert watched() == []
    starred = _form(member, f"/watch/{slug}", {"back": "/"}, headers={"HX-Request": "true"})
    assert starred.status_code == 200
    assert 'aria-pressed="true"' in starred.text
    assert watched() == [slug]
    assert "Snow in Paris?" in member.call("GET", "/watchlist").text
    unstarred = _form(member, f"/watch/{slug}", {"back": "/watchlist"})
    assert unstarred.status_code == 303
    assert unstarred.headers["location"] == "/watchlist"
    assert watched() == []


def test_leaderboard_rows(ex: InProcessExchange, traders: tuple[Browser, Browser]) -> None:
    html = ex.browser().call("GET", "/leaderboard").text
    rows = re.findall(
        r'<tr><td class="num">(\d+)</td>.*?@([^<\s]+)</span></th>\s*'
        r'<td class="num r[^"]*">([^<]*)</td>\s*<td class="num r">([^<]*)</td>'
        r'<td class="num r">([^<]*)</td></tr>',
        html,
        re.S,
    )
    # No fees. Ann bought 10 YES at 40¢ and sold 4 at 55¢: +4 x 15¢ = +$0.60 realised;
    # Ben held 10 NO at 60¢ and closed 4 by buying YES at 55¢ (a NO worth 45¢): -$0.60.
    # Each traded 10 + 3 + 4 = 17 contracts in 2 markets.
    ann, ben = (t.user["username"] for t in traders)
    assert rows[:2] == [
        ("1", ann, "+$0.60", "17", "2"),
        ("2", ben, "-$0.60", "17", "2"),
    ]
    assert len(rows) == 2


def test_password_change_ends_other_sessions(ex: InProcessExchange) -> None:
    member = _member(ex, "pw@example.com")
    other = ex.browser()
    assert other.login("pw@example.com").status_code == 200
    wrong = _form(
        member,
        "/account/password",
        {"current_password": "not it at all", "new_password": "a brand new passphrase"},
    )
    assert wrong.status_code == 400
    assert other.call("GET", "/portfolio").status_code == 200  # nothing changed
    changed = _form(
        member,
        "/account/password",
        {"current_password": "correct horse battery", "new_password": "a brand new passphrase"},
    )
    assert changed.status_code == 303
    # This browser was given a new session (the cookie was replaced) and stays signed in;
    # the other session is over; the old password no longer signs in, the new one does.
    assert member.call("GET", "/portfolio").status_code == 200
    assert other.call("GET", "/portfolio", follow_redirects=False).status_code == 303
    assert ex.browser().login("pw@example.com").status_code != 200
    assert ex.browser().login("pw@example.com", "a brand new passphrase").status_code == 200


def test_a_token_is_shown_once_then_gone(ex: InProcessExchange) -> None:
    member = _member(ex, "tokens@example.com")
    made = _form(member, "/account/tokens", {"name": "my script"})
    assert made.status_code == 200
    secret = re.search(r'id="token-secret">(pred_[^<]+)<', made.text)
    assert secret is not None
    assert "my script" in made.text
    again = member.call("GET", "/account").text
    assert secret.group(1) not in again
    assert "my script" in again
    bearer = ex.browser()
    bearer.token = secret.group(1)
    me = bearer.call("GET", "/api/auth/me")
    assert me.status_code == 200
    assert me.json()["user"]["email"] == "tokens@example.com"


def _session_ids(browser: Browser) -> list[tuple[str, bool]]:
    html = browser.call("GET", "/account").text
    ids = re.findall(r'<span class="mono">([0-9a-f]{12})</span>( · signed in [^<]*<span)?', html)
    return [(i, bool(current)) for i, current in ids]


def test_ending_sessions_from_the_account_page(ex: InProcessExchange) -> None:
    member = _member(ex, "sessions@example.com")
    laptop = ex.browser()
    assert laptop.login("sessions@example.com").status_code == 200
    sessions = _session_ids(member)
    assert len(sessions) == 2
    # The page marks which session is this browser's; end the other one.
    here = re.search(
        r'<span class="mono">([0-9a-f]{12})</span> · signed in [^<]*'
        r'<span class="chip chip-accent">this browser',
        member.call("GET", "/account").text,
    )
    assert here is not None
    (elsewhere,) = [i for i, _ in sessions if i != here.group(1)]
    _ = _form(member, f"/account/sessions/{elsewhere}/end")
    assert laptop.call("GET", "/portfolio", follow_redirects=False).status_code == 303
    assert member.call("GET", "/portfolio").status_code == 200
    # Ending one's own session signs this browser out.
    own = _form(member, f"/account/sessions/{here.group(1)}/end")
    assert own.status_code == 303
    assert own.headers["location"] == "/login"
    assert member.call("GET", "/portfolio", follow_redirects=False).status_code == 303


def test_avatar_upload_is_stored_and_served(ex: InProcessExchange) -> None:
    member = _member(ex, "avatar@example.com", firstName="Painter")
    username = member.user["username"]
    image = Image.new("RGB", (40, 30), (200, 30, 40))
    raw = io.BytesIO()
    image.save(raw, "PNG")
    uploaded = member.call(
        "POST",
        "/account/avatar",
        data={"csrf_token": member.csrf or ""},
        files={"file": ("me.png", raw.getvalue(), "image/png")},
        csrf=False,
        follow_redirects=False,
    )
    assert uploaded.status_code == 303, uploaded.text[-500:]
    profile = ex.browser().call("GET", f"/api/users/{username}").json()["profile"]
    assert profile["avatarUrl"]
    served = ex.browser().call("GET", profile["avatarUrl"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(served.content)) as stored:
        assert stored.size == (40, 30)
        assert stored.convert("RGB").getpixel((5, 5)) == (200, 30, 40)
    assert profile["avatarUrl"] in ex.browser().call("GET", f"/u/{username}").text
