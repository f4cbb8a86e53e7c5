"""A live page stops receiving a person's updates once their session ends.

The hub runs inside the in-process app (``tests.inprocess``): streams are opened
on it as ``GET /live`` opens them (a request carrying the session cookie), and the
session is then ended the ways a person or the operator ends it: a logout from the same
session elsewhere, a password change in another browser, and a suspension. After each,
the next change on the exchange must close the stream with nothing of the account in it,
while a stream whose session is still good keeps receiving its updates.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.requests import Request
from starlette.routing import Mount

from augury.platform import credentials
from augury.web import live
from augury.web.app import Web
from augury.web.live import Stream
from augury.web.session import viewer_of
from tests.inprocess import Browser, InProcessExchange
from tests.platform.world import serve

RAIN = "KXPF-RAIN-Y"
PASSWORD = "correct horse battery"


@pytest.fixture
def ex(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessExchange]:
    with serve(tmp_path_factory.mktemp("web-live-sessions")) as exchange:
        yield exchange


def _web(ex: InProcessExchange) -> Web:
    for route in ex.app.routes:
        if isinstance(route, Mount) and isinstance(route.app, Web):
            return route.app
    raise AssertionError("the web app is not mounted")


def _open(ex: InProcessExchange, browser: Browser, ticker: str | None = RAIN) -> Stream:
    """Open a stream as ``GET /live?m=`` does for this browser's cookie."""
    cookie = f"augury_session={browser.session}".encode()
    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "path": "/live",
        "query_string": b"",
        "headers": [(b"cookie", cookie)],
        "client": (browser.address, 1234),
        "app": ex.app,
        "state": {},
    }

    async def open_stream() -> Stream:
        request = Request(scope)
        viewer = await viewer_of(request)
        assert viewer is not None
        return _web(ex).live.open(request, viewer, ticker)

    return ex.portal.call(open_stream)


def _wait_for(ex: InProcessExchange, stream: Stream, event: str | None) -> list[str | None]:
    """Collect what the hub sends ``stream`` until a message of kind ``event`` arrives
    (None: until the stream is closed); 10 s at most."""

    async def wait() -> list[str | None]:
        out: list[str | None] = []
        async with asyncio.timeout(10):
            while True:
                message = await stream.queue.get()
                out.append(message)
                if message is None or (event and message.startswith(f"event: {event}\n")):
                    return out

    return ex.portal.call(wait)


def _events(messages: list[str | None]) -> set[str]:
    return {m.split("\n", 1)[0].removeprefix("event: ") for m in messages if m}


def _order(who: Browser, side: str, price: int) -> None:
    response = who.call(
        "POST",
        "/api/limit-orders",
        {"optionId": RAIN, "side": side, "action": "BUY", "quantity": 1, "limitPriceCents": price},
    )
    assert response.status_code == 201, response.text


def _member(ex: InProcessExchange, email: str) -> Browser:
    browser = ex.browser()
    browser.signup(email, dollars=100)
    return browser


def _second_session(ex: InProcessExchange, email: str) -> Browser:
    other = ex.browser()
    assert other.login(email, PASSWORD).status_code == 200
    return other


def _settled(ex: InProcessExchange, stream: Stream) -> None:
    """Wait for the updates the stream was sent on opening (the last is the badge)."""
    assert None not in _wait_for(ex, stream, "badge")


@pytest.mark.parametrize("how", ["logout", "password", "suspend"])
def test_a_stream_is_closed_when_its_session_ends(ex: InProcessExchange, how: str) -> None:
    alice = _member(ex, f"alice-{how}@example.com")
    bob = _member(ex, f"bob-{how}@example.com")
    _order(alice, "YES", 7)  # Alice bids 7 for one YES: Bob will fill it later
    alice_stream = _open(ex, alice)
    bob_stream = _open(ex, bob)
    _settled(ex, alice_stream)
    _settled(ex, bob_stream)
    if how == "logout":
        # The same session, signed out from another tab of the same browser.
        assert alice.call("POST", "/api/auth/logout").status_code in (200, 204)
    elif how == "password":
        elsewhere = _second_session(ex, f"alice-{how}@example.com")
        changed = elsewhere.call(
            "POST",
            "/account/password",
            data={
                "csrf_token": elsewhere.csrf or "",
                "current_password": PASSWORD,
                "new_password": "another long passphrase",
            },
            csrf=False,
            follow_redirects=False,
        )
        assert changed.status_code == 303, changed.text[:300]
    else:
        user_id = alice.user["id"]
        ex.admin("POST", f"/platform/users/{user_id}/suspend", {})
    # Bob sells Alice her YES (buys NO at 93): a fill of hers, and a trade in the market,
    # after her session ended.
    _order(bob, "NO", 93)
    got = _wait_for(ex, alice_stream, None)
    assert got[-1] is None, got  # the stream was closed ...
    assert {"mine", "badge", "portfolio"}.isdisjoint(_events(got))  # ... before any of it
    assert alice_stream.closed
    assert alice_stream not in _web(ex).live.streams
    # Bob's session is untouched: his stream still gets his update.
    assert None not in _wait_for(ex, bob_stream, "mine")
    assert not bob_stream.closed


def test_an_idle_stream_is_closed_at_its_heartbeat(
    ex: InProcessExchange, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing changes on the exchange: the heartbeat is what notices the ended session."""
    monkeypatch.setattr(live, "HEARTBEAT_S", 0.05)
    alice = _member(ex, "alice-idle@example.com")
    platform = ex.app.state.platform
    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "path": "/live",
        "query_string": b"",
        "headers": [(b"cookie", f"augury_session={alice.session}".encode())],
        "client": (alice.address, 1234),
        "app": ex.app,
        "state": {},
        "augury.web": _web(ex),
    }
    user_id = alice.user["id"]

    async def run() -> list[str]:
        response = await live.live_stream(Request(scope))
        body = response.body_iterator  # type: ignore[attr-defined]
        async with asyncio.timeout(10):
            while True:  # the opening updates, then the first heartbeat
                chunk = await body.__anext__()
                if chunk == ": ping\n\n":
                    break
            await platform.db.run(lambda tx: credentials.end_all_sessions(tx, user_id))
            return [chunk async for chunk in body]  # ends: no further ping

    rest = ex.portal.call(run)
    assert ": ping\n\n" not in rest
    assert not any(s.viewer and s.viewer.user_id == user_id for s in _web(ex).live.streams)
