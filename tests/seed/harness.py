"""An in-process exchange (Starlette's TestClient, a fake clock) for the seed API tests.

Accounts and tokens are made through the platform's own ``/api`` endpoints, money through
the operator's ``/admin/v1``; the seed API is then used only as the contract describes.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from augury.api.app import OPERATOR_KEY_FILE, OPERATOR_KEY_ID_FILE, create_app
from augury.api.auth import signing_headers
from augury.api.settings import Settings
from augury.runtime.clock import FakeClock
from tests.platform.world import FAST

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

PASSWORD = "correct horse battery"


def markets_catalog(count: int) -> dict[str, Any]:
    """A series with one event of ``count`` open markets, ``KXSEED-M000`` upwards."""
    return {
        "series": [
            {"ticker": "KXSEED", "title": "Seed", "fee_type": "quadratic", "fee_multiplier": 1}
        ],
        "events": [{"event_ticker": "KXSEED-E", "series_ticker": "KXSEED", "title": "Seed"}],
        "markets": [
            {
                "ticker": f"KXSEED-M{i:03d}",
                "event_ticker": "KXSEED-E",
                "title": f"Market {i}",
                "open_time": "2026-01-01T00:00:00Z",
                "close_time": "2030-01-01T00:00:00Z",
            }
            for i in range(count)
        ],
    }


class Exchange:
    """The in-process server, its fake clock, and the operator's signed calls."""

    def __init__(self, http: TestClient, clock: FakeClock, data: Path) -> None:
        self.http = http
        self.clock = clock
        self.operator = (
            (data / OPERATOR_KEY_ID_FILE).read_text().strip(),
            (data / OPERATOR_KEY_FILE).read_text(),
        )
        self._people = 0

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        full = f"/admin/v1{path}"
        ts_ms = self.clock.now_ns() // 1_000_000
        headers = signing_headers(self.operator[1], self.operator[0], method, full, ts_ms)
        response = self.http.request(method, full, json=body, headers=headers)
        assert response.status_code < 300, response.text
        return response.json()

    def person(
        self, dollars: str = "0", scopes: tuple[str, ...] = ("read", "write")
    ) -> tuple[str, str]:
        """Register a platform account, fund it, mint a token; return (account id, token)."""
        self._people += 1
        email = f"seed{self._people}@example.org"
        address = (f"10.7.0.{self._people}", 1234)
        self.http.client = address
        made = self.http.post("/api/auth/register", json={"email": email, "password": PASSWORD})
        assert made.status_code == 201, made.text
        login = self.http.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        user_id: str = login.json()["user"]["id"]
        csrf = login.json()["csrfToken"]
        minted = self.http.post(
            "/api/me/tokens",
            json={"name": "seed", "scopes": list(scopes)},
            headers={"X-CSRF-Token": csrf},
        )
        assert minted.status_code == 201, minted.text
        self.http.cookies.clear()
        if dollars != "0":
            self.admin("POST", f"/users/{user_id}/deposit", {"amount": dollars})
        return user_id, minted.json()["secret"]


@contextmanager
def serve(tmp: Path, catalog: dict[str, Any]) -> Iterator[Exchange]:
    """Run an in-process exchange with ``catalog`` loaded."""
    clock = FakeClock()
    data = tmp / "data"
    app = create_app(Settings(data_dir=data, platform=FAST, rate_limits=False), clock)
    with TestClient(app) as http:
        exchange = Exchange(http, clock, data)
        exchange.admin("POST", "/catalog", catalog)
        yield exchange
