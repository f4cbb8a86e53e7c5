"""Preferences, avatars, notes, the watchlist, public profiles and the leaderboard endpoint."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from PIL import Image

from tests.inprocess import Browser, InProcessExchange
from tests.platform.world import serve


@pytest.fixture(scope="module")
def ex(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessExchange]:
    with serve(tmp_path_factory.mktemp("profile")) as exchange:
        yield exchange


def _image(fmt: str, size: tuple[int, int] = (40, 30), **save: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(out, fmt, **save)
    return out.getvalue()


def upload(b: Browser, data: bytes, name: str = "a.png") -> tuple[int, dict[str, object]]:
    response = b.call("POST", "/api/me/avatar", files={"file": (name, data, "image/png")})
    return response.status_code, response.json()


def test_preferences_round_trip(ex: InProcessExchange) -> None:
    b = ex.browser()
    b.signup("prefs@example.com", firstName="Grace")
    prefs = b.call("GET", "/api/me/preferences").json()
    assert prefs["darkMode"] is False
    assert all(prefs["notifications"].values())
    changed = b.call(
        "PATCH",
        "/api/me/preferences",
        {"bio": "line one\nline two", "darkMode": True, "notifications": {"settlement": False}},
    ).json()
    assert changed["bio"] == "line one\nline two"
    assert changed["darkMode"] is True
    assert changed["notifications"]["settlement"] is False
    assert changed["notifications"]["fill"] is True
    assert changed["firstName"] == "Grace"
    too_long = b.call("PATCH", "/api/me/preferences", {"bio": "x" * 501})
    assert too_long.status_code == 400
    assert b.call("PATCH", "/api/me/preferences", {"colour": "red"}).status_code == 400


def test_avatar_is_re_encoded_without_metadata(ex: InProcessExchange) -> None:
    b = ex.browser()
    user = b.signup("avatar@example.com")
    exif = Image.Exif()
    exif[0x010E] = "secret description"  # ImageDescription
    exif[0x013B] = "secret artist"  # Artist
    jpeg = _image("JPEG", (600, 300), exif=exif.tobytes())
    status, body = upload(b, jpeg, "me.jpg")
    assert status == 201, body
    served = b.call("GET", str(body["avatarUrl"]))
    assert served.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(served.content)) as image:
        assert image.format == "PNG"
        assert max(image.size) == 256
        assert not image.getexif()
        assert not image.info.get("exif")
    assert b"secret description" not in served.content
    assert b"secret artist" not in served.content
    profile = ex.browser().call("GET", f"/api/users/{user['username']}").json()["profile"]
    assert profile["avatarUrl"] == body["avatarUrl"]


def test_avatar_refusals(ex: InProcessExchange) -> None:
    b = ex.browser()
    b.signup("badavatar@example.com")
    assert upload(b, b"<html>not an image</html>")[0] == 400
    assert upload(b, _image("BMP"))[0] == 400  # a real image, but not an accepted format
    oversize = b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * 1024 * 1024 + 1)
    assert upload(b, oversize)[0] == 413
    # A tiny file that declares a huge image (a decompression bomb): refused from its header.
    bomb = _image("PNG", (5000, 5000))
    assert len(bomb) < 2 * 1024 * 1024
    status, body = upload(b, bomb)
    assert status == 400
    assert "pixels" in str(body["error"])
    # CSRF: a cookie-authenticated upload without the token is refused.
    response = b.call(
        "POST", "/api/me/avatar", files={"file": ("a.png", _image("PNG"), "image/png")}, csrf=False
    )
    assert response.status_code == 403


def test_notes_and_watchlist(ex: InProcessExchange) -> None:
    b = ex.browser()
    b.signup("notes-watch@example.com")
    created = b.call(
        "POST", "/api/me/trade-notes", {"body": "<b>buy</b> the dip", "optionId": "KXPF-RAIN-Y"}
    )
    assert created.status_code == 201
    note = created.json()["note"]
    assert note["body"] == "<b>buy</b> the dip"
    listed = b.call("GET", "/api/me/trade-notes", params={"optionId": "KXPF-RAIN-Y"}).json()
    assert [n["id"] for n in listed["notes"]] == [note["id"]]
    assert b.call("DELETE", f"/api/me/trade-notes/{note['id']}").status_code == 200
    assert b.call("DELETE", f"/api/me/trade-notes/{note['id']}").status_code == 404
    watched = b.call("POST", "/api/watchlist", {"eventSlug": "rain-in-london-tomorrow"})
    assert watched.status_code == 200
    assert [w["event"]["id"] for w in watched.json()["events"]] == ["KXPF-RAIN"]
    assert b.call("POST", "/api/watchlist", {"eventSlug": "nope"}).status_code == 404
    assert b.call("DELETE", "/api/watchlist/rain-in-london-tomorrow").status_code == 200
    assert b.call("GET", "/api/watchlist").json()["events"] == []


def test_leaderboard_ranks_realised_profit(ex: InProcessExchange) -> None:
    winner, loser = ex.browser(), ex.browser()
    winner.signup("winner@example.com", dollars=100, firstName="Win")
    loser.signup("loser@example.com", dollars=100, firstName="Lose")
    order = {
        "optionId": "KXPF-RATES-T4",
        "side": "NO",
        "action": "BUY",
        "quantity": 10,
        "limitPriceCents": 50,
    }
    assert loser.call("POST", "/api/limit-orders", order).status_code == 201
    trade = {
        "optionId": "KXPF-RATES-T4",
        "side": "YES",
        "action": "BUY",
        "quantity": 10,
        "priceCents": 50,
    }
    assert winner.call("POST", "/api/trades", trade).status_code == 201
    ex.admin("POST", "/markets/KXPF-RATES-T4/settle", {"result": "yes"})
    board = ex.browser().call("GET", "/api/leaderboard", params={"metric": "profit"}).json()
    ranked = {row["username"]: row for row in board["standings"]}
    win, lose = ranked[winner.user["username"]], ranked[loser.user["username"]]
    # Winner: +$5.00 less the taker fee (7% x 10 x .5 x .5 = 17.5c); loser: -$5.00 (maker
    # orders pay no fee in a quadratic series).
    assert win["profitCents"] == 500 - 18
    assert lose["profitCents"] == -500
    assert win["rank"] < lose["rank"]
    assert win["volume"] == 10
    assert win["predictions"] == 1
    profile = ex.browser().call("GET", f"/api/users/{winner.user['username']}").json()
    assert profile["profile"]["stats"]["profitCents"] == 500 - 18
    assert profile["profile"]["displayName"] == "Win"
    assert "email" not in str(profile)
