"""The seed API tests' exchange: ``tests.inprocess.running_exchange`` with a seed catalogue.

Accounts and tokens are made through the platform's own ``/api`` endpoints (each person a
``Browser`` from its own address), money through the operator's ``/admin/v1``; the seed API
is then used only as the contract describes, by ``SeedClient`` over ``seed_http``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.inprocess import BASE_URL, InProcessExchange, running_exchange
from tests.platform.world import FAST

__all__ = ["markets_catalog", "person", "seed_http", "serve"]

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


def person(
    exchange: InProcessExchange, dollars: str = "0", scopes: tuple[str, ...] = ("read", "write")
) -> tuple[str, str]:
    """Register a platform account, fund it, mint a token; return (account id, token)."""
    browser = exchange.browser()
    email = f"seed-{browser.address.replace('.', '-')}@example.org"
    browser.register(email, PASSWORD)
    login = browser.login(email, PASSWORD)
    assert login.status_code == 200, login.text
    token = browser.new_token(list(scopes))
    if dollars != "0":
        exchange.admin("POST", f"/users/{browser.user['id']}/deposit", {"amount": dollars})
    return browser.user["id"], token


def seed_http(exchange: InProcessExchange) -> httpx.Client:
    """A synchronous client into the app, for ``SeedClient(BASE_URL, token, http=...)``."""
    return httpx.Client(transport=exchange.sync_transport(), base_url=BASE_URL)


@contextmanager
def serve(tmp: Path, catalog: dict[str, Any]) -> Iterator[InProcessExchange]:
    """Run an in-process exchange with ``catalog`` loaded (platform on, no rate limits)."""
    with running_exchange(tmp / "data", catalog=catalog, platform=FAST, rate_limits=False) as ex:
        yield ex
