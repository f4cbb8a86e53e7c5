"""The portfolio's CSV exports: positions, settlements and cash history.

Each file is read as a spreadsheet would read it (``csv.DictReader``) and compared with
figures worked out by hand for a short, fee-free history: deposits and a withdrawal, a
trade, a market settled YES. A market whose title starts with ``=`` checks that text
cells are escaped against formula injection; another member's rows never appear; the
portfolio page links every export.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest

from tests.inprocess import Browser, InProcessExchange
from tests.platform.world import serve

SAFE, EVIL = "KXE-SAFE-Y", "KXE-EVIL-Y"
CATALOG: dict[str, Any] = {
    "series": [{"ticker": "KXE", "title": "Exports", "category": "Test", "fee_multiplier": 0}],
    "events": [
        {"event_ticker": "KXE-SAFE", "series_ticker": "KXE", "title": "Plain event"},
        {"event_ticker": "KXE-EVIL", "series_ticker": "KXE", "title": '=HYPERLINK("x")'},
    ],
    "markets": [
        {
            "ticker": ticker,
            "event_ticker": ticker[:-2],
            "title": title,
            "yes_sub_title": label,
            "open_time": "2026-01-01T00:00:00Z",
            "close_time": "2030-01-01T00:00:00Z",
            "settlement_timer_seconds": 0,
        }
        for ticker, title, label in (
            (SAFE, "Plain?", "Yes"),
            (EVIL, '=HYPERLINK("x")', "@SUM(1)"),
        )
    ],
}


@pytest.fixture(scope="module")
def ex(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessExchange]:
    with serve(tmp_path_factory.mktemp("web-exports"), catalog=CATALOG) as exchange:
        yield exchange


def _rows(browser: Browser, what: str) -> list[dict[str, str]]:
    response = browser.call("GET", f"/api/me/{what}/export")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["cache-control"] == "no-store"
    assert f'filename="augury-{what}.csv"' in response.headers["content-disposition"]
    return list(csv.DictReader(io.StringIO(response.text)))


def _order(member: Browser, ticker: str, side: str, price: int, quantity: int) -> None:
    body = {
        "optionId": ticker,
        "side": side,
        "action": "BUY",
        "quantity": quantity,
        "limitPriceCents": price,
    }
    assert member.call("POST", "/api/limit-orders", body).status_code == 201


def test_exports_hold_the_hand_computed_history(ex: InProcessExchange) -> None:
    operator = ex.browser()
    operator.signup("exports-op@example.com")
    ex.admin("POST", "/platform/operators", {"email": "exports-op@example.com", "enabled": True})
    alice = ex.browser()
    alice.signup("exports-alice@example.com", dollars=100)  # a $100.00 deposit
    bob = ex.browser()
    bob.signup("exports-bob@example.com", dollars=50)
    made = operator.call(
        "POST",
        f"/operator/users/{alice.user['id']}/withdraw",
        data={"csrf_token": operator.csrf or "", "amount": "7.25", "nonce": "n1"},
        csrf=False,
        follow_redirects=False,
    )
    assert made.status_code == 303
    # Alice: 10 YES at 30¢ in SAFE (Bob takes the NO at 70¢), and 4 YES at 25¢ in EVIL.
    _order(alice, SAFE, "YES", 30, 10)
    _order(bob, SAFE, "NO", 70, 10)
    _order(alice, EVIL, "YES", 25, 4)
    _order(bob, EVIL, "NO", 75, 4)
    settled = operator.call(
        "POST",
        f"/operator/markets/{SAFE}/settle",
        data={"csrf_token": operator.csrf or "", "result": "yes"},
        csrf=False,
        follow_redirects=False,
    )
    assert settled.status_code == 303

    # Positions: SAFE is settled (no longer open); EVIL: 4 YES, cost 4 x 25¢ = $1.00.
    (position,) = _rows(alice, "positions")
    assert position["option_id"] == EVIL
    assert position["event"] == '\'=HYPERLINK("x")'  # escaped: starts with '
    assert position["label"] == "Yes"  # a one-market event's option is labelled Yes
    assert position["side"] == "YES"
    assert position["quantity"] == "4.00"
    assert position["average_price_cents"] == "25"
    assert position["cost_basis_cents"] == "100"
    assert position["fees_paid_cents"] == "0"

    # Settlements: SAFE settled YES: 10 YES cost $3.00 and paid $10.00 (cents, 2 places).
    (settlement,) = _rows(alice, "settlements")
    assert settlement["option_id"] == SAFE
    assert settlement["event_id"] == "KXE-SAFE"
    assert settlement["result"] == "yes"
    assert settlement["yes_quantity"] == "10.00"
    assert settlement["no_quantity"] == "0.00"
    assert settlement["cost_cents"] == "300.00"
    assert settlement["revenue_cents"] == "1000.00"
    assert settlement["fees_cents"] == "0.00"
    assert settlement["time"].endswith("Z")

    # Cash, newest first: the $7.25 withdrawal, then the $100.00 deposit.
    cash = _rows(alice, "cash")
    assert [(r["kind"], r["amount_cents"]) for r in cash] == [
        ("withdrawal", "725.00"),
        ("deposit", "10000.00"),
    ]
    assert cash[0]["transfer_id"] == "web-n1"
    assert cash[0]["from_subaccount"] == "0"

    # Bob's files hold Bob's rows only.
    assert [r["amount_cents"] for r in _rows(bob, "cash")] == ["5000.00"]
    bob_settlement = _rows(bob, "settlements")
    assert [(r["option_id"], r["no_quantity"], r["revenue_cents"]) for r in bob_settlement] == [
        (SAFE, "10.00", "0.00")
    ]
    assert [r["option_id"] for r in _rows(bob, "positions")] == [EVIL]

    # The portfolio links every export; signed out, each is refused.
    page = alice.call("GET", "/portfolio").text
    for what in ("trades", "positions", "settlements", "cash"):
        assert f'href="/api/me/{what}/export"' in page
        assert ex.browser().call("GET", f"/api/me/{what}/export").status_code == 401


def test_an_export_with_nothing_in_it_is_a_header(ex: InProcessExchange) -> None:
    nobody = ex.browser()
    nobody.signup("exports-empty@example.com")
    for what, first in (("positions", "option_id"), ("settlements", "time"), ("cash", "time")):
        response = nobody.call("GET", f"/api/me/{what}/export")
        assert response.status_code == 200
        assert response.text.splitlines()[0].startswith(first)
        assert len(response.text.splitlines()) == 1
