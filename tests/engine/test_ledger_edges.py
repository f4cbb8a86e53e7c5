"""Ledger edges the Python engine reaches only through paths that servers now run on the
native engine (their tests exercise the Rust twin); checked here on the Python ledger
directly, with expectations from the limits and the settlement rule, not from the code.
"""

from __future__ import annotations

import pytest

from augury.domain.limits import MONEY_MAX_CC
from augury.domain.rejects import Reject, RejectReason
from augury.ledger.accounts import Ledger


def test_a_deposit_past_the_exchange_money_limit_is_refused_without_change() -> None:
    ledger = Ledger()
    account = ledger.open_account(("alice", 0), 1)
    ledger.deposit(account, MONEY_MAX_CC, 1)  # exactly the limit is allowed
    with pytest.raises(Reject) as refused:
        ledger.deposit(account, 100, 2)  # one cent more is not
    assert refused.value.reason is RejectReason.MONEY_LIMIT
    assert account.available_cc == MONEY_MAX_CC
    assert ledger.external_cc == -MONEY_MAX_CC


def test_settling_a_market_twice_pays_nothing_the_second_time() -> None:
    ledger = Ledger()
    position = ledger.position(("alice", 0), "M", 1)
    ledger.open_account(("alice", 0), 1)
    position.position_c = 0  # flat: settled with no payout line
    assert ledger.settle_market("M", 10_000, 2) == []
    assert position.settled
    assert ledger.settle_market("M", 10_000, 3) == []  # already settled: skipped
