"""The client against a real ``augury serve`` process: every endpoint, the limiter, pages.

The in-process suite (``test_client_inproc``, ``test_ratelimit_client``,
``test_pagination_cache_hosts``) proves the same behaviour on a fake clock; here the same
walk runs over real HTTP against a real server, with an RSA-PSS key for one user (the
other signs with Ed25519), the client-side limiter on the wall clock against the server's
own limiter, and cursor pagination across real pages.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from augury.client import Client, Signer, orders
from augury.client import endpoints as ep
from augury.client.pagination import CursorFile, items, pages
from augury.client.retry import NO_RETRY
from tests.client.model_codegen import SERVED
from tests.client.test_client_inproc import walk_every_endpoint
from tests.e2e.server_harness import CATALOG, Server

pytestmark = pytest.mark.process

T1 = "KXTEST-26DEC-T1"
TICKERS = sorted(m["ticker"] for m in CATALOG["markets"])
_names = itertools.count(1)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("real") / "data", extra=["--rate-limits", "off"])
    srv.start()
    srv.admin("POST", "/catalog", CATALOG)
    yield srv
    srv.close()


def _signer(server: Server, key_type: str, tier: str | None = None) -> Signer:
    name = f"real{key_type}{next(_names)}"
    key_id, pem = server.user(name, "100000", key_type=key_type)
    if tier is not None:
        server.admin("POST", f"/users/{name}/tier", {"tier": tier})
    return Signer.from_pem(key_id, pem)


def test_every_endpoint_against_a_real_server_with_an_rsa_pss_key(server: Server) -> None:
    alice, bob = _signer(server, "rsa"), _signer(server, "ed25519")
    assert (alice.key_type, bob.key_type) == ("rsa", "ed25519")
    clients: list[Client] = []

    def make(signer: Signer | None) -> Client:
        clients.append(Client(server.url, signer=signer, retry=NO_RETRY))
        return clients[-1]

    try:
        called = walk_every_endpoint(alice, bob, make, int(time.time()))
    finally:
        for client in clients:
            client.close()
    assert {f"{m} {p}" for m, p in SERVED} - called == set()


def test_pagination_walks_and_resumes_over_real_pages(server: Server, tmp_path: Path) -> None:
    with Client(server.url, retry=NO_RETRY) as client:
        walked = list(items(client.send, lambda c: ep.get_markets(limit=1, cursor=c), "markets"))
        assert sorted(m.ticker for m in walked) == TICKERS
        state = CursorFile(tmp_path / "walk.json")
        seen: list[str] = []
        for n, page in enumerate(
            pages(client.send, lambda c: ep.get_markets(limit=1, cursor=c), state), 1
        ):
            seen += [m.ticker for m in page.markets]
            if n == 2:
                break  # the process stops here
        for page in pages(client.send, lambda c: ep.get_markets(limit=1, cursor=c), state):
            seen += [m.ticker for m in page.markets]
        assert sorted(set(seen)) == TICKERS
        assert len(seen) - len(TICKERS) <= 1  # the interrupted page at most twice
        assert state.load().done


def test_a_basic_tier_client_meets_no_429_from_a_real_limiter(tmp_path: Path) -> None:
    # Rate limits on (the server's default). Basic: reads 200 tokens/s (2 s burst), writes
    # 100 tokens/s (1 s burst), 10 tokens a request: 100 reads and 40 writes overrun both
    # bursts, so the client's limiter must wait, and the server must never answer 429.
    srv = Server(tmp_path / "data")
    srv.start()
    try:
        srv.admin("POST", "/catalog", CATALOG)
        signer = _signer(srv, "rsa", tier="basic")
        statuses: list[int] = []
        waits: list[float] = []

        class Seen:
            def on_request(self, method: str, template: str, status: int | None, s: float) -> None:
                statuses.append(status or 0)

        def sleep(seconds: float) -> None:
            waits.append(seconds)
            time.sleep(seconds)

        with Client(srv.url, signer=signer, retry=NO_RETRY, sleep=sleep) as client:
            limiter = client.install_rate_limiter()
            assert limiter.tier == "basic"
            client.observer = Seen()
            for i in range(100):
                client.orderbook(T1)
                if i % 5 == 0:
                    made = client.create_order(orders.order_v2(T1, "bid", 100 + 100 * (i % 7), 100))
                    client.cancel_order(made.order_id)
        assert len(statuses) == 140
        assert 429 not in statuses
        assert set(statuses) == {200, 201}
        assert any(w > 0 for w in waits)
    finally:
        srv.close()
