"""Subaccounts: create, balances, transfers between them, and netting (CONTRACT §3).

Subaccount 0 is the primary account; ``POST /portfolio/subaccounts`` opens the next number
(1-63) through the engine's ``CreateSubaccount``. A transfer is ``TransferCash``: the engine
deduplicates it by id, so reusing a ``client_transfer_id`` answers 409 and moves nothing.
Ids are kept per user (``{user_id}/{client_transfer_id}`` in the engine) so one user's id
can never collide with another's. A key restricted to one subaccount may read it but not
create subaccounts or transfer (Kalshi's rule).

Transfer history (``GET /portfolio/subaccounts/transfers``) is served from the
``cash_movements`` history read model (``augury.store.history``), written from the engine's
``CashMovement`` events and rebuilt from the journal, so it survives restarts. As for every
portfolio read there, the read first waits for the queued history writes, so a transfer
answered before the read began is listed. Newest first, with the reader's keyset cursor.

Netting: Augury never nets collateral across markets of an event (no MECNET/DIRECNET
``collateral_return_type``), so every subaccount reports ``enabled: false``, and a request
to enable it is refused with 400 ``invalid_parameters`` rather than accepted and ignored:
a client that relies on netting must learn it is not there. Disabling is accepted (it is
already the state).
"""

from __future__ import annotations

from typing import Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from augury.api import bounds
from augury.api.auth import ApiKeyRecord
from augury.api.context import Context, json_response
from augury.api.errors import ApiError
from augury.api.routes.history import read
from augury.api.routes.markets import page_params
from augury.api.routes.orders import ctx
from augury.api.schemas import subaccounts as ws
from augury.api.schemas.codec import decode_request
from augury.domain.limits import MONEY_MAX_CC
from augury.domain.units import CC_PER_CENT, dollars_cc_to_str
from augury.engine import commands as c
from augury.engine.exchange import UserInfo
from augury.store.records import CashMovementRecord

__all__ = ["routes"]

_NS_PER_S: Final = 1_000_000_000


def _transfer_wire(user_id: str, row: CashMovementRecord) -> ws.SubaccountTransfer:
    assert row.to_subaccount is not None
    assert row.transfer_id is not None
    return ws.SubaccountTransfer(
        transfer_id=row.transfer_id.removeprefix(user_id + "/"),
        from_subaccount=row.subaccount,
        to_subaccount=row.to_subaccount,
        amount_cents=row.amount_cc // CC_PER_CENT,
        created_ts=row.ts_ns // _NS_PER_S,
        exchange_index=0,
    )


def _user(context: Context, record: ApiKeyRecord) -> UserInfo:
    user = context.exchange.users.get(record.user_id)
    if user is None:
        raise ApiError(404, "user_not_found", "the key's user does not exist")
    return user


def _unrestricted(record: ApiKeyRecord) -> None:
    if record.subaccount is not None:
        raise ApiError(
            403,
            "forbidden",
            "this API key is restricted to a single sub-account and cannot access this endpoint",
        )


def _visible(record: ApiKeyRecord, user: UserInfo) -> range:
    if record.subaccount is not None:
        return range(record.subaccount, record.subaccount + 1)
    return range(user.subaccounts)


async def create_subaccount(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "write")
    _unrestricted(record)
    req = decode_request(await request.body(), ws.CreateSubaccountRequest)
    if req.exchange_index not in (None, 0):
        raise ApiError(400, "invalid_parameters", "this exchange has one shard: exchange_index 0")
    outcome = await context.submit(c.CreateSubaccount(user_id=record.user_id))
    return json_response(ws.CreateSubaccountResponse(subaccount_number=outcome.value), 201)


async def balances(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "read")
    user = _user(context, record)
    accounts = context.exchange.ledger.accounts
    rows = []
    for number in _visible(record, user):
        account = accounts.get((record.user_id, number))
        if account is None:
            continue
        rows.append(
            ws.SubaccountBalance(
                subaccount_number=number,
                exchange_index=0,
                balance=dollars_cc_to_str(account.available_cc),
                updated_ts=account.updated_ns // _NS_PER_S,
            )
        )
    return json_response(ws.GetSubaccountBalancesResponse(subaccount_balances=rows))


async def transfer(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "write")
    _unrestricted(record)
    req = decode_request(await request.body(), ws.ApplySubaccountTransferRequest)
    if req.exchange_index not in (None, 0):
        raise ApiError(400, "invalid_parameters", "this exchange has one shard: exchange_index 0")
    for name, number in (
        ("from_subaccount", req.from_subaccount),
        ("to_subaccount", req.to_subaccount),
    ):
        if not 0 <= number <= 63:
            raise ApiError(400, "invalid_parameters", f"{name} must be between 0 and 63")
    bounds.int_in("amount_cents", req.amount_cents, 1, MONEY_MAX_CC // CC_PER_CENT)
    await context.submit(
        c.TransferCash(
            user_id=record.user_id,
            from_subaccount=req.from_subaccount,
            to_subaccount=req.to_subaccount,
            amount_cc=req.amount_cents * CC_PER_CENT,
            transfer_id=f"{record.user_id}/{req.client_transfer_id}",
        )
    )
    return json_response({})


async def transfers(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "read")
    limit, cursor = page_params(request)
    rows, next_cursor = await read(
        context,
        lambda r: r.cash_movements(
            record.user_id,
            kind="transfer",
            subaccount=record.subaccount,
            limit=limit,
            cursor=cursor,
        ),
        drain=True,
    )
    return json_response(
        ws.GetSubaccountTransfersResponse(
            transfers=[_transfer_wire(record.user_id, row) for row in rows], cursor=next_cursor
        )
    )


async def get_netting(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "read")
    user = _user(context, record)
    return json_response(
        ws.GetSubaccountNettingResponse(
            netting_configs=[
                ws.SubaccountNettingConfig(subaccount_number=n, enabled=False, exchange_index=0)
                for n in _visible(record, user)
            ]
        )
    )


async def set_netting(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "write")
    user = _user(context, record)
    req = decode_request(await request.body(), ws.UpdateSubaccountNettingRequest)
    if req.subaccount_number not in _visible(record, user):
        raise ApiError(400, "invalid_parameters", f"subaccount {req.subaccount_number} not found")
    if req.enabled:
        raise ApiError(
            400,
            "invalid_parameters",
            "netting is not available: this exchange does not net collateral across markets",
        )
    return json_response({})


routes = [
    Route("/portfolio/subaccounts", create_subaccount, methods=["POST"]),
    Route("/portfolio/subaccounts/balances", balances, methods=["GET"]),
    Route("/portfolio/subaccounts/transfer", transfer, methods=["POST"]),
    Route("/portfolio/subaccounts/transfers", transfers, methods=["GET"]),
    Route("/portfolio/subaccounts/netting", get_netting, methods=["GET"]),
    Route("/portfolio/subaccounts/netting", set_netting, methods=["PUT"]),
]
