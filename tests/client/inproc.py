"""The exchange in-process for client tests: a Starlette TestClient transport and a fake clock.

``exchange()`` starts ``create_app`` with the server's ``FakeClock`` (lifespan included) and
yields an :class:`InProc` whose ``transport`` plugs into ``augury.client.Client`` and whose
clock the client shares, so a client's sleeps move the server's time: a rate-limited run of
hundreds of seconds takes as long as its requests take to serve.
"""

from __future__ import annotations

import contextlib
import itertools
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from augury.api.app import OPERATOR_KEY_FILE, OPERATOR_KEY_ID_FILE, create_app
from augury.api.settings import Settings
from augury.client import Client, Signer
from augury.client.retry import RetryPolicy
from augury.runtime.clock import FakeClock
from tests.e2e.server_harness import CATALOG

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

_names = itertools.count(1)


@dataclass
class InProc:
    http: TestClient
    clock: FakeClock
    operator: Signer

    @property
    def transport(self) -> httpx.BaseTransport:
        found: httpx.BaseTransport = self.http._transport
        return found

    def sleep(self, seconds: float) -> None:
        self.clock.advance(round(seconds * 1_000_000_000))

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        full = f"/admin/v1{path}"
        headers = self.operator.headers(method, full, self.clock.now_ns() // 1_000_000)
        response = self.http.request(method, full, json=body, headers=headers)
        assert response.status_code < 300, response.text
        return response.json()

    def user(self, prefix: str = "u", dollars: str = "10000", tier: str | None = None) -> Signer:
        name = f"{prefix}{next(_names)}"
        self.admin("POST", "/users", {"name": name, "deposit": dollars})
        if tier is not None:
            self.admin("POST", f"/users/{name}/tier", {"tier": tier})
        key = self.admin("POST", "/keys/generate", {"user": name, "type": "ed25519"})
        return Signer.from_pem(key["api_key_id"], key["private_key"])

    def client(self, signer: Signer | None = None, **kwargs: Any) -> Client:
        kwargs.setdefault("retry", RetryPolicy("none", attempts=1))
        return Client(
            "http://testserver",
            signer=signer,
            transport=self.transport,
            clock=self.clock,
            sleep=self.sleep,
            **kwargs,
        )


@contextlib.contextmanager
def exchange(data: Path, *, rate_limits: bool = False) -> Iterator[InProc]:
    clock = FakeClock(1_767_225_600_000_000_000)
    app = create_app(Settings(data_dir=data, rate_limits=rate_limits), clock=clock)
    with TestClient(app) as http:
        operator = Signer.from_pem(
            (data / OPERATOR_KEY_ID_FILE).read_text().strip(),
            (data / OPERATOR_KEY_FILE).read_text(),
        )
        inproc = InProc(http, clock, operator)
        inproc.admin("POST", "/catalog", CATALOG)
        yield inproc
