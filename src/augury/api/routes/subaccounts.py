"""Subaccounts: create, balances, transfers between them, and netting (CONTRACT §3).

Subaccount 0 is the primary account; ``POST /portfolio/subaccounts`` opens the next number
(1-63) through the engine's ``CreateSubaccount``. A transfer is ``TransferCash``: the engine
deduplicates it by id, so reusing a ``client_transfer_id`` answers 409 and moves nothing.
Ids are kept per user (``{user_id}/{client_transfer_id}`` in the engine) so one user's id
can never collide with another's. A key restricted to one subaccount may read it but not
create subaccounts or transfer (Kalshi's rule).

Transfer history (``GET /portfolio/subaccounts/transfers``) is served from the
``cash_movements`` history read model (``augury.store.history_writer``), written from the engine's
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

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from augury.api import bounds
from augury.api.auth import ApiKeyRecord
from augury.api.context import Context, context_of, json_response
from augury.api.errors import ApiError
from augury.api.params import page_params, paged
from augury.api.render import balance as render_balance
from augury.api.render import cash as render_cash
from augury.api.schemas import subaccounts as ws
from augury.api.schemas.codec import decode_request
from augury.domain.limits import MONEY_MAX_CC
from augury.domain.units import CC_PER_CENT
from augury.engine import commands as c
from augury.queries import UserView

__all__ = ["routes"]


def _user(context: Context, record: ApiKeyRecord) -> UserView:
    user = context.queries.user(record.user_id)
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


def _visible(record: ApiKeyRecord, user: UserView) -> range:
    if record.subaccount is not None:
        return range(record.subaccount, record.subaccount + 1)
    return range(user.subaccounts)


async def create_subaccount(request: Request) -> Response:
    context = context_of(request)
    record = context.principal(request, "write")
    _unrestricted(record)
    req = decode_request(await request.body(), ws.CreateSubaccountRequest)
    if req.exchange_index not in (None, 0):
        raise ApiError(400, "invalid_parameters", "this exchange has one shard: exchange_index 0")
    outcome = await context.submit(c.CreateSubaccount(user_id=record.user_id))
    return json_response(ws.CreateSubaccountResponse(subaccount_number=outcome.value), 201)


async def balances(request: Request) -> Response:
    context = context_of(request)
    record = context.principal(request, "read")
    user = _user(context, record)
    rows = []
    for number in _visible(record, user):
        account = context.queries.balance(record.user_id, number)
        if account is not None:
            rows.append(render_balance.subaccount_balance(account))
    return json_response(ws.GetSubaccountBalancesResponse(subaccount_balances=rows))


async def transfer(request: Request) -> Response:
    context = context_of(request)
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
    context = context_of(request)
    record = context.principal(request, "read")
    limit, cursor = page_params(request)
    page = await paged(
        context.queries.cash_movements(
            record.user_id,
            kind="transfer",
            subaccount=record.subaccount,
            limit=limit,
            cursor=cursor,
        )
    )
    return json_response(
        ws.GetSubaccountTransfersResponse(
            transfers=[render_cash.transfer(record.user_id, row) for row in page.items],
            cursor=page.cursor,
        )
    )


async def get_netting(request: Request) -> Response:
    context = context_of(request)
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
    context = context_of(request)
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
