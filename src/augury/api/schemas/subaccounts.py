"""Subaccounts: creation, balances, transfers and netting (CONTRACT §3 ``portfolio``).

Subaccount 0 is the primary account; 1–63 are subaccounts. ``POST
/portfolio/subaccounts`` answers **201** and may arrive without a body (an empty body
decodes as ``{}``). Transfer amounts are **integer cents**; balances are dollar strings.
``client_transfer_id`` is a UUID and decodes to ``uuid.UUID``, so a malformed id is a 400
naming the field; transfers are deduplicated by it in the engine.
"""

import uuid

from augury.api.schemas.base import WireRequest, WireResponse

__all__ = [
    "ApplySubaccountTransferRequest",
    "CreateSubaccountRequest",
    "CreateSubaccountResponse",
    "GetSubaccountBalancesResponse",
    "GetSubaccountNettingResponse",
    "GetSubaccountTransfersResponse",
    "SubaccountBalance",
    "SubaccountNettingConfig",
    "SubaccountTransfer",
    "UpdateSubaccountNettingRequest",
]


# Requests ------------------------------------------------------------------------------


class CreateSubaccountRequest(WireRequest, kw_only=True):
    exchange_index: int | None = None


class ApplySubaccountTransferRequest(WireRequest, kw_only=True):
    client_transfer_id: uuid.UUID
    from_subaccount: int
    to_subaccount: int
    amount_cents: int
    exchange_index: int | None = None


class UpdateSubaccountNettingRequest(WireRequest, kw_only=True):
    subaccount_number: int
    enabled: bool


# Responses -----------------------------------------------------------------------------


class CreateSubaccountResponse(WireResponse, kw_only=True):
    subaccount_number: int


class SubaccountBalance(WireResponse, kw_only=True):
    subaccount_number: int
    exchange_index: int
    balance: str
    updated_ts: int


class GetSubaccountBalancesResponse(WireResponse, kw_only=True):
    subaccount_balances: list[SubaccountBalance]


class SubaccountTransfer(WireResponse, kw_only=True):
    transfer_id: str
    from_subaccount: int
    to_subaccount: int
    amount_cents: int
    created_ts: int
    exchange_index: int


class GetSubaccountTransfersResponse(WireResponse, kw_only=True):
    transfers: list[SubaccountTransfer]
    cursor: str | None = None


class SubaccountNettingConfig(WireResponse, kw_only=True):
    subaccount_number: int
    enabled: bool
    exchange_index: int


class GetSubaccountNettingResponse(WireResponse, kw_only=True):
    netting_configs: list[SubaccountNettingConfig]
