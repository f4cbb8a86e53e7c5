"""Accounts, sessions and tokens through the in-process app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.inprocess import InProcessExchange
from tests.platform.world import serve


@pytest.fixture(scope="module")
def ex(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessExchange]:
    with serve(tmp_path_factory.mktemp("accounts")) as exchange:
        yield exchange


def test_register_login_me_logout(ex: InProcessExchange) -> None:
    b = ex.browser()
    user = b.register("  Ada@Example.COM ", firstName="Ada")
    assert user["email"] == "ada@example.com"
    assert user["username"].startswith("ada-")
    assert b.call("GET", "/api/auth/me").status_code == 401
    assert b.login("ADA@example.com").status_code == 200
    me = b.call("GET", "/api/auth/me").json()
    assert me["user"]["id"] == user["id"]
    assert me["auth"] == "session"
    assert me["csrfToken"] == b.csrf
    # The exchange user exists, with the account's id.
    users = {u["user_id"]: u for u in ex.admin("GET", "/users")["users"]}
    assert users[user["id"]]["name"] == "platform:" + user["id"]
    assert b.call("POST", "/api/auth/logout").status_code == 200
    assert b.call("GET", "/api/auth/me").status_code == 401


def test_duplicate_email_is_409_and_short_password_400(ex: InProcessExchange) -> None:
    b = ex.browser()
    b.register("dup@example.com")
    response = b.call(
        "POST", "/api/auth/register", {"email": "DUP@example.com", "password": "another one!"}
    )
    assert response.status_code == 409
    response = b.call("POST", "/api/auth/register", {"email": "x@example.com", "password": "short"})
    assert response.status_code == 400
    assert response.json()["error"].startswith("password must be at least")


def test_session_cookie_flags(ex: InProcessExchange) -> None:
    b = ex.browser()
    b.register("cookie@example.com")
    response = b.call(
        "POST",
        "/api/auth/login",
        {"email": "cookie@example.com", "password": "correct horse battery"},
    )
    header = response.headers["set-cookie"].lower()
    assert "httponly" in header
    assert "samesite=lax" in header
    assert "path=/" in header
    assert "secure" not in header  # plain http here; https requests get Secure


def test_tokens_shown_once_scoped_and_revocable(ex: InProcessExchange) -> None:
    b = ex.browser()
    b.signup("tok@example.com")
    secret = b.new_token(["read"])
    assert secret.startswith("pred_")
    assert len(secret) == 45
    listed = b.call("GET", "/api/me/tokens").json()["tokens"]
    assert secret not in str(listed)
    api = ex.browser()
    api.token = secret
    assert api.call("GET", "/api/auth/me").json()["scopes"] == ["read"]
    assert api.call("POST", "/api/me/tokens", {"name": "x"}).status_code == 403
    token_id = listed[0]["id"]
    assert b.call("DELETE", f"/api/me/tokens/{token_id}").status_code == 200
    assert api.call("GET", "/api/auth/me").status_code == 401


def test_password_change_ends_other_sessions(ex: InProcessExchange) -> None:
    first, second = ex.browser(), ex.browser()
    first.signup("pw@example.com")
    assert second.login("pw@example.com").status_code == 200
    response = first.call(
        "POST",
        "/api/auth/password",
        {"currentPassword": "correct horse battery", "newPassword": "a brand new secret"},
    )
    assert response.status_code == 200
    assert first.call("GET", "/api/auth/me").status_code == 200
    assert second.call("GET", "/api/auth/me").status_code == 401
    assert second.login("pw@example.com").status_code == 401
    assert second.login("pw@example.com", "a brand new secret").status_code == 200


def test_accounts_survive_a_restart(tmp_path: Path) -> None:
    with serve(tmp_path / "d") as ex:
        b = ex.browser()
        user = b.signup("keep@example.com")
        secret = b.new_token()
    with serve(tmp_path / "d", catalog={"series": [], "events": [], "markets": []}) as ex:
        api = ex.browser()
        api.token = secret
        assert api.call("GET", "/api/auth/me").json()["user"]["id"] == user["id"]
