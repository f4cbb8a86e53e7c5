"""The platform's session cookie carries ``Secure`` when the server speaks TLS.

A real ``augury serve --tls-cert --tls-key`` (self-signed certificate for 127.0.0.1, made
as in ``test_transport_tls``): registering, logging in through ``/api/auth/login`` and
through the website's form, and logging out each set the cookie with ``Secure``,
``HttpOnly`` and ``SameSite=Lax``. The same calls on a plain-HTTP server set no ``Secure``
(a browser would drop such a cookie on http://). The attributes are read from the raw
``Set-Cookie`` header, as a browser reads them.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.security.net_harness import NetServer, running
from tests.security.test_transport_tls import self_signed

pytestmark = pytest.mark.process  # real servers in subprocesses

PASSWORD = "correct horse battery"


def _attributes(response: httpx.Response) -> dict[str, str]:
    """The session cookie's attributes (lower-cased names) from its Set-Cookie header."""
    headers = [
        h for h in response.headers.get_list("set-cookie") if h.startswith("augury_session=")
    ]
    assert len(headers) == 1, response.headers
    parts = [p.strip() for p in headers[0].split(";")[1:]]
    return {p.split("=", 1)[0].lower(): (p.split("=", 1)[1] if "=" in p else "") for p in parts}


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetServer]:
    files = self_signed(tmp_path_factory.mktemp("cookie-tls"))
    srv = NetServer(tmp_path_factory.mktemp("cookie-tls-serve") / "data", tls=files)
    with running(srv):
        yield srv


@pytest.fixture(scope="module")
def plain_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetServer]:
    srv = NetServer(tmp_path_factory.mktemp("cookie-plain-serve") / "data")
    with running(srv):
        yield srv


def _journey(server: NetServer, email: str) -> list[dict[str, str]]:
    """Register, log in (API), log out, log in (form): each response's cookie attributes."""
    seen = []
    made = server.http.post("/api/auth/register", json={"email": email, "password": PASSWORD})
    assert made.status_code == 201, made.text
    if any(h.startswith("augury_session=") for h in made.headers.get_list("set-cookie")):
        seen.append(_attributes(made))
    login = server.http.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    seen.append(_attributes(login))
    session = login.cookies["augury_session"]
    out = server.http.post(
        "/api/auth/logout",
        headers={
            "Cookie": f"augury_session={session}",
            "X-CSRF-Token": login.json()["csrfToken"],
        },
    )
    assert out.status_code in (200, 204), out.text
    seen.append(_attributes(out))
    form = server.http.post(
        "/login",
        data={"email": email, "password": PASSWORD, "next": "/"},
        headers={"Origin": server.url},
    )
    assert form.status_code == 303, form.text
    seen.append(_attributes(form))
    server.http.cookies.clear()
    return seen


def test_the_session_cookie_is_secure_over_tls(tls_server: NetServer) -> None:
    assert tls_server.url.startswith("https://")
    seen = _journey(tls_server, "tls-cookie@example.com")
    assert len(seen) >= 3
    for attributes in seen:
        assert "secure" in attributes, attributes
        assert "httponly" in attributes
        assert attributes["samesite"].lower() == "lax"
        assert attributes["path"] == "/"


def test_the_session_cookie_is_not_secure_over_plain_http(plain_server: NetServer) -> None:
    assert plain_server.url.startswith("http://")
    seen = _journey(plain_server, "plain-cookie@example.com")
    for attributes in seen:
        assert "secure" not in attributes, attributes
        assert "httponly" in attributes
        assert attributes["samesite"].lower() == "lax"
