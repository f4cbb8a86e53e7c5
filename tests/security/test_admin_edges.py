"""Issue 10, "Medium": admin and money edges, against the real server.

- ``augury admin users create alice --deposit 100`` on an existing user answered 409 and
  still deposited: a provisioning script that retried minted money. Now the refusal
  changes nothing.
- The operator key could delete itself through ``DELETE /api_keys/{id}``; the admin API
  then answered 401 until a restart. Now that is a 403.
- A key restricted to one subaccount saw the whole account in
  ``/portfolio/summary/total_resting_order_value``, ``/portfolio/deposits`` (and
  withdrawals) and ``/api_keys``. Now it sees its own subaccount only.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Iterator

import pytest

from tests.e2e.server_harness import AUGURY
from tests.security.input_server import V2_ORDERS, Exchange, order_body

# A real server in a subprocess (tests.security.input_server).
pytestmark = [pytest.mark.filterwarnings("ignore::ResourceWarning"), pytest.mark.process]


@pytest.fixture(scope="module")
def ex(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exchange]:
    exchange = Exchange(tmp_path_factory.mktemp("admin") / "data")
    yield exchange
    exchange.close()


def _cli(ex: Exchange, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(AUGURY), "admin", "--data", str(ex.data), "--url", ex.server.url, *args],
        capture_output=True,
        text=True,
        check=False,
    )


def _balance_dollars(ex: Exchange, name: str) -> str:
    users = json.loads(_cli(ex, "users", "list").stdout)["users"]
    (user,) = [u for u in users if u["user_id"] == name]
    return str(user["balance_dollars"])


def test_creating_an_existing_user_with_a_deposit_changes_nothing(ex: Exchange) -> None:
    first = _cli(ex, "users", "create", "carol", "--deposit", "100")
    assert first.returncode == 0, first.stdout + first.stderr
    before = ex.state()
    again = _cli(ex, "users", "create", "carol", "--deposit", "100")
    assert again.returncode == 1
    assert json.loads(again.stdout)["error"]["code"] == "already_exists"
    assert _balance_dollars(ex, "carol") == "100.0000"
    assert ex.state()["state_digest"] == before["state_digest"]


def test_the_operator_key_cannot_delete_itself(ex: Exchange) -> None:
    key_id = (ex.data / "operator_key_id").read_text().strip()
    pem = (ex.data / "operator_key.pem").read_text()
    response = ex.server.signed("DELETE", f"/trade-api/v2/api_keys/{key_id}", key_id, pem)
    assert response.status_code == 403, response.text
    assert ex.state()["last_seq"] > 0  # the admin API still answers


def test_a_restricted_key_sees_only_its_subaccount(ex: Exchange) -> None:
    assert ex.call("POST", "/trade-api/v2/portfolio/subaccounts", {}).status_code == 201
    # Resting value and a deposit on subaccount 0; a transfer funds subaccount 1.
    assert ex.call("POST", V2_ORDERS, order_body(count="10")).status_code == 201
    transfer = {
        "client_transfer_id": str(uuid.uuid4()),
        "from_subaccount": 0,
        "to_subaccount": 1,
        "amount_cents": 500,
    }
    assert ex.call("POST", "/trade-api/v2/portfolio/subaccounts/transfer", transfer).is_success
    generated = ex.call(
        "POST", "/trade-api/v2/api_keys/generate", {"name": "sub-1 bot", "subaccount": 1}
    )
    assert generated.status_code == 201, generated.text
    ex.keys["alice-sub1"] = (generated.json()["api_key_id"], generated.json()["private_key"])

    def get(path: str, user: str) -> dict[str, object]:
        response = ex.call("GET", f"/trade-api/v2{path}", user=user)
        assert response.status_code == 200, response.text
        body: dict[str, object] = response.json()
        return body

    whole = get("/portfolio/summary/total_resting_order_value", "alice")
    # 10 contracts at $0.10 = 100 cents, plus the fee bound 0.07 * 10 * 0.1 * 0.9 = 6.3
    # cents and the 1-cent rounding allowance, rounded up to the cent (decision 0003).
    assert whole["total_resting_order_value"] == 108
    restricted = get("/portfolio/summary/total_resting_order_value", "alice-sub1")
    assert restricted["total_resting_order_value"] == 0
    assert len(get("/portfolio/deposits", "alice")["deposits"]) == 1  # type: ignore[arg-type]
    assert get("/portfolio/deposits", "alice-sub1")["deposits"] == []
    assert get("/portfolio/withdrawals", "alice-sub1")["withdrawals"] == []
    keys = get("/api_keys", "alice-sub1")["api_keys"]
    assert [key["name"] for key in keys] == ["sub-1 bot"]  # type: ignore[attr-defined]
    assert len(get("/api_keys", "alice")["api_keys"]) == 2  # type: ignore[arg-type]
