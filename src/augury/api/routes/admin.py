"""The operator's admin API under ``/admin/v1``, signed with the operator key.

The same Kalshi-style signature as the trading API, over the ``/admin/v1/...`` path; only
a key carrying the ``admin`` scope (the operator key made on first start) is let in, any
other key gets 403. Every operation is an engine command, so it is journaled, replayed on
recovery and audited like a trade. ``augury admin`` is a thin client of these endpoints
and prints their JSON bodies.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from augury.api import bounds
from augury.api.auth import KeyFormatError, check_uploaded_key, generate_key_pair
from augury.api.context import json_response
from augury.api.errors import ApiError
from augury.api.routes.orders import ctx
from augury.catalog import CatalogError, catalog_commands
from augury.domain.limits import (
    ID_MAX_LEN,
    MONEY_MAX_CC,
    NAME_MAX_LEN,
    PEM_MAX_LEN,
    PRICE_MAX_CC,
    WORD_MAX_LEN,
)
from augury.domain.units import UnitError, dollars_cc_from_str, dollars_cc_to_str
from augury.engine import commands as c
from augury.engine.audit import audit
from augury.engine.state import state_digest

__all__ = ["new_key_id", "routes"]

_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


def new_key_id() -> str:
    """Return a fresh random API key id in UUID form."""
    raw = secrets.token_hex(16)
    return f"{raw[:8]}-{raw[8:12]}-4{raw[13:16]}-a{raw[17:20]}-{raw[20:]}"


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = msgspec.json.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        # Malformed, not UTF-8, or nested beyond what the decoder follows.
        raise ApiError(400, "invalid_parameters", "body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_parameters", "body must be a JSON object")
    return data


def _dollars(data: dict[str, Any], key: str, bound_cc: int = MONEY_MAX_CC) -> int:
    value = data.get(key)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ApiError(400, "invalid_parameters", f"{key} must be a dollar amount")
    try:
        amount = dollars_cc_from_str(str(value))
    except UnitError:
        raise ApiError(400, "invalid_parameters", f"{key} must be a dollar amount") from None
    if not 0 <= amount <= bound_cc:
        raise ApiError(
            400, "invalid_parameters", f"{key} must be between 0 and {dollars_cc_to_str(bound_cc)}"
        )
    return amount


def _short(data: dict[str, Any], key: str, default: str, max_len: int) -> str:
    value = data.get(key) or default
    if not isinstance(value, str) or len(value) > max_len:
        raise ApiError(
            400, "invalid_parameters", f"{key} must be text of at most {max_len} characters"
        )
    return value


def _name(value: object) -> str:
    if not isinstance(value, str) or not _NAME.match(value):
        raise ApiError(400, "invalid_parameters", "a user name is 1-64 of A-Z a-z 0-9 _ . @ -")
    return value


async def create_user(request: Request) -> Response:
    context = ctx(request)
    context.principal(request, "admin")
    data = await _body(request)
    name = _name(data.get("name"))
    deposit = _dollars(data, "deposit")
    if deposit and deposit - context.exchange.ledger.external_cc > MONEY_MAX_CC:
        raise ApiError(400, "invalid_parameters", "deposit would exceed the money limit")
    # The deposit follows only a creation that was accepted: an existing user is refused
    # (409) and nothing is deposited, so a provisioning script that retries cannot mint
    # money. (A crash between the two leaves the user unfunded, never funded twice.)
    await context.submit(c.CreateUser(user_id=name, name=name))
    if deposit:
        await context.submit(c.Deposit(user_id=name, amount_cc=deposit))
    return json_response({"user_id": name}, 201)


async def list_users(request: Request) -> Response:
    context = ctx(request)
    context.principal(request, "admin")
    exchange = context.exchange
    users = []
    for user_id in sorted(exchange.users):
        user = exchange.users[user_id]
        account = exchange.ledger.accounts[(user_id, 0)]
        users.append(
            {
                "user_id": user_id,
                "name": user.name,
                "tier": user.tier or "default",
                "balance_dollars": dollars_cc_to_str(account.available_cc),
                "reserved_dollars": dollars_cc_to_str(account.reserved_cc),
                "subaccounts": user.subaccounts,
                "resting_orders": user.resting,
            }
        )
    return json_response({"users": users})


async def move_cash(request: Request) -> Response:
    context = ctx(request)
    context.principal(request, "admin")
    data = await _body(request)
    name = _name(request.path_params["name"])
    amount = _dollars(data, "amount")
    kind = request.path_params["kind"]
    command: c.Single
    if kind == "deposit":
        command = c.Deposit(user_id=name, amount_cc=amount)
    elif kind == "withdraw":
        command = c.Withdraw(user_id=name, amount_cc=amount)
    else:
        raise ApiError(404, "not_found", f"unknown cash operation {kind!r}")
    outcome = await context.submit(command)
    return json_response({"user_id": name, "balance_dollars": dollars_cc_to_str(outcome.value)})


async def set_tier(request: Request) -> Response:
    context = ctx(request)
    context.principal(request, "admin")
    data = await _body(request)
    name = _name(request.path_params["name"])
    tier = _short(data, "tier", "", WORD_MAX_LEN)
    await context.submit(c.SetUserTier(user_id=name, tier=tier))
    return json_response({"user_id": name, "tier": tier})


def _scopes(data: dict[str, Any]) -> list[str]:
    scopes = data.get("scopes") or ["read", "write"]
    if not isinstance(scopes, list) or not all(s in ("read", "write") for s in scopes):
        raise ApiError(400, "invalid_parameters", "scopes are read and/or write")
    return sorted(set(scopes))


async def create_key(request: Request) -> Response:
    context = ctx(request)
    context.principal(request, "admin")
    data = await _body(request)
    name = _name(data.get("user"))
    pem = _short(data, "public_key", "", PEM_MAX_LEN)
    try:
        key_type = check_uploaded_key(pem)
    except KeyFormatError as error:
        raise ApiError(400, "invalid_parameters", str(error)) from None
    key_id = new_key_id()
    await context.submit(
        c.RegisterApiKey(
            api_key_id=key_id,
            user_id=name,
            name=_short(data, "name", name, NAME_MAX_LEN),
            public_key_pem=pem,
            key_type=key_type,
            scopes=_scopes(data),
        )
    )
    return json_response({"api_key_id": key_id}, 201)


async def generate_key(request: Request) -> Response:
    context = ctx(request)
    context.principal(request, "admin")
    data = await _body(request)
    name = _name(data.get("user"))
    key_type = data.get("type", "rsa")
    if key_type not in ("rsa", "ed25519"):
        raise ApiError(400, "invalid_parameters", "type is rsa or ed25519")
    private_pem, public_pem = generate_key_pair(key_type)
    key_id = new_key_id()
    await context.submit(
        c.RegisterApiKey(
            api_key_id=key_id,
            user_id=name,
            name=_short(data, "name", name, NAME_MAX_LEN),
            public_key_pem=public_pem,
            key_type=key_type,
            scopes=_scopes(data),
        )
    )
    return json_response({"api_key_id": key_id, "private_key": private_pem}, 201)


async def revoke_key(request: Request) -> Response:
    """Revoke any user's API key by id (a leaked key, a departed user).

    The operator key is refused (403) here, and again by the engine (``RevokeApiKey``
    rejects an ``admin``-scoped key), so no route can lock the operator out. Revocation
    closes the WebSocket sessions the key opened (``api.ws.hub``)."""
    context = ctx(request)
    context.principal(request, "admin")
    key_id = bounds.text("api_key_id", request.path_params["api_key_id"], ID_MAX_LEN)
    key = context.exchange.api_keys.get(key_id)
    if key is None:
        raise ApiError(404, "not_found", "API key not found")
    if "admin" in key.scopes:
        raise ApiError(403, "forbidden", "the operator key cannot be revoked")
    outcome = await context.runtime.sequencer.submit(
        c.RevokeApiKey(api_key_id=key_id, user_id=key.user_id)
    )
    if outcome.reject is not None:  # a concurrent revoke of the same key got there first
        raise ApiError(404, "not_found", "API key not found")
    return json_response({"api_key_id": key_id, "user_id": key.user_id, "revoked": True})


async def load_catalog(request: Request) -> Response:
    context = ctx(request)
    context.principal(request, "admin")
    data = await _body(request)
    try:
        items = catalog_commands(data, context.clock.now_ns())
    except CatalogError as error:
        raise ApiError(400, "invalid_parameters", f"catalog: {error}") from None
    except (KeyError, TypeError, AttributeError, ValueError):
        # Not the shape of a catalog (an entry that is not a mapping, a missing key...).
        raise ApiError(400, "invalid_parameters", "catalog: malformed entry") from None
    outcome = await context.submit(c.Batch.of(items))
    created = 0
    errors = []
    for item, result in zip(items, outcome.value, strict=True):
        if result.reject is not None:
            errors.append(
                {
                    "item": getattr(item, "ticker", getattr(item, "event_ticker", "")),
                    "error": result.reject.message,
                }
            )
        elif result.value:
            created += 1
    status = 400 if errors and not created else 200
    return json_response(
        {"created": created, "unchanged": len(items) - created - len(errors), "errors": errors},
        status,
    )


async def market_action(request: Request) -> Response:
    context = ctx(request)
    context.principal(request, "admin")
    ticker = bounds.ticker("ticker", request.path_params["ticker"])
    action = request.path_params["action"]
    if action in ("pause", "resume", "close"):
        outcome = await context.submit(c.SetMarketState(ticker=ticker, action=action))
        return json_response({"ticker": ticker, "status": outcome.value})
    if action != "settle":
        raise ApiError(404, "not_found", f"unknown market action {action!r}")
    data = await _body(request)
    result = data.get("result")
    if result not in ("yes", "no", "scalar", "void"):
        raise ApiError(400, "invalid_parameters", "result is yes, no, scalar or void")
    value = _dollars(data, "value", PRICE_MAX_CC) if result == "scalar" else None
    outcome = await context.submit(
        c.DetermineMarket(
            ticker=ticker,
            result=result,
            value_cc=value,
            settle_now=True,
        )
    )
    return json_response({"ticker": ticker, "status": outcome.value, "result": result})


async def exchange_action(request: Request) -> Response:
    context = ctx(request)
    context.principal(request, "admin")
    action = request.path_params["action"]
    if action not in ("pause", "resume"):
        raise ApiError(404, "not_found", f"unknown exchange action {action!r}")
    outcome = await context.submit(c.SetExchangeState(paused=action == "pause"))
    return json_response({"trading_active": outcome.value})


async def state(request: Request) -> Response:
    context = ctx(request)
    context.principal(request, "admin")
    return json_response(
        {
            "last_seq": context.runtime.sequencer.last_seq,
            "state_digest": state_digest(context.exchange),
        }
    )


async def run_audit(request: Request) -> Response:
    context = ctx(request)
    context.principal(request, "admin")
    recovery = context.runtime.recovery
    return json_response(
        {
            "problems": audit(context.exchange),
            "last_seq": context.runtime.sequencer.last_seq,
            "state_digest": state_digest(context.exchange),
            "history": {
                "skipped_commands": list(context.runtime.history.skipped),
                "failed": context.runtime.history.failed is not None,
            },
            "recovery": {
                "snapshot_seq": recovery.snapshot_seq,
                "replayed": recovery.replayed,
                "dropped_records": recovery.dropped_records,
                "seconds": round(recovery.seconds, 3),
            },
        }
    )


routes = [
    Route("/users", create_user, methods=["POST"]),
    Route("/users", list_users, methods=["GET"]),
    Route("/users/{name}/tier", set_tier, methods=["POST"]),
    Route("/users/{name}/{kind}", move_cash, methods=["POST"]),
    Route("/keys", create_key, methods=["POST"]),
    Route("/keys/generate", generate_key, methods=["POST"]),
    Route("/keys/{api_key_id}", revoke_key, methods=["DELETE"]),
    Route("/catalog", load_catalog, methods=["POST"]),
    Route("/markets/{ticker}/{action}", market_action, methods=["POST"]),
    Route("/exchange/{action}", exchange_action, methods=["POST"]),
    Route("/state", state, methods=["GET"]),
    Route("/audit", run_audit, methods=["GET"]),
]
