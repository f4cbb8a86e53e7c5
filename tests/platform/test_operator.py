"""The operator's side: gateways and approvals, flags, suspension, backup and restore."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from augury.demo.platform_account import DEMO_EMAIL, ensure_demo_account
from augury.engine import commands as c
from augury.platform.backup import restore
from tests.inprocess import InProcessExchange, Key
from tests.platform.world import serve


@pytest.fixture(scope="module")
def ex(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessExchange]:
    with serve(tmp_path_factory.mktemp("operator")) as exchange:
        yield exchange


def _balance(ex: InProcessExchange, user_id: str) -> str:
    users = {u["user_id"]: u for u in ex.admin("GET", "/users")["users"]}
    return str(users[user_id]["balance_dollars"])


def test_deposits_are_403_until_a_gateway_is_enabled_then_approved_once(
    ex: InProcessExchange,
) -> None:
    b = ex.browser()
    user = b.signup("money@example.com")
    before = ex.state()
    refused = b.call("POST", "/api/deposits", {"amountCents": 5000})
    assert refused.status_code == 403
    assert refused.json() == {
        "error": "deposits are disabled: the operator has not enabled a payment gateway"
    }
    assert b.call("POST", "/api/withdrawals", {"amountCents": 1}).status_code == 403
    assert ex.state() == before
    assert ex.browser().call("GET", "/api/payment-gateways").json() == {"gateways": []}
    ex.admin("POST", "/platform/gateways/manual", {"deposits": True, "withdrawals": True})
    gateways = ex.browser().call("GET", "/api/payment-gateways", params={"mode": "deposit"})
    assert [g["id"] for g in gateways.json()["gateways"]] == ["manual"]
    queued = b.call("POST", "/api/deposits", {"amountCents": 5000})
    assert queued.status_code == 202
    request_id = queued.json()["request"]["id"]
    assert _balance(ex, user["id"]) == "0.0000"
    pending = ex.admin("GET", "/platform/cash-requests?status=pending")["requests"]
    assert [r["id"] for r in pending] == [request_id]
    approved = ex.admin("POST", f"/platform/cash-requests/{request_id}/approve")
    assert approved["status"] == "approved"
    assert _balance(ex, user["id"]) == "50.0000"
    again = ex.call("POST", f"/admin/v1/platform/cash-requests/{request_id}/approve", ex.operator)
    assert again.status_code == 409
    assert _balance(ex, user["id"]) == "50.0000"
    # A withdrawal beyond the balance is refused at once; within it, queued then paid out.
    assert b.call("POST", "/api/withdrawals", {"amountCents": 6000}).status_code == 402
    out = b.call("POST", "/api/withdrawals", {"amountCents": 2000}).json()["request"]["id"]
    ex.admin("POST", f"/platform/cash-requests/{out}/approve")
    assert _balance(ex, user["id"]) == "30.0000"


def test_the_engine_refuses_a_transfer_id_twice(ex: InProcessExchange) -> None:
    # What makes a retried approval safe: the same transfer id moves money once.
    context = ex.app.state.context
    ex.admin("POST", "/users", {"name": "twice"})
    deposit = c.Deposit(user_id="twice", amount_cc=10_000, transfer_id="cash-x")
    first = ex.portal.call(context.runtime.sequencer.submit, deposit)
    second = ex.portal.call(context.runtime.sequencer.submit, deposit)
    assert first.reject is None
    assert second.reject is not None
    assert second.reject.reason.value == "already_exists"
    assert _balance(ex, "twice") == "1.0000"


def test_flags_are_public_and_set_by_the_operator(ex: InProcessExchange) -> None:
    ex.admin("POST", "/platform/flags/new-charts", {"enabled": True})
    ex.admin("POST", "/platform/flags/beta", {"enabled": False})
    assert ex.browser().call("GET", "/api/flags").json() == {
        "flags": {"beta": False, "new-charts": True}
    }


def test_suspension_stops_sessions_tokens_and_api_keys(ex: InProcessExchange) -> None:
    b = ex.browser()
    user = b.signup("suspend@example.com")
    token = b.new_token()
    key = b.call("POST", "/api/me/api-keys", {"name": "bot"}).json()
    key_pair = Key(key["apiKey"]["id"], key["privateKey"])
    assert ex.call("GET", "/trade-api/v2/portfolio/balance", key_pair).status_code == 200
    api = ex.browser()
    api.token = token
    ex.admin("POST", f"/platform/users/{user['id']}/suspend")
    assert b.call("GET", "/api/auth/me").status_code == 401
    assert api.call("GET", "/api/auth/me").status_code == 401
    assert ex.call("GET", "/trade-api/v2/portfolio/balance", key_pair).status_code == 403
    assert b.login("suspend@example.com").status_code == 403
    listed = ex.admin("GET", "/platform/users?status=suspended")["accounts"]
    assert [a["user_id"] for a in listed] == [user["id"]]
    ex.admin("POST", f"/platform/users/{user['id']}/reinstate")
    assert api.call("GET", "/api/auth/me").status_code == 200
    assert ex.call("GET", "/trade-api/v2/portfolio/balance", key_pair).status_code == 200
    assert b.login("suspend@example.com").status_code == 200


def test_demo_user_gets_a_platform_login(ex: InProcessExchange, tmp_path: Path) -> None:
    ex.admin("POST", "/users", {"name": "demo", "deposit": "10"})
    login = ex.portal.call(ensure_demo_account, ex.app.state.context, tmp_path)
    assert login is not None
    email, password = login
    assert email == DEMO_EMAIL
    assert (tmp_path / "demo_user_password").read_text().strip() == password
    b = ex.browser()
    assert b.login(email, password).status_code == 200
    assert b.user["id"] == "demo"
    # A second start finds the account and the same password.
    assert ex.portal.call(ensure_demo_account, ex.app.state.context, tmp_path) == login


def test_backup_while_running_restores_the_exchange_and_platform(tmp_path: Path) -> None:
    with serve(tmp_path / "live") as ex:
        b = ex.browser()
        user = b.signup("backup@example.com", dollars=100)
        token = b.new_token()
        b.call("POST", "/api/me/trade-notes", {"body": "kept"})
        response = ex.call("GET", "/admin/v1/platform/backup", ex.operator)
        assert response.status_code == 200
        digest = ex.state()[1]
        out = tmp_path / "backup.db"
        out.write_bytes(response.content)
        last_seq = int(response.headers["x-augury-last-seq"])
    with sqlite3.connect(out) as db:
        assert db.execute("SELECT MAX(seq) FROM journal").fetchone()[0] == last_seq
    restored = tmp_path / "restored"
    restored.mkdir()
    counts = restore(out, f"sqlite:///{restored / 'augury.db'}")
    assert counts["journal"] == last_seq
    assert counts["platform_users"] == 1
    with serve(restored, catalog={"series": [], "events": [], "markets": []}) as again:
        assert again.state()[1] != ""
        api = again.browser()
        api.token = token
        me = api.call("GET", "/api/auth/me").json()
        assert me["user"]["id"] == user["id"]
        notes = api.call("GET", "/api/me/trade-notes").json()["notes"]
        assert [n["body"] for n in notes] == ["kept"]
        positions = api.call("GET", "/api/positions").json()
        assert positions["summary"]["cashCents"] == 10_000
    assert digest
