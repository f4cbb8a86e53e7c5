"""The operator console in process: every action does what it says, seen from outside.

Each action is posted as the console's form would post it; its effect is read back
through another door (the member's ``/api``, the Kalshi API, the operator API), never
from the console's own page. Settlement confirmations are checked against payouts
computed by hand here and against the cash the ledger actually paid afterwards, with a
Kalshi-API subaccount among the holders.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.inprocess import Browser, InProcessExchange, Key
from tests.platform.world import serve

T4 = "KXPF-RATES-T4"
T5 = "KXPF-RATES-T5"
RAIN = "KXPF-RAIN-Y"
V2 = "/trade-api/v2"


@pytest.fixture(scope="module")
def ex(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessExchange]:
    with serve(tmp_path_factory.mktemp("web-operator")) as exchange:
        yield exchange


@pytest.fixture(scope="module")
def op(ex: InProcessExchange) -> Browser:
    operator = ex.browser()
    operator.signup("console-op@example.com")
    ex.admin("POST", "/platform/operators", {"email": "console-op@example.com", "enabled": True})
    return operator


def _member(ex: InProcessExchange, email: str, dollars: int = 0) -> Browser:
    browser = ex.browser()
    browser.signup(email, dollars=dollars)
    return browser


def _post(browser: Browser, path: str, data: dict[str, Any] | None = None) -> Any:
    fields = {"csrf_token": browser.csrf or "", **(data or {})}
    return browser.call("POST", path, data=fields, csrf=False, follow_redirects=False)


def _done(response: Any) -> None:
    assert response.status_code == 303, (response.status_code, response.text[-600:])


def _cash_cents(member: Browser) -> int:
    response = member.call("GET", "/api/positions")
    assert response.status_code == 200, response.text
    cents: int = response.json()["summary"]["cashCents"]
    return cents


def _limit(member: Browser, ticker: str, side: str, price: int, quantity: int) -> Any:
    return member.call(
        "POST",
        "/api/limit-orders",
        {
            "optionId": ticker,
            "side": side,
            "action": "BUY",
            "quantity": quantity,
            "limitPriceCents": price,
        },
    )


# --- accounts -------------------------------------------------------------------------------


def test_suspend_ends_sessions_and_reinstate_lets_the_person_back(
    ex: InProcessExchange, op: Browser
) -> None:
    member = _member(ex, "suspend-me@example.com")
    user_id = member.user["id"]
    _done(_post(op, f"/operator/users/{user_id}/suspend"))
    # The member's session is gone and a new sign-in is refused.
    page = member.call("GET", "/portfolio", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login")
    assert ex.browser().login("suspend-me@example.com").status_code != 200
    _done(_post(op, f"/operator/users/{user_id}/reinstate"))
    again = ex.browser()
    assert again.login("suspend-me@example.com").status_code == 200
    assert again.call("GET", "/portfolio").status_code == 200
    # An operator cannot suspend themself.
    refused = _post(op, f"/operator/users/{op.user['id']}/suspend")
    assert refused.status_code == 409
    assert op.call("GET", "/operator").status_code == 200


def test_tier_is_set_on_the_exchange(ex: InProcessExchange, op: Browser) -> None:
    member = _member(ex, "tiered@example.com")
    user_id = member.user["id"]

    def tier() -> str:
        users = ex.admin("GET", "/users")["users"]
        found: str = next(u["tier"] for u in users if u["user_id"] == user_id)
        return found

    assert tier() == "default"
    _done(_post(op, f"/operator/users/{user_id}/tier", {"tier": "premier"}))
    assert tier() == "premier"
    assert _post(op, f"/operator/users/{user_id}/tier", {"tier": "platinum"}).status_code == 400
    assert tier() == "premier"
    _done(_post(op, f"/operator/users/{user_id}/tier", {"tier": "default"}))
    assert tier() == "default"


def test_deposit_and_withdraw_move_cash_once_per_form(ex: InProcessExchange, op: Browser) -> None:
    member = _member(ex, "cash-desk@example.com")
    user_id = member.user["id"]
    assert _cash_cents(member) == 0
    form = {"amount": "$12.34", "nonce": "form-a"}
    _done(_post(op, f"/operator/users/{user_id}/deposit", form))
    # A double submit (the same form's nonce) is refused by the engine: money moves once.
    assert _post(op, f"/operator/users/{user_id}/deposit", form).status_code == 409
    assert _cash_cents(member) == 1_234
    _done(_post(op, f"/operator/users/{user_id}/withdraw", {"amount": "4", "nonce": "form-b"}))
    assert _cash_cents(member) == 834
    # More than the balance is refused and nothing moves; so is a bad amount.
    too_much = _post(op, f"/operator/users/{user_id}/withdraw", {"amount": "9", "nonce": "c"})
    assert too_much.status_code >= 400
    assert _post(op, f"/operator/users/{user_id}/deposit", {"amount": "0.001"}).status_code == 400
    assert _cash_cents(member) == 834


def test_cash_requests_are_approved_or_rejected(ex: InProcessExchange, op: Browser) -> None:
    ex.admin("POST", "/platform/gateways/manual", {"deposits": True, "withdrawals": True})
    member = _member(ex, "requester@example.com")
    first = member.call("POST", "/api/deposits", {"amountCents": 2_500})
    second = member.call("POST", "/api/deposits", {"amountCents": 700})
    assert first.status_code == second.status_code == 202, first.text
    first_id, second_id = first.json()["request"]["id"], second.json()["request"]["id"]
    pending = op.call("GET", "/operator/cash").text
    assert first_id in pending
    assert second_id in pending
    _done(_post(op, f"/operator/cash/{first_id}/approve"))
    _done(_post(op, f"/operator/cash/{second_id}/reject", {"reason": "no proof"}))
    assert _cash_cents(member) == 2_500
    requests = member.call("GET", "/api/deposits").json()["requests"]
    statuses = {r["id"]: r["status"] for r in requests}
    assert statuses[second_id] == "rejected"
    assert statuses[first_id] != "pending"
    # A decided request cannot be decided again.
    assert _post(op, f"/operator/cash/{first_id}/approve").status_code == 409
    assert _post(op, f"/operator/cash/{second_id}/approve").status_code == 409
    assert _cash_cents(member) == 2_500


# --- markets, the exchange, flags ------------------------------------------------------------


def test_market_pause_and_resume(ex: InProcessExchange, op: Browser) -> None:
    member = _member(ex, "pauser@example.com", dollars=10)
    _done(_post(op, f"/operator/markets/{T4}/pause"))
    assert ex.request("GET", f"{V2}/markets/{T4}").json()["market"]["status"] != "active"
    assert _limit(member, T4, "YES", 5, 1).status_code >= 400
    _done(_post(op, f"/operator/markets/{T4}/resume"))
    assert ex.request("GET", f"{V2}/markets/{T4}").json()["market"]["status"] == "active"
    assert _limit(member, T4, "YES", 5, 1).status_code == 201
    assert _post(op, "/operator/markets/NOPE/pause").status_code == 404


def test_exchange_pause_and_resume(ex: InProcessExchange, op: Browser) -> None:
    member = _member(ex, "exchange-pause@example.com", dollars=10)

    def trading() -> bool:
        active: bool = ex.request("GET", f"{V2}/exchange/status").json()["trading_active"]
        return active

    _done(_post(op, "/operator/exchange/pause"))
    assert trading() is False
    assert _limit(member, RAIN, "YES", 5, 1).status_code >= 400
    _done(_post(op, "/operator/exchange/resume"))
    assert trading() is True
    assert _limit(member, RAIN, "YES", 5, 1).status_code == 201


def test_flags_are_saved_and_public(ex: InProcessExchange, op: Browser) -> None:
    def flags() -> dict[str, bool]:
        found: dict[str, bool] = ex.browser().call("GET", "/api/flags").json()["flags"]
        return found

    _done(_post(op, "/operator/flags", {"name": "Beta.Charts", "enabled": "on"}))
    assert flags().get("beta.charts") is True
    _done(_post(op, "/operator/flags", {"name": "beta.charts"}))
    assert flags().get("beta.charts") is False
    assert _post(op, "/operator/flags", {"name": "no spaces!", "enabled": "on"}).status_code == 400
    assert "no spaces!" not in flags()


# --- settlement: the confirmation shows what the ledger then pays ---------------------------


def _subaccount_holder(
    ex: InProcessExchange, member: Browser, ticker: str, price: str, count: str
) -> None:
    """Give ``member`` a Kalshi-API subaccount 1 with a resting YES bid in ``ticker``."""
    body = ex.admin("POST", "/keys/generate", {"user": member.user["id"], "type": "ed25519"})
    key = Key(body["api_key_id"], body["private_key"])
    assert ex.call("POST", f"{V2}/portfolio/subaccounts", key, {}).status_code == 201
    transfer = {
        "client_transfer_id": str(uuid.uuid4()),
        "from_subaccount": 0,
        "to_subaccount": 1,
        "amount_cents": 5_000,
    }
    moved = ex.call("POST", f"{V2}/portfolio/subaccounts/transfer", key, transfer)
    assert moved.is_success, moved.text
    order = {
        "ticker": ticker,
        "side": "bid",
        "count": count,
        "price": price,
        "time_in_force": "good_till_canceled",
        "self_trade_prevention_type": "taker_at_cross",
        "subaccount": 1,
    }
    placed = ex.call("POST", f"{V2}/portfolio/events/orders", key, order)
    assert placed.status_code == 201, placed.text


def _paid(page: str) -> tuple[dict[str, str], str]:
    rows = dict(
        re.findall(
            r'data-holder="([^"]+)">.*?<td class="num r">[^<]*</td><td class="num r">([^<]*)</td>',
            page,
        )
    )
    total = re.search(r'id="payout-total">([^<]*)<', page)
    assert total is not None
    return rows, total.group(1)


def _settle(ex: InProcessExchange, op: Browser, ticker: str, result: str, value: str = "") -> str:
    params = {"result": result, **({"value": value} if value else {})}
    confirm = op.call("GET", f"/operator/markets/{ticker}/settle", params=params)
    assert confirm.status_code == 200, confirm.text[-500:]
    _done(_post(op, f"/operator/markets/{ticker}/settle", params))
    return confirm.text


def _settled_revenue(ex: InProcessExchange, member: Browser, ticker: str) -> dict[int, int]:
    """Cents the ledger paid each of the member's subaccounts in ``ticker`` (Kalshi API)."""
    body = ex.admin("POST", "/keys/generate", {"user": member.user["id"], "type": "ed25519"})
    key = Key(body["api_key_id"], body["private_key"])
    paid: dict[int, int] = {}
    for sub in (0, 1):
        listing = ex.call("GET", f"{V2}/portfolio/settlements?subaccount={sub}", key)
        assert listing.status_code == 200, listing.text
        for row in listing.json()["settlements"]:
            if row["ticker"] == ticker:
                paid[sub] = paid.get(sub, 0) + int(row["revenue"])
    return paid


