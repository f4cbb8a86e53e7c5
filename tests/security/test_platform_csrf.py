"""CSRF: every state change authenticated by the session cookie needs the session's token."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.inprocess import Browser, InProcessExchange
from tests.platform.world import serve
from tests.security.test_platform_scopes import SESSION_ONLY, WRITES


@pytest.fixture(scope="module")
def session(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[InProcessExchange, Browser]]:
    with serve(tmp_path_factory.mktemp("csrf")) as ex:
        b = ex.browser()
        b.signup("csrf@example.com", dollars=10)
        yield ex, b


@pytest.mark.parametrize(("method", "path", "body"), [*WRITES, *SESSION_ONLY])
def test_without_the_token_nothing_changes(
    session: tuple[InProcessExchange, Browser], method: str, path: str, body: object
) -> None:
    ex, b = session
    ex.fake_clock.advance(61 * 1_000_000_000)  # a fresh minute of the 60-request budget
    before = ex.state()
    missing = b.call(method, path, body, csrf=False)
    assert missing.status_code == 403
    assert "CSRF" in missing.json()["error"]
    wrong = b.call(method, path, body, csrf=False, headers={"X-CSRF-Token": "x" * 43})
    assert wrong.status_code == 403
    assert ex.state() == before
    assert b.call("GET", "/api/auth/me").status_code == 200  # still signed in


def test_another_sessions_token_does_not_work(session: tuple[InProcessExchange, Browser]) -> None:
    ex, b = session
    ex.fake_clock.advance(61 * 1_000_000_000)
    intruder = ex.browser()
    intruder.signup("intruder@example.com")
    response = b.call(
        "POST",
        "/api/me/trade-notes",
        {"body": "x"},
        csrf=False,
        headers={"X-CSRF-Token": intruder.csrf or ""},
    )
    assert response.status_code == 403


def test_login_and_register_from_another_origin_are_refused(
    session: tuple[InProcessExchange, Browser],
) -> None:
    ex, _ = session
    anon = ex.browser()
    evil = {"Origin": "https://evil.example"}
    body = {"email": "csrf@example.com", "password": "correct horse battery"}
    assert anon.call("POST", "/api/auth/login", body, headers=evil).status_code == 403
    register = {"email": "victim@example.com", "password": "correct horse battery"}
    assert anon.call("POST", "/api/auth/register", register, headers=evil).status_code == 403
    same = {"Origin": "http://augury"}
    assert anon.call("POST", "/api/auth/login", body, headers=same).status_code == 200
