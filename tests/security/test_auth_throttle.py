"""Failed authentications are throttled per source address and per key id.

Issue 10, "Failed-signature work". Against the real server, with small budgets set
through ``AUGURY_LIMITS`` (20 failures per address, 10 failed signatures per key, one
more of each per second):

- an address that keeps failing gets 429 for every signed request, a correct one
  included, without the server checking it; its unsigned public requests still pass, and
  other addresses are not affected;
- failed signatures against one key, spread over many addresses that each stay under
  their own budget, exhaust the key's budget: further addresses get 429 for that key, but
  the key's owner, from the address it has signed from, keeps working.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from augury.api.auth import generate_key_pair
from tests.security.net_harness import NetServer, http_client, running, signed, wait_until

pytestmark = pytest.mark.process  # a real server in a subprocess

BALANCE = "/trade-api/v2/portfolio/balance"
STATUS = "/trade-api/v2/exchange/status"
LIMITS = "auth_failures_burst=20,auth_failures_per_s=1,key_failures_burst=10,key_failures_per_s=1"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetServer]:
    srv = NetServer(tmp_path_factory.mktemp("throttle") / "data", limits=LIMITS)
    with running(srv, catalog=False):
        yield srv


def forged(key_id: str) -> tuple[str, str]:
    """The victim's key id with somebody else's private key."""
    return key_id, generate_key_pair("ed25519")[0]


def get(client: httpx.Client, key: tuple[str, str]) -> httpx.Response:
    return client.get(BALANCE, headers=signed(key, "GET", BALANCE))


def test_an_address_that_keeps_failing_is_throttled_alone(server: NetServer) -> None:
    key = server.user("th-addr", "10", key_type="ed25519")
    bad = forged(key[0])
    with http_client(server, "127.0.0.2") as attacker, http_client(server, "127.0.0.3") as other:
        assert get(other, key).status_code == 200  # the key's owner signs from .3
        statuses = [get(attacker, bad).status_code for _ in range(60)]
        assert statuses[0] == 401
        assert 429 in statuses
        refusal = get(attacker, bad)
        if refusal.status_code == 429:
            assert refusal.json()["error"]["code"] == "too_many_requests"

        def correct_signature_refused() -> bool:
            # Refused unseen while the address's budget is empty (one failure refills
            # per second, so the bad request keeps it empty while checking).
            get(attacker, bad)
            return get(attacker, key).status_code == 429

        wait_until(correct_signature_refused)
        assert attacker.get(STATUS).status_code == 200  # unsigned public: not throttled
        assert get(other, key).status_code == 200  # another address: not throttled


def test_a_key_attacked_from_many_addresses_stays_usable_by_its_owner(server: NetServer) -> None:
    victim = server.user("th-key", "10", key_type="ed25519")
    with http_client(server, "127.0.0.1") as owner:
        assert get(owner, victim).status_code == 200  # the owner's address is now trusted
        bad = forged(victim[0])
        seen: list[int] = []
        for i in range(40):  # 40 addresses x 3 failures: each far under its own budget
            with http_client(server, f"127.0.1.{i + 1}") as attacker:
                seen += [get(attacker, bad).status_code for _ in range(3)]
        assert seen[0] == 401
        assert 429 in seen
        with http_client(server, "127.0.2.1") as fresh:
            # A new address cannot even try the key while its budget is spent, with a
            # correct signature or not.
            def refused() -> bool:
                get(fresh, bad)
                return get(fresh, victim).status_code == 429

            wait_until(refused)
        assert get(owner, victim).status_code == 200
