"""API keys of the authenticated user: list, upload, generate and delete (CONTRACT §4.12).

Every key change is an engine command (``RegisterApiKey`` / ``RevokeApiKey``), so keys are
journaled and survive restarts; the context's key ring follows the events, so a new key
signs its first request as soon as the 201 is out, and a deleted one fails at once.

Rules:

- A user sees and deletes only their own keys; anyone else's key id answers 404. A key
  restricted to one subaccount lists only the keys restricted to that same subaccount.
- The operator key (scope ``admin``) cannot be deleted: the admin API would answer 401
  until the next restart re-created it.
- Managing keys needs the ``write`` scope and an unrestricted key: a key bound to one
  subaccount may only read and trade on it, so it must not mint or revoke credentials.
- Scopes default to ``read`` + ``write``; the broad ``write`` requires ``read`` (Kalshi's
  rule), and a key cannot grant a scope it does not hold itself (``read`` covers
  ``read::…``, ``write`` covers ``write::…``).
- ``subaccount`` restricts the new key to one existing subaccount of the user.
  ``fcm_subtrader_id`` is refused: Augury has no FCM members.
- An uploaded public key is RSA 2048-4096 bits or Ed25519 (``check_uploaded_key``), as
  Kalshi accepts; the admin API applies the same check.
- Generated keys follow Kalshi's formats: RSA-2048 as PKCS#1 PEM, Ed25519 as PKCS#8 PEM;
  the private half is returned once and never stored.
"""

from __future__ import annotations

from typing import Final, cast, get_args

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from augury.api import bounds
from augury.api.auth import ApiKeyRecord, KeyFormatError, check_uploaded_key, generate_key_pair
from augury.api.context import Context, json_response
from augury.api.errors import ApiError
from augury.api.routes.admin import new_key_id
from augury.api.routes.orders import ctx
from augury.api.schemas import keys as wk
from augury.api.schemas.codec import decode_request
from augury.api.schemas.enums import ApiKeyScope
from augury.domain.limits import NAME_MAX_LEN, PEM_MAX_LEN
from augury.engine import commands as c

__all__ = ["MAX_KEYS_PER_USER", "routes"]

MAX_KEYS_PER_USER: Final = 100
_NAME_CHARS_MAX: Final = NAME_MAX_LEN
_WIRE_SCOPES: Final = frozenset(get_args(ApiKeyScope))


def _key_manager(context: Context, request: Request) -> ApiKeyRecord:
    record = context.principal(request, "write")
    if record.subaccount is not None:
        raise ApiError(
            403,
            "forbidden",
            "this API key is restricted to a single sub-account and cannot access this endpoint",
        )
    return record


def _grants(holder: tuple[str, ...], scope: str) -> bool:
    return any(
        scope == held or (held in ("read", "write") and scope.startswith(held + "::"))
        for held in holder
    )


def _scopes(record: ApiKeyRecord, requested: list[ApiKeyScope] | None) -> list[str]:
    scopes = list(dict.fromkeys(requested if requested is not None else ["read", "write"]))
    if not scopes:
        raise ApiError(400, "invalid_parameters", "scopes must name at least one scope")
    if "write" in scopes and "read" not in scopes:
        raise ApiError(400, "invalid_parameters", "the write scope requires the read scope")
    denied = [scope for scope in scopes if not _grants(record.scopes, scope)]
    if denied:
        raise ApiError(403, "forbidden", f"this API key cannot grant {', '.join(denied)}")
    return scopes


def _check_new_key(
    context: Context,
    record: ApiKeyRecord,
    name: str,
    subaccount: int | None,
    fcm_subtrader_id: str | None,
) -> None:
    if not 0 < len(name) <= _NAME_CHARS_MAX:
        raise ApiError(400, "invalid_parameters", f"name must be 1 to {_NAME_CHARS_MAX} characters")
    if fcm_subtrader_id is not None:
        raise ApiError(400, "invalid_parameters", "FCM subtraders are not supported")
    user = context.exchange.users.get(record.user_id)
    if user is None:
        raise ApiError(404, "user_not_found", "the key's user does not exist")
    if subaccount is not None and not 0 <= subaccount < user.subaccounts:
        raise ApiError(400, "invalid_parameters", f"subaccount {subaccount} does not exist")
    owned = sum(1 for key in context.exchange.api_keys.values() if key.user_id == record.user_id)
    if owned >= MAX_KEYS_PER_USER:
        raise ApiError(400, "invalid_parameters", f"a user holds at most {MAX_KEYS_PER_USER} keys")


