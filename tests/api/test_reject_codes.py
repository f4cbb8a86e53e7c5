"""The reject -> Kalshi code table (``augury.api.errors.REJECT_MAP``) is complete and says
only what the contract says.

Expectations come from CONTRACT.md §9, transcribed here: the codes Kalshi is documented
or observed to answer (§9.2, the FIX reject texts in their lowercase REST form), and the
status rules of §9.3 (404 for an unknown thing, 409 for a duplicate and for a market or
exchange refusing trading now, 400 for the rest). A code the contract does not know must
be listed in ``AUGURY_ONLY`` with the reason Augury needs it.
"""

from __future__ import annotations

import pytest

from augury.api.errors import REJECT_MAP, from_reject
from augury.domain.rejects import Reject, RejectReason

# CONTRACT.md §9.2: documented, observed, and FIX reject texts (lowercased, as REST
# answers them). Combo, RFQ and exit-trigger codes are listed for completeness.
CONTRACT_CODES = {
    # documented
    "invalid_order", "invalid_order_size", "available_balance_too_low",
    "order_id_and_client_order_id_mismatch", "order_side_mismatch", "order_ticker_mismatch",
    "invalid_parameters", "conflicting_leg_outcomes", "duplicated_legs",
    "invalid_market_combination", "rfq_closed", "insufficient_balance",
    "anchor_order_unavailable",
    # observed
    "trading_is_paused", "exchange_is_paused", "market_closed", "order_already_exists",
    "not_found", "authentication_error", "header_timestamp_expired", "service_unavailable",
    "deprecated_v1_order_endpoint",
    # FIX reject texts
    "market_already_closed", "market_inactive", "market_not_found", "self_cross_attempt",
    "self_cross_attempt_partially_filled", "exceeded_order_group_risk_limit",
    "exchange_paused", "trading_paused", "order_group_not_found",
    "exceeded_per_market_risk_limit", "exceeded_sell_position_floor",
    "customer_account_not_found", "permission_denied_for_customer_account",
    "fok_insufficient_volume", "post_only_cross", "order_group_cancel",
    "taker_cancel_for_self_trade_prevention", "maker_cancel_for_self_trade_prevention",
    "immediate_or_cancelled", "expired", "invalid_amend_qty_for_order",
    "cannot_update_filled_order",
}  # fmt: skip

# Codes Augury answers where the contract names none, each with why.
AUGURY_ONLY = {
    # Perps answers `user_not_found:_<uuid>` (CONTRACT §9.2); Augury drops the id.
    "user_not_found": 404,
    # A second subaccount transfer under a spent id, or a second user under a taken name:
    # a duplicate, 409 by §9.3, with a generic code.
    "already_exists": 409,
    # An operator's lifecycle step the market's state does not allow (admin only).
    "invalid_transition": 409,
    # Augury's bound on resting orders per account (bad input never grows state unbounded).
    "too_many_resting_orders": 400,
    # A command whose apply raised (a bug) was undone by the sequencer (decision 0015):
    # a server error, 500 by §9.3; Kalshi's observed 503 code means "paused", not this.
    "internal_server_error": 500,
}

# CONTRACT §9.3 and the [3P-OBS] note under it.
NOT_FOUND = 404
CONFLICT = 409  # duplicates, and a market or the exchange refusing trading now
CONFLICT_CODES = {
    "order_already_exists", "trading_is_paused", "exchange_is_paused", "market_closed",
    "market_inactive", "exceeded_order_group_risk_limit", "cannot_update_filled_order",
}  # fmt: skip


def test_every_reject_reason_has_exactly_one_mapping() -> None:
    assert set(REJECT_MAP) == set(RejectReason)


@pytest.mark.parametrize("reason", list(RejectReason), ids=str)
def test_each_mapping_uses_a_contract_code_with_the_contracts_status(
    reason: RejectReason,
) -> None:
    status, code = REJECT_MAP[reason]
    assert code in CONTRACT_CODES or code in AUGURY_ONLY, f"{reason}: {code} is not Kalshi's"
    assert code == code.lower()
    if code in AUGURY_ONLY:
        expected = AUGURY_ONLY[code]
    elif code.endswith("not_found"):
        expected = NOT_FOUND
    elif code in CONFLICT_CODES:
        expected = CONFLICT
    else:
        expected = 400
    assert status == expected, (reason, code)


def test_the_augury_only_codes_are_neither_stale_nor_kalshis() -> None:
    used = {code for _status, code in REJECT_MAP.values()}
    assert set(AUGURY_ONLY) <= used
    assert not set(AUGURY_ONLY) & CONTRACT_CODES


@pytest.mark.parametrize("reason", list(RejectReason), ids=str)
def test_a_reject_reaches_the_wire_with_its_code_status_and_reason(reason: RejectReason) -> None:
    error = from_reject(Reject(reason, "why it was refused"))
    assert (error.status, error.code) == REJECT_MAP[reason]
    assert error.message == "why it was refused"
    assert error.details == reason.value  # the engine's own reason, for the curious
