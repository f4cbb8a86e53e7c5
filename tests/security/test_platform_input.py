"""Oversize bodies and uploads are refused; HTML in every text field is stored and
returned as data (JSON strings, never markup); every reply says nosniff."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from PIL import Image

from tests.inprocess import Browser, InProcessExchange
from tests.platform.world import serve

HTML = '<script>alert("x")</script><img src=x onerror=alert(1)>&amp;'


@pytest.fixture(scope="module")
def ex(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessExchange]:
    with serve(tmp_path_factory.mktemp("input")) as exchange:
        yield exchange


def _user(ex: InProcessExchange, email: str) -> Browser:
    b = ex.browser()
    b.signup(email)
    return b


def test_a_json_body_over_64_kib_is_413(ex: InProcessExchange) -> None:
    b = _user(ex, "big@example.com")
    before = ex.state()
    body = {"body": "x" * (70 * 1024)}
    assert b.call("POST", "/api/me/trade-notes", body).status_code == 413
    # Without a Content-Length (chunked), the limit holds while streaming.

    async def chunks() -> object:
        for _ in range(80):
            yield b"x" * 1024

    chunked = b.call(
        "POST",
        "/api/me/trade-notes",
        csrf=True,
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert chunked.status_code == 413
    assert ex.state() == before


def test_an_avatar_over_2_mb_is_413_before_decoding(ex: InProcessExchange) -> None:
    b = _user(ex, "bigavatar@example.com")
    huge = b"\xff\xd8\xff" + b"\0" * (3 * 1024 * 1024)
    response = b.call("POST", "/api/me/avatar", files={"file": ("a.jpg", huge, "image/jpeg")})
    assert response.status_code == 413
    assert b.call("GET", "/api/auth/me").json()["user"]["avatarUrl"] is None


def test_an_image_disguised_as_another_type_is_still_re_encoded(ex: InProcessExchange) -> None:
    b = _user(ex, "disguise@example.com")
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    payload = out.getvalue() + HTML.encode()  # trailing markup after a valid GIF
    response = b.call("POST", "/api/me/avatar", files={"file": ("a.html", payload, "text/html")})
    assert response.status_code == 201
    served = b.call("GET", response.json()["avatarUrl"])
    assert served.headers["content-type"] == "image/png"
    assert HTML.encode() not in served.content
    assert served.headers["x-content-type-options"] == "nosniff"


def test_html_in_every_text_field_is_data(ex: InProcessExchange) -> None:
    b = ex.browser()
    user = b.register(
        "html@example.com", firstName=HTML[:64], lastName=HTML[:64], inviteCode=HTML[:64]
    )
    assert user["firstName"] == HTML[:64]
    assert user["lastName"] == HTML[:64]
    assert b.login("html@example.com").status_code == 200
    prefs = b.call("PATCH", "/api/me/preferences", {"bio": HTML}).json()
    assert prefs["bio"] == HTML
    note = b.call("POST", "/api/me/trade-notes", {"body": HTML}).json()["note"]
    assert note["body"] == HTML
    token = b.call("POST", "/api/me/tokens", {"name": HTML[:64]}).json()["token"]
    assert token["name"] == HTML[:64]
    key = b.call("POST", "/api/me/api-keys", {"name": HTML[:64]}).json()["apiKey"]
    assert key["name"] == HTML[:64]
    for path in (
        "/api/auth/me",
        "/api/me/preferences",
        "/api/me/trade-notes",
        "/api/me/tokens",
        f"/api/users/{user['username']}",
    ):
        response = b.call("GET", path)
        assert response.headers["content-type"] == "application/json"
        assert response.headers["x-content-type-options"] == "nosniff"
    profile = b.call("GET", f"/api/users/{user['username']}").json()["profile"]
    assert profile["bio"] == HTML
    assert profile["displayName"] == HTML[:64]


def test_control_characters_are_refused(ex: InProcessExchange) -> None:
    b = _user(ex, "control@example.com")
    assert b.call("PATCH", "/api/me/preferences", {"firstName": "a\u0000b"}).status_code == 400
    assert b.call("POST", "/api/me/trade-notes", {"body": "bell\u0007"}).status_code == 400
    assert b.call("POST", "/api/me/trade-notes", {"body": "two\nlines"}).status_code == 201


def test_unknown_fields_and_wrong_types_are_400(ex: InProcessExchange) -> None:
    b = _user(ex, "types@example.com")
    cases = [
        {
            "optionId": "KXPF-RAIN-Y",
            "side": "YES",
            "action": "BUY",
            "quantity": 1.5,
            "priceCents": 50,
        },
        {
            "optionId": "KXPF-RAIN-Y",
            "side": "MAYBE",
            "action": "BUY",
            "quantity": 1,
            "priceCents": 50,
        },
        {
            "optionId": "KXPF-RAIN-Y",
            "side": "YES",
            "action": "BUY",
            "quantity": 1,
            "priceCents": 100,
        },
        {
            "optionId": "KXPF-RAIN-Y",
            "side": "YES",
            "action": "BUY",
            "quantity": "1.005",
            "priceCents": 50,
        },
        {
            "optionId": "KXPF-RAIN-Y",
            "side": "YES",
            "action": "BUY",
            "quantity": 0,
            "priceCents": 50,
        },
        {
            "optionId": "KXPF-RAIN-Y",
            "side": "YES",
            "action": "BUY",
            "quantity": 1,
            "priceCents": 50,
            "extra": 1,
        },
    ]
    before = ex.state()
    for body in cases:
        response = b.call("POST", "/api/trades", body)
        assert response.status_code == 400, body
        assert set(response.json()) == {"error"}
    assert ex.state() == before
    assert b.call("GET", "/api/events", params={"limit": "1000"}).status_code == 400
    assert b.call("GET", "/api/nope").json() == {"error": "not found"}
    assert b.call("PUT", "/api/events").status_code == 405