def test_scalar_confirmation_equals_the_ledgers_payout(ex: InProcessExchange, op: Browser) -> None:
    holder = _member(ex, "scalar-holder@example.com", dollars=100)
    seller = _member(ex, "scalar-seller@example.com", dollars=100)
    # Holder: 10 YES at 30¢ on the main account, 3 YES at 20¢ on subaccount 1.
    assert _limit(holder, T5, "YES", 30, 10).status_code == 201
    _subaccount_holder(ex, holder, T5, "0.20", "3")
    # Seller buys NO into both bids: 10 NO at 70¢ and 3 NO at 80¢ (13 NO held).
    hit = seller.call(
        "POST",
        "/api/trades",
        {"optionId": T5, "side": "NO", "action": "BUY", "quantity": 13, "priceCents": 80},
    )
    assert hit.status_code == 201, hit.text
    cash_before = {"holder": _cash_cents(holder), "seller": _cash_cents(seller)}
    # YES settles at 35.55¢, NO at 64.45¢; each payout floored to the cent:
    #   holder main 10 x 35.55 = 355.5 -> $3.55; holder sub 1: 3 x 35.55 = 106.65 -> $1.06;
    #   seller 13 x 64.45 = 837.85 -> $8.37. Total $12.98.
    page = _settle(ex, op, T5, "scalar", "0.3555")
    rows, total = _paid(page)
    holder_id, seller_id = holder.user["id"], seller.user["id"]
    assert rows == {
        f"{holder_id}/0": "$3.5500",
        f"{holder_id}/1": "$1.0600",
        f"{seller_id}/0": "$8.3700",
    }
    assert total == "$12.9800"
    assert _cash_cents(holder) - cash_before["holder"] == 355
    assert _cash_cents(seller) - cash_before["seller"] == 837
    assert _settled_revenue(ex, holder, T5) == {0: 355, 1: 106}


