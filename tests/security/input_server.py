"""A real ``augury serve`` with a catalog and two funded users, for the input-domain tests.

``Exchange`` wraps ``tests.e2e.server_harness.Server``: signed calls as alice or bob (or
raw bytes, for bodies that are not JSON), the operator's ``/admin/v1/state`` (last
journaled seq and state digest), and the newest journal record read straight from the
store, to show how much a refused request wrote.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx

from augury.api.auth import signing_headers
from tests.e2e.server_harness import CATALOG, Server

__all__ = ["M1", "M2", "V2_ORDERS", "Exchange", "order_body"]

M1, M2 = "KXTEST-26DEC-T1", "KXTEST-26DEC-T2"
V2_ORDERS = "/trade-api/v2/portfolio/events/orders"


def order_body(**fields: Any) -> dict[str, Any]:
    """A valid V2 create body (a 1-contract GTC bid at $0.10 on M1), with overrides."""
    body: dict[str, Any] = {
        "ticker": M1,
        "side": "bid",
        "count": "1",
        "price": "0.10",
        "time_in_force": "good_till_canceled",
        "self_trade_prevention_type": "taker_at_cross",
    }
    body.update(fields)
    return body


class Exchange:
    """One server on its own data directory (and store: SQLite there unless ``db`` names
    another), with alice and bob funded with $1,000."""

    def __init__(self, data: Path, extra: list[str] | None = None, db: str | None = None) -> None:
        self.server = Server(data, extra=extra, db=db)
        self.server.start()
        self.server.admin("POST", "/catalog", CATALOG)
        self.keys = {name: self.server.user(name, "1000") for name in ("alice", "bob")}

    @property
    def data(self) -> Path:
        return self.server.data

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        user: str = "alice",
        params: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """Send a request signed as ``user`` (JSON body)."""
        key_id, pem = self.keys[user]
        return self.server.signed(method, path, key_id, pem, body, params)

    def raw(
        self, method: str, path: str, content: bytes, *, user: str | None = "alice"
    ) -> httpx.Response:
        """Send raw body bytes, signed as ``user`` (or as the operator when None)."""
        if user is None:
            key_id = (self.data / "operator_key_id").read_text().strip()
            pem = (self.data / "operator_key.pem").read_text()
        else:
            key_id, pem = self.keys[user]
        headers = signing_headers(pem, key_id, method, path, int(time.time() * 1000))
        headers["Content-Type"] = "application/json"
        return self.server.http.request(method, path, content=content, headers=headers)

    def admin_raw(self, method: str, path: str, body: Any = None) -> httpx.Response:
        """An operator call that returns the response whatever its status."""
        key_id = (self.data / "operator_key_id").read_text().strip()
        pem = (self.data / "operator_key.pem").read_text()
        return self.server.signed(method, f"/admin/v1{path}", key_id, pem, body)

    def state(self) -> dict[str, Any]:
        """``{"last_seq", "state_digest"}`` from the operator API."""
        result: dict[str, Any] = self.server.admin("GET", "/state")
        return result

    def last_record_size(self) -> int:
        """Return the byte size of the newest journal record (read-only, beside the server)."""
        with sqlite3.connect(f"file:{self.data / 'augury.db'}?mode=ro", uri=True) as db:
            (size,) = db.execute(
                "SELECT length(payload) FROM journal ORDER BY seq DESC LIMIT 1"
            ).fetchone()
        return int(size)

    def restart(self) -> None:
        """Stop cleanly and start again on the same data."""
        self.server.stop()
        self.server.start()

    def close(self) -> None:
        self.server.close()
