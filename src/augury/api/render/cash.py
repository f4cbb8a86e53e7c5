"""Cash movements: deposits, withdrawals and subaccount transfers.

Deposits and withdrawals are applied at once by the operator: reported ``applied``, as
ACH, without fee, ``id`` ``"<kind>-<n>"`` (docs/decisions/0009-candlesticks.md). A
transfer's id is the client's own (the exchange keeps it per user as ``user/id``);
amounts are integer cents.
"""

from __future__ import annotations

from typing import TypeVar

from augury.api.render.common import NS_PER_S
from augury.api.schemas import portfolio as wp
from augury.api.schemas import subaccounts as ws
from augury.api.schemas.base import legacy_cents
from augury.domain.units import CC_PER_CENT
from augury.queries.views import CashMovementRecord

__all__ = ["movement", "transfer"]

_Movement = TypeVar("_Movement", wp.Deposit, wp.Withdrawal)


def movement(row: CashMovementRecord, cls: type[_Movement]) -> _Movement:
    """Render a deposit or a withdrawal (``cls``)."""
    ts = row.ts_ns // NS_PER_S
    return cls(
        id=f"{row.kind}-{row.id}",
        status="applied",
        type="ach",
        amount_cents=legacy_cents(abs(row.amount_cc)),
        fee_cents=0,
        created_ts=ts,
        finalized_ts=ts,
    )


def transfer(user_id: str, row: CashMovementRecord) -> ws.SubaccountTransfer:
    """Render a transfer between two subaccounts of ``user_id``."""
    assert row.to_subaccount is not None
    assert row.transfer_id is not None
    return ws.SubaccountTransfer(
        transfer_id=row.transfer_id.removeprefix(user_id + "/"),
        from_subaccount=row.subaccount,
        to_subaccount=row.to_subaccount,
        amount_cents=row.amount_cc // CC_PER_CENT,
        created_ts=row.ts_ns // NS_PER_S,
        exchange_index=0,
    )