def test_void_confirmation_equals_the_ledgers_payout(ex: InProcessExchange, op: Browser) -> None:
    holder = _member(ex, "void-holder@example.com", dollars=100)
    seller = _member(ex, "void-seller@example.com", dollars=100)
    assert _limit(seller, RAIN, "NO", 55, 4).status_code == 201  # a YES ask at 45
    bought = holder.call(
        "POST",
        "/api/trades",
        {"optionId": RAIN, "side": "YES", "action": "BUY", "quantity": 4, "priceCents": 45},
    )
    assert bought.status_code == 201, bought.text
    _subaccount_holder(ex, holder, RAIN, "0.33", "2")
    hit = seller.call(
        "POST",
        "/api/trades",
        {"optionId": RAIN, "side": "NO", "action": "BUY", "quantity": 2, "priceCents": 67},
    )
    assert hit.status_code == 201, hit.text
    cash_before = {"holder": _cash_cents(holder), "seller": _cash_cents(seller)}
    # A void returns each holder's cost basis (fees are not returned):
    #   holder main 4 YES at 45¢ = $1.80; holder sub 1: 2 YES at 33¢ = $0.66;
    #   seller 4 NO at 55¢ + 2 NO at 67¢ = $2.20 + $1.34 = $3.54. Total $6.00.
    page = _settle(ex, op, RAIN, "void")
    rows, total = _paid(page)
    holder_id, seller_id = holder.user["id"], seller.user["id"]
    assert rows == {
        f"{holder_id}/0": "$1.8000",
        f"{holder_id}/1": "$0.6600",
        f"{seller_id}/0": "$3.5400",
    }
    assert total == "$6.0000"
    assert _cash_cents(holder) - cash_before["holder"] == 180
    assert _cash_cents(seller) - cash_before["seller"] == 354
    assert _settled_revenue(ex, holder, RAIN) == {0: 180, 1: 66}
