"""An in-process exchange with the platform, on a fake clock, and browser-like callers.

The app runs on an event loop in a portal thread (its lifespan included); requests go
through ``httpx.ASGITransport``, so no socket is involved. A ``Browser`` keeps one
caller's session cookie and CSRF token (or bearer token) and sends them the way a browser
or an API client would.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal
from starlette.applications import Starlette

from augury.api.app import OPERATOR_KEY_FILE, OPERATOR_KEY_ID_FILE, create_app
from augury.api.auth import signing_headers
from augury.api.settings import Settings
from augury.platform.settings import PlatformSettings
from augury.runtime.clock import FakeClock

# Cheap argon2 so a test can register many accounts; production uses the defaults.
FAST = PlatformSettings(argon2_time_cost=1, argon2_memory_kib=64, argon2_parallelism=1)
S = 1_000_000_000

CATALOG: dict[str, Any] = {
    "series": [
        {
            "ticker": "KXPF",
            "title": "Platform series",
            "category": "Economics",
            "fee_type": "quadratic",
            "fee_multiplier": 1,
        },
    ],
    "events": [
        {
            "event_ticker": "KXPF-RATES",
            "series_ticker": "KXPF",
            "title": "Fed rate in December",
            "sub_title": "Dec 2026",
        },
        {
            "event_ticker": "KXPF-RAIN",
            "series_ticker": "KXPF",
            "title": "Rain in London tomorrow?",
            "sub_title": "Tomorrow",
        },
    ],
    "markets": [
        {
            "ticker": "KXPF-RATES-T4",
            "event_ticker": "KXPF-RATES",
            "title": "Above 4%?",
            "yes_sub_title": "Above 4%",
            "open_time": "2026-01-01T00:00:00Z",
            "close_time": "2030-01-01T00:00:00Z",
            "rules_primary": "Resolves yes if the upper bound of the target range exceeds 4%.",
        },
        {
            "ticker": "KXPF-RATES-T5",
            "event_ticker": "KXPF-RATES",
            "title": "Above 5%?",
            "yes_sub_title": "Above 5%",
            "open_time": "2026-01-01T00:00:00Z",
            "close_time": "2030-01-01T00:00:00Z",
            "rules_primary": "Resolves yes if the upper bound of the target range exceeds 5%.",
        },
        {
            "ticker": "KXPF-RAIN-Y",
            "event_ticker": "KXPF-RAIN",
            "title": "Rain?",
            "yes_sub_title": "Rain",
            "open_time": "2026-01-01T00:00:00Z",
            "close_time": "2030-01-01T00:00:00Z",
            "rules_primary": "Resolves yes if the Met Office records precipitation at Heathrow.",
        },
    ],
}


class Exchange:
    """The in-process server, the fake clock and the operator's signed calls."""

    def __init__(
        self,
        portal: BlockingPortal,
        client: httpx.AsyncClient,
        clock: FakeClock,
        data: Path,
        app: Starlette | None = None,
    ) -> None:
        self.app = app
        self.portal = portal
        self.client = client
        self.clock = clock
        self.data = data
        self.operator = (
            (data / OPERATOR_KEY_ID_FILE).read_text().strip(),
            (data / OPERATOR_KEY_FILE).read_text(),
        )
        self._browsers = 0
        self.clients: list[httpx.AsyncClient] = []

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        call = functools.partial(self.client.request, method, path, **kwargs)
        response: httpx.Response = self.portal.call(call)
        return response

    def signed(
        self, method: str, path: str, key: tuple[str, str], body: Any = None
    ) -> httpx.Response:
        ts_ms = self.clock.now_ns() // 1_000_000
        headers = signing_headers(key[1], key[0], method, path.split("?")[0], ts_ms)
        content = None if body is None else json.dumps(body).encode()
        if content is not None:
            headers["Content-Type"] = "application/json"
        return self.request(method, path, content=content, headers=headers)

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        response = self.signed(method, f"/admin/v1{path}", self.operator, body)
        assert response.status_code < 300, response.text
        return response.json()

    def browser(self, address: str | None = None) -> Browser:
        """A new caller, from its own peer address (10.0.0.N unless given)."""
        self._browsers += 1
        return Browser(self, address or f"10.0.{self._browsers // 250}.{self._browsers % 250}")

    def client_for(self, address: str) -> httpx.AsyncClient:
        assert self.app is not None
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app, client=(address, 1234)),
            base_url="http://augury",
        )
        self.clients.append(client)
        return client

    def state(self) -> tuple[int, str]:
        report = self.admin("GET", "/state")
        return report["last_seq"], report["state_digest"]


