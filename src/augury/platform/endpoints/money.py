"""Deposits, withdrawals, payment gateways and the public feature-flag map."""

from __future__ import annotations

from starlette.responses import Response

from augury.platform import schemas as s
from augury.platform.cash import gateway_wire
from augury.platform.http import PlatformError, json_reply
from augury.platform.routing import Call, Endpoint, Query

__all__ = ["ENDPOINTS"]


async def _request(call: Call, kind: str) -> Response:
    body: s.CashRequestBody = call.body
    if body.amount_cents > call.platform.settings.cash_request_max_cents:
        raise PlatformError(400, "amountCents is too large")
    row = await call.platform.cash.request(call.user.user_id, kind, body.gateway, body.amount_cents)
    return json_reply(s.CashRequestResponse(request=row.wire()), 202)


async def deposit(call: Call) -> Response:
    return await _request(call, "deposit")


async def withdraw(call: Call) -> Response:
    return await _request(call, "withdrawal")


async def list_deposits(call: Call) -> Response:
    rows = await call.platform.cash.mine(call.user.user_id, "deposit")
    return json_reply(s.CashRequestList(requests=[r.wire() for r in rows]))


async def list_withdrawals(call: Call) -> Response:
    rows = await call.platform.cash.mine(call.user.user_id, "withdrawal")
    return json_reply(s.CashRequestList(requests=[r.wire() for r in rows]))


async def gateways(call: Call) -> Response:
    mode = call.query("mode", "deposit")
    if mode not in ("deposit", "withdrawal"):
        raise PlatformError(400, "mode is deposit or withdrawal")
    names = await call.platform.cash.enabled(mode)
    limit = call.platform.settings.cash_request_max_cents
    return json_reply(s.GatewayList(gateways=[gateway_wire(n, mode, limit) for n in names]))


async def flags(call: Call) -> Response:
    rows = await call.platform.db.read(
        lambda tx: tx.all("SELECT name, enabled FROM platform_flags ORDER BY name")
    )
    return json_reply(s.Flags(flags={str(n): bool(e) for n, e in rows}))


_STATUSES = (202, 400, 401, 402, 403, 409, 429)

ENDPOINTS = [
    Endpoint(
        "POST",
        "/api/deposits",
        deposit,
        "write",
        "Submit a deposit (403 with the reason until the operator enables a gateway)",
        s.CashRequestBody,
        s.CashRequestResponse,
        statuses=_STATUSES,
    ),
    Endpoint(
        "GET",
        "/api/deposits",
        list_deposits,
        "read",
        "Your deposit requests",
        response=s.CashRequestList,
        statuses=(200, 401, 429),
    ),
    Endpoint(
        "POST",
        "/api/withdrawals",
        withdraw,
        "write",
        "Request a withdrawal (403 with the reason until the operator enables a gateway)",
        s.CashRequestBody,
        s.CashRequestResponse,
        statuses=_STATUSES,
    ),
    Endpoint(
        "GET",
        "/api/withdrawals",
        list_withdrawals,
        "read",
        "Your withdrawal requests",
        response=s.CashRequestList,
        statuses=(200, 401, 429),
    ),
    Endpoint(
        "GET",
        "/api/payment-gateways",
        gateways,
        "public",
        "Payment methods enabled for deposits or withdrawals",
        response=s.GatewayList,
        statuses=(200, 400, 429),
        query=(Query("mode", "deposit (default) or withdrawal"),),
    ),
    Endpoint(
        "GET",
        "/api/flags",
        flags,
        "public",
        "The public feature-flag map (set by the operator)",
        response=s.Flags,
        statuses=(200, 429),
    ),
]
