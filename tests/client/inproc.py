"""The exchange in-process for client tests: the one harness, a synchronous transport.

``exchange()`` runs ``tests.inprocess.running_exchange`` on a ``FakeClock`` and yields an
:class:`InProc` whose ``transport`` plugs into ``augury.client.Client`` and whose clock the
client shares, so a client's sleeps move the server's time: a rate-limited run of hundreds
of seconds takes as long as its requests take to serve.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from augury.client import Client, Signer
from augury.client.retry import RetryPolicy
from augury.runtime.clock import FakeClock
from tests.e2e.server_harness import CATALOG
from tests.inprocess import running_exchange

_names = itertools.count(1)


@dataclass
class InProc:
    http: httpx.Client  # on ``transport``, at http://testserver
    transport: httpx.BaseTransport
    clock: FakeClock
    operator: Signer

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
    with running_exchange(data, clock=clock, rate_limits=rate_limits) as running:
        transport = running.sync_transport()
        with httpx.Client(transport=transport, base_url="http://testserver") as http:
            operator = Signer.from_pem(running.operator.key_id, running.operator.pem)
            inproc = InProc(http, transport, clock, operator)
            inproc.admin("POST", "/catalog", CATALOG)
            yield inproc
