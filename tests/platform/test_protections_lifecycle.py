"""Protections: take-profit on the book's mid, exactly one sale and one notification,
cancellation when the position closes by hand or settles, and ``resume`` after a restart
in the middle of firing (before and after the sale reached the journal).

Prices are hand-derived from the orders each test rests (the mid is (bid + ask) // 2 of
the YES book; the held side's price is the YES price for a YES holder).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from augury.platform.service import Platform
from augury.platform.trading import OrderIntent, place_command
from tests.inprocess import Browser, InProcessExchange
from tests.platform.test_slugs_and_fees import _limit, _trade
from tests.platform.test_trading import wait_for
from tests.platform.world import serve

RAIN = "KXPF-RAIN-Y"


def _platform(ex: InProcessExchange) -> Platform:
    platform: Platform = ex.app.state.platform
    return platform


def _settle(ex: InProcessExchange) -> None:
    """Wait until every protection being fired or cancelled is done."""
    ex.portal.call(_platform(ex).protections.drain)


def _notes(who: Browser, kind: str) -> list[Any]:
    notes = who.call("GET", "/api/me/notifications").json()["notifications"]
    return [n["data"] for n in notes if n["kind"] == kind]


def _status(ex: InProcessExchange, protection_id: str) -> str:
    def read(tx: Any) -> str:
        row = tx.one(
            "SELECT status FROM platform_protections WHERE protection_id = ?", (protection_id,)
        )
        return str(row[0])

    return str(ex.portal.call(_platform(ex).db.read, read))


def _long_five(ex: InProcessExchange, tag: str) -> tuple[Browser, Browser]:
    """A maker and a taker who holds 5 YES bought at 50 (the book is empty after)."""
    maker, taker = ex.browser(), ex.browser()
    maker.signup(f"pmaker-{tag}@example.com", dollars=1000)
    taker.signup(f"ptaker-{tag}@example.com", dollars=100)
    _limit(maker, RAIN, "NO", "BUY", 5, 50)
    _trade(taker, RAIN, "YES", "BUY", 5, 50)
    return maker, taker


def _protect(taker: Browser, **thresholds: int) -> str:
    response = taker.call("POST", f"/api/positions/{RAIN}/protections", thresholds)
    assert response.status_code == 201, response.text
    return str(response.json()["protection"]["id"])


def _sells(taker: Browser) -> list[tuple[int, int]]:
    trades = taker.call("GET", "/api/trades").json()["trades"]
    return [(t["quantity"], t["priceCents"]) for t in trades if t["action"] == "SELL"]


def test_take_profit_fires_on_the_mid_once(tmp_path: Path) -> None:
    with serve(tmp_path) as ex:
        maker, taker = _long_five(ex, "tp")
        pid = _protect(taker, takeProfitProbBps=7000)
        _limit(maker, RAIN, "YES", "BUY", 2, 72)  # a bid alone: the mark is the last trade, 50
        _settle(ex)
        assert _sells(taker) == []
        _limit(maker, RAIN, "NO", "BUY", 1, 20)  # the YES ask at 80: mid (72 + 80) / 2 = 76
        wait_for(lambda: len(_notes(taker, "protection")) == 1)
        # The reduce-only sale takes the 2 bid at 72 and leaves 3 held.
        assert _sells(taker) == [(2, 72)]
        [note] = _notes(taker, "protection")
        assert note["trigger"] == "take_profit"
        assert note["priceBps"] == 7600
        assert note["filledQuantityCentis"] == 200
        assert _status(ex, pid) == "fired"
        # A second crossing (mid (75 + 80) / 2 = 77.5) while 3 are still held: no new sale.
        _limit(maker, RAIN, "YES", "BUY", 5, 75)
        _settle(ex)
        assert _sells(taker) == [(2, 72)]
        assert len(_notes(taker, "protection")) == 1
        [position] = taker.call("GET", "/api/positions").json()["positions"]
        assert (position["quantity"], position["protection"]) == (3, None)


def test_closing_by_hand_cancels_the_protection(tmp_path: Path) -> None:
    with serve(tmp_path) as ex:
        maker, taker = _long_five(ex, "hand")
        pid = _protect(taker, stopLossProbBps=3000)
        _limit(maker, RAIN, "YES", "BUY", 5, 45)
        _trade(taker, RAIN, "YES", "SELL", 5, 45)  # flat by hand
        _settle(ex)
        assert _status(ex, pid) == "cancelled"
        # Open again and cross the old stop: the cancelled protection must not sell.
        _limit(maker, RAIN, "NO", "BUY", 1, 50)
        _trade(taker, RAIN, "YES", "BUY", 1, 50)
        _limit(maker, RAIN, "YES", "BUY", 1, 20)
        mover = ex.browser()
        mover.signup("pmover-hand@example.com", dollars=100)
        _trade(mover, RAIN, "NO", "BUY", 1, 80)  # trades at YES 20, under the old stop of 30
        _settle(ex)
        assert _sells(taker) == [(5, 45)]
        assert _notes(taker, "protection") == []
        [position] = taker.call("GET", "/api/positions").json()["positions"]
        assert position["quantity"] == 1


def test_settlement_cancels_the_protection_and_notifies(tmp_path: Path) -> None:
    with serve(tmp_path) as ex:
        _maker, taker = _long_five(ex, "settle")
        pid = _protect(taker, stopLossProbBps=3000)
        ex.admin("POST", f"/markets/{RAIN}/settle", {"result": "yes"})
        _settle(ex)
        assert _status(ex, pid) == "cancelled"
        wait_for(lambda: len(_notes(taker, "settlement")) == 1)
        # 5 YES settle at $1 each.
        assert _notes(taker, "settlement") == [
            {"optionId": RAIN, "result": "yes", "revenueCents": 500}
        ]
        assert _notes(taker, "protection") == []


def _mark_firing(ex: InProcessExchange, pid: str) -> None:
    """Step 1 of firing, as if the trigger service had just committed it (stop at 25)."""
    platform = _platform(ex)
    row = replace(
        platform.protections.live[pid], status="firing", trigger="stop_loss", trigger_price_cc=2500
    )
    platform.protections._index(row)

    def write(tx: Any) -> None:
        tx.exec(
            "UPDATE platform_protections SET status = 'firing', trigger = 'stop_loss', "
            "trigger_price_cc = 2500 WHERE protection_id = ?",
            (pid,),
        )

    ex.portal.call(platform.db.run, write)


def _restart_and_check(tmp_path: Path, taker: Browser, pid: str) -> None:
    with serve(tmp_path) as ex:
        again = ex.browser()
        assert again.login(taker.user["email"]).status_code == 200
        wait_for(lambda: len(_notes(again, "protection")) == 1)
        _settle(ex)
        assert _sells(again) == [(5, 40)]  # one sale, whatever the moment of the crash
        [note] = _notes(again, "protection")
        assert (note["trigger"], note["priceBps"], note["filledQuantityCentis"]) == (
            "stop_loss",
            2500,
            500,
        )
        assert note["orderId"] is not None
        assert _status(ex, pid) == "fired"
        assert again.call("GET", "/api/positions").json()["positions"] == []


def test_resume_fires_a_protection_left_firing_before_its_sale(tmp_path: Path) -> None:
    with serve(tmp_path) as ex:
        maker, taker = _long_five(ex, "r1")
        pid = _protect(taker, stopLossProbBps=3000)
        _limit(maker, RAIN, "YES", "BUY", 5, 40)  # the bid the sale will hit
        _mark_firing(ex, pid)
        assert _sells(taker) == []
    _restart_and_check(tmp_path, taker, pid)


def test_resume_after_the_sale_reached_the_journal_sells_nothing_more(tmp_path: Path) -> None:
    with serve(tmp_path) as ex:
        maker, taker = _long_five(ex, "r2")
        pid = _protect(taker, stopLossProbBps=3000)
        _limit(maker, RAIN, "YES", "BUY", 10, 40)  # room for a second sale, were there one
        _mark_firing(ex, pid)
        intent = OrderIntent(taker.user["id"], RAIN, "YES", "SELL", 500, 1)
        command = place_command(
            intent, immediate=True, reduce_only=True, client_order_id="prot-" + pid
        )
        outcome = ex.portal.call(_platform(ex).submit, command)
        assert outcome.reject is None
        assert _sells(taker) == [(5, 40)]
        # ...and the crash comes before the row became "fired".
    _restart_and_check(tmp_path, taker, pid)