async def _register(
    context: Context,
    record: ApiKeyRecord,
    *,
    name: str,
    public_pem: str,
    key_type: str,
    scopes: list[str],
    subaccount: int | None,
) -> str:
    key_id = new_key_id()
    await context.submit(
        c.RegisterApiKey(
            api_key_id=key_id,
            user_id=record.user_id,
            name=name,
            public_key_pem=public_pem,
            key_type=key_type,
            scopes=scopes,
            subaccount=subaccount,
        )
    )
    return key_id


async def list_keys(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "read")
    keys: list[wk.ApiKey] = []
    # Keys bound to an FCM subtrader do not exist here, so that filter matches nothing.
    if request.query_params.get("fcm_subtrader_id") is None:
        mine = [
            k
            for k in context.exchange.api_keys.values()
            if k.user_id == record.user_id
            and (record.subaccount is None or k.subaccount == record.subaccount)
        ]
        mine.sort(key=lambda k: (k.created_ns, k.api_key_id))
        keys = [
            wk.ApiKey(
                api_key_id=k.api_key_id,
                name=k.name,
                # The operator's "admin" scope is not a Kalshi scope; the wire omits it.
                scopes=cast(list[ApiKeyScope], [s for s in k.scopes if s in _WIRE_SCOPES]),
                subaccount=k.subaccount,
            )
            for k in mine
        ]
    return json_response(wk.GetApiKeysResponse(api_keys=keys))


async def create_key(request: Request) -> Response:
    context = ctx(request)
    record = _key_manager(context, request)
    req = decode_request(await request.body(), wk.CreateApiKeyRequest)
    scopes = _scopes(record, req.scopes)
    _check_new_key(context, record, req.name, req.subaccount, req.fcm_subtrader_id)
    bounds.text("public_key", req.public_key, PEM_MAX_LEN)
    try:
        key_type = check_uploaded_key(req.public_key)
    except KeyFormatError as error:
        raise ApiError(400, "invalid_parameters", str(error)) from None
    key_id = await _register(
        context,
        record,
        name=req.name,
        public_pem=req.public_key,
        key_type=key_type,
        scopes=scopes,
        subaccount=req.subaccount,
    )
    return json_response(wk.CreateApiKeyResponse(api_key_id=key_id), 201)


async def generate_key(request: Request) -> Response:
    context = ctx(request)
    record = _key_manager(context, request)
    req = decode_request(await request.body(), wk.GenerateApiKeyRequest)
    scopes = _scopes(record, req.scopes)
    _check_new_key(context, record, req.name, req.subaccount, req.fcm_subtrader_id)
    key_type = req.key_type or "rsa"
    private_pem, public_pem = generate_key_pair(key_type)
    key_id = await _register(
        context,
        record,
        name=req.name,
        public_pem=public_pem,
        key_type=key_type,
        scopes=scopes,
        subaccount=req.subaccount,
    )
    return json_response(
        wk.GenerateApiKeyResponse(api_key_id=key_id, key_type=key_type, private_key=private_pem),
        201,
    )


async def delete_key(request: Request) -> Response:
    context = ctx(request)
    record = _key_manager(context, request)
    key_id = request.path_params["api_key"]
    key = context.exchange.api_keys.get(key_id)
    if key is None or key.user_id != record.user_id:
        raise ApiError(404, "not_found", "API key not found")
    if "admin" in key.scopes:
        raise ApiError(403, "forbidden", "the operator key cannot be deleted")
    outcome = await context.runtime.sequencer.submit(
        c.RevokeApiKey(api_key_id=key_id, user_id=record.user_id)
    )
    # Only a concurrent delete of the same key can get here and be refused.
    if outcome.reject is not None:
        raise ApiError(404, "not_found", "API key not found")
    return Response(status_code=204)


routes = [
    Route("/api_keys", list_keys, methods=["GET"]),
    Route("/api_keys", create_key, methods=["POST"]),
    Route("/api_keys/generate", generate_key, methods=["POST"]),
    Route("/api_keys/{api_key}", delete_key, methods=["DELETE"]),
]
