"""Crash repair at start: an account whose ``CreateUser`` never reached the journal
(``Platform._reconcile_accounts``) and a cash approval left half done (``CashDesk.resume``).

The crash is simulated by stopping the in-process server at the point in question (a
write the platform made, a command it did not get to journal, or the other way round)
and starting a new one on the same data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from augury.engine import commands as c
from augury.engine.results import Outcome
from augury.platform.service import Platform
from tests.inprocess import Browser, InProcessExchange
from tests.platform.test_operator import _balance
from tests.platform.test_trading import wait_for
from tests.platform.world import serve

EMAIL = "orphan@example.com"


def _platform(ex: InProcessExchange) -> Platform:
    platform: Platform = ex.app.state.platform
    return platform


def _sql(ex: InProcessExchange, sql: str, params: tuple[object, ...]) -> Any:
    return ex.portal.call(_platform(ex).db.run, lambda tx: tx.all(sql, params))


def test_an_account_without_its_exchange_user_gets_one_at_start(tmp_path: Path) -> None:
    with serve(tmp_path) as ex:
        platform = _platform(ex)
        real_submit = platform.submit

        async def crash_before_create_user(command: c.Cmd[Any]) -> Outcome[Any]:
            if isinstance(command, c.CreateUser):
                raise RuntimeError("the process died here (simulated)")
            return await real_submit(command)

        platform.submit = crash_before_create_user  # type: ignore[method-assign]
        response = ex.browser().call(
            "POST", "/api/auth/register", {"email": EMAIL, "password": "correct horse battery"}
        )
        assert response.status_code == 500
        [(user_id,)] = _sql(ex, "SELECT user_id FROM platform_users WHERE email = ?", (EMAIL,))
        assert platform.reads.user_exists(user_id) == (False, "")
    with serve(tmp_path) as ex:
        exists, _name = _platform(ex).reads.user_exists(user_id)
        assert exists
        alice = ex.browser()
        assert alice.login(EMAIL).status_code == 200
        assert alice.user["id"] == user_id
        ex.admin("POST", f"/users/{user_id}/deposit", {"amount": "7"})
        assert alice.call("GET", "/api/positions").json()["summary"]["cashCents"] == 700


def _pending_deposit(ex: InProcessExchange) -> tuple[str, str]:
    """A platform user with a pending $25 deposit request: (user id, request id)."""
    ex.admin("POST", "/platform/gateways/manual", {"deposits": True, "withdrawals": True})
    who: Browser = ex.browser()
    user = who.signup("cash@example.com")
    queued = who.call("POST", "/api/deposits", {"amountCents": 2500})
    assert queued.status_code == 202, queued.text
    return str(user["id"]), str(queued.json()["request"]["id"])


def _mark_approving(ex: InProcessExchange, request_id: str) -> None:
    _sql(
        ex,
        "UPDATE platform_cash_requests SET status = 'approving' WHERE request_id = ?",
        (request_id,),
    )


def _status(ex: InProcessExchange, request_id: str) -> str:
    [(status,)] = _sql(
        ex, "SELECT status FROM platform_cash_requests WHERE request_id = ?", (request_id,)
    )
    return str(status)


def test_an_approval_left_before_its_deposit_is_journaled_pays_once(tmp_path: Path) -> None:
    with serve(tmp_path) as ex:
        user_id, request_id = _pending_deposit(ex)
        _mark_approving(ex, request_id)  # step 1 committed; the process dies before step 2
        assert _balance(ex, user_id) == "0.0000"
    with serve(tmp_path) as ex:
        _wait_status(ex, request_id, "approved")
        assert _balance(ex, user_id) == "25.0000"


def test_an_approval_left_after_its_deposit_is_journaled_pays_once(tmp_path: Path) -> None:
    with serve(tmp_path) as ex:
        user_id, request_id = _pending_deposit(ex)
        _mark_approving(ex, request_id)
        deposit = c.Deposit(user_id=user_id, amount_cc=250_000, transfer_id="cash-" + request_id)
        outcome = ex.portal.call(_platform(ex).submit, deposit)
        assert outcome.reject is None  # step 2 done; the process dies before step 3
        assert _balance(ex, user_id) == "25.0000"
    with serve(tmp_path) as ex:
        _wait_status(ex, request_id, "approved")
        assert _balance(ex, user_id) == "25.0000"  # not 50: the transfer id is spent


def _wait_status(ex: InProcessExchange, request_id: str, status: str) -> None:
    wait_for(lambda: _status(ex, request_id) == status)