class Browser:
    """One caller: a session cookie and its CSRF token, or a bearer token."""

    def __init__(self, exchange: Exchange, address: str) -> None:
        self.exchange = exchange
        self.address = address
        self.session: str | None = None
        self.csrf: str | None = None
        self.token: str | None = None
        self.user: dict[str, Any] = {}
        self.client = exchange.client_for(address)

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        csrf: bool = True,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if self.token is not None:
            sent.setdefault("Authorization", f"Bearer {self.token}")
        if self.session is not None:
            sent["Cookie"] = f"augury_session={self.session}"
            if csrf and self.csrf and method not in ("GET", "HEAD"):
                sent.setdefault("X-CSRF-Token", self.csrf)
        if body is not None:
            kwargs["content"] = json.dumps(body).encode()
            sent.setdefault("Content-Type", "application/json")
        transport_client = self.client
        transport_client.cookies.clear()  # the session is sent by hand, as set above
        call = functools.partial(transport_client.request, method, path, headers=sent, **kwargs)
        response: httpx.Response = self.exchange.portal.call(call)
        cookie = response.cookies.get("augury_session")
        if cookie:
            self.session = cookie
        return response

    def register(
        self, email: str, password: str = "correct horse battery", **extra: Any
    ) -> dict[str, Any]:
        response = self.call(
            "POST", "/api/auth/register", {"email": email, "password": password, **extra}
        )
        assert response.status_code == 201, response.text
        user: dict[str, Any] = response.json()["user"]
        return user

    def login(self, email: str, password: str = "correct horse battery") -> httpx.Response:
        response = self.call("POST", "/api/auth/login", {"email": email, "password": password})
        if response.status_code == 200:
            self.csrf = response.json()["csrfToken"]
            self.user = response.json()["user"]
        return response

    def signup(self, email: str, dollars: int = 0, **extra: Any) -> dict[str, Any]:
        """Register, log in, and have the operator fund the account."""
        self.register(email, **extra)
        assert self.login(email).status_code == 200
        if dollars:
            self.exchange.admin(
                "POST", f"/users/{self.user['id']}/deposit", {"amount": str(dollars)}
            )
        return self.user

    def new_token(self, scopes: list[str] | None = None) -> str:
        response = self.call(
            "POST", "/api/me/tokens", {"name": "test", "scopes": scopes or ["read", "write"]}
        )
        assert response.status_code == 201, response.text
        secret: str = response.json()["secret"]
        return secret


@contextmanager
def serve(
    tmp: Path, platform: PlatformSettings = FAST, catalog: dict[str, Any] | None = None, **kw: Any
) -> Iterator[Exchange]:
    """Run an in-process exchange with the catalog loaded.

    The engine is ``AUGURY_TEST_ENGINE`` (``native`` or ``python``) when set, else the
    default (native where built), unless the caller passes ``engine=``.
    """
    clock = FakeClock()
    kw.setdefault("engine", os.environ.get("AUGURY_TEST_ENGINE") or None)
    settings = Settings(data_dir=tmp, platform=platform, rate_limits=False, **kw)
    app = create_app(settings, clock)
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(app.router.lifespan_context(app)),
    ):
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("10.9.9.9", 1234)),
            base_url="http://augury",
        )
        exchange = Exchange(portal, client, clock, tmp, app)
        try:
            exchange.admin("POST", "/catalog", catalog or CATALOG)
            yield exchange
        finally:
            for made in [client, *exchange.clients]:
                portal.call(made.aclose)
