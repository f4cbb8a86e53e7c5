"""Accounts: register, log in and out, who am I, password change, tokens, Kalshi keys."""

from __future__ import annotations

import asyncio

from starlette.responses import Response

from augury.api.auth import generate_key_pair
from augury.api.routes.admin import new_key_id
from augury.engine import commands as c
from augury.platform import credentials, render, signup
from augury.platform import schemas as s
from augury.platform.auth import check_same_origin
from augury.platform.cookies import clear_session_cookie, set_session_cookie
from augury.platform.db import Tx
from augury.platform.http import PlatformError, client_address, json_reply
from augury.platform.routing import Call, Endpoint

__all__ = ["ENDPOINTS"]


async def register(call: Call) -> Response:
    check_same_origin(call.request)
    body: s.RegisterRequest = call.body
    account = await signup.register(
        call.platform,
        email=body.email,
        password=body.password,
        first_name=body.first_name,
        last_name=body.last_name,
        referral_code=body.referral_code,
        invite_code=body.invite_code,
    )
    return json_reply(s.UserResponse(user=render.user(account)), 201)


async def login(call: Call) -> Response:
    check_same_origin(call.request)
    body: s.LoginRequest = call.body
    account, session_id, csrf = await signup.login(
        call.platform, body.email, body.password, client_address(call.request)
    )
    response = json_reply(
        s.MeResponse(
            user=render.user(account), auth="session", scopes=["read", "write"], csrf_token=csrf
        )
    )
    set_session_cookie(
        response, call.request, session_id, call.platform.settings.session_lifetime_s
    )
    return response


async def logout(call: Call) -> Response:
    session_hash = call.user.session_hash
    assert session_hash is not None
    await call.platform.db.run(lambda tx: credentials.end_session(tx, session_hash))
    response = json_reply(s.OkResponse(ok=True))
    clear_session_cookie(response, call.request)
    return response


async def me(call: Call) -> Response:
    user = call.user
    return json_reply(
        s.MeResponse(
            user=render.user(user.account),
            auth=user.via,
            scopes=list(user.scopes),
            csrf_token=user.csrf_token,
        )
    )


async def change_password(call: Call) -> Response:
    body: s.PasswordChangeRequest = call.body
    session_id, _csrf = await signup.change_password(
        call.platform, call.user.account, body.current_password, body.new_password
    )
    response = json_reply(s.OkResponse(ok=True))
    set_session_cookie(
        response, call.request, session_id, call.platform.settings.session_lifetime_s
    )
    return response


# --- pred_ tokens -----------------------------------------------------------------------


async def list_tokens(call: Call) -> Response:
    user_id = call.user.user_id
    records = await call.platform.db.read(lambda tx: credentials.list_tokens(tx, user_id))
    return json_reply(s.TokenList(tokens=[render.token(r) for r in records]))


async def create_token(call: Call) -> Response:
    body: s.TokenCreateRequest = call.body
    user_id = call.user.user_id
    scopes = tuple(sorted(set(body.scopes), key=("read", "write").index))
    if "write" in scopes and "read" not in scopes:
        scopes = ("read", "write")  # write implies read
    limit = call.platform.settings.tokens_per_user_max
    now = call.now_ns

    def create(tx: Tx) -> tuple[credentials.TokenRecord, str]:
        if credentials.live_token_count(tx, user_id) >= limit:
            raise PlatformError(409, f"at most {limit} live tokens; revoke one first")
        return credentials.create_token(tx, user_id, body.name, scopes, now)

    record, secret = await call.platform.db.run(create)
    return json_reply(s.TokenCreated(token=render.token(record), secret=secret), 201)


def _id_param(call: Call) -> str:
    token_id = call.path_params.get("id") or call.query("id")
    if not token_id:
        raise PlatformError(400, "say which one: /{id} or ?id=")
    return token_id


async def revoke_token(call: Call) -> Response:
    token_id = _id_param(call)
    user_id = call.user.user_id
    now = call.now_ns
    if not await call.platform.db.run(
        lambda tx: credentials.revoke_token(tx, user_id, token_id, now)
    ):
        raise PlatformError(404, "no such token")
    return json_reply(s.OkResponse(ok=True))


# --- Kalshi API keys (the same user seen through the Kalshi API) -------------------------


async def list_api_keys(call: Call) -> Response:
    keys = call.platform.reads.api_keys(call.user.user_id)
    return json_reply(
        s.ApiKeyList(
            api_keys=[
                s.ApiKey(id=k, name=n, scopes=list(sc), created_at=render.iso(t) or "")
                for k, n, sc, t in keys
            ]
        )
    )


async def create_api_key(call: Call) -> Response:
    body: s.ApiKeyCreateRequest = call.body
    user_id = call.user.user_id
    if len(call.platform.reads.api_keys(user_id)) >= call.platform.settings.tokens_per_user_max:
        raise PlatformError(409, "too many API keys; delete one first")
    private_pem, public_pem = await asyncio.to_thread(generate_key_pair, body.type)
    key_id = new_key_id()
    scopes: list[str] = sorted(set(body.scopes))
    outcome = await call.platform.submit(
        c.RegisterApiKey(
            api_key_id=key_id,
            user_id=user_id,
            name=body.name,
            public_key_pem=public_pem,
            key_type=body.type,
            scopes=scopes,
        )
    )
    if outcome.reject is not None:
        raise PlatformError(409, outcome.reject.message)
    created = s.ApiKey(
        id=key_id, name=body.name, scopes=scopes, created_at=render.iso(call.now_ns) or ""
    )
    return json_reply(s.ApiKeyCreated(api_key=created, private_key=private_pem), 201)


async def delete_api_key(call: Call) -> Response:
    key_id = _id_param(call)
    user_id = call.user.user_id
    if key_id not in {k for k, *_ in call.platform.reads.api_keys(user_id)}:
        raise PlatformError(404, "no such API key")
    outcome = await call.platform.submit(c.RevokeApiKey(api_key_id=key_id, user_id=user_id))
    if outcome.reject is not None:
        raise PlatformError(404, "no such API key")
    return json_reply(s.OkResponse(ok=True))


ENDPOINTS = [
    Endpoint(
        "POST",
        "/api/auth/register",
        register,
        "public",
        "Create an account",
        s.RegisterRequest,
        s.UserResponse,
        statuses=(201, 400, 403, 409, 429),
    ),
    Endpoint(
        "POST",
        "/api/auth/login",
        login,
        "public",
        "Log in: sets the session cookie",
        s.LoginRequest,
        s.MeResponse,
        statuses=(200, 400, 401, 403, 429),
    ),
    Endpoint(
        "POST",
        "/api/auth/logout",
        logout,
        "session",
        "End the session",
        None,
        s.OkResponse,
        statuses=(200, 401, 403),
    ),
    Endpoint(
        "GET",
        "/api/auth/me",
        me,
        "read",
        "The current user (and the session's CSRF token)",
        None,
        s.MeResponse,
        statuses=(200, 401),
    ),
    Endpoint(
        "POST",
        "/api/auth/password",
        change_password,
        "session",
        "Change the password; ends every other session",
        s.PasswordChangeRequest,
        s.OkResponse,
        statuses=(200, 400, 401, 403),
    ),
    Endpoint(
        "GET",
        "/api/me/tokens",
        list_tokens,
        "read",
        "Your pred_ tokens",
        None,
        s.TokenList,
        statuses=(200, 401),
    ),
    Endpoint(
        "POST",
        "/api/me/tokens",
        create_token,
        "session",
        "Create a pred_ token (its secret is shown once)",
        s.TokenCreateRequest,
        s.TokenCreated,
        statuses=(201, 400, 401, 403, 409),
    ),
    Endpoint(
        "DELETE",
        "/api/me/tokens",
        revoke_token,
        "session",
        "Revoke a token (?id=)",
        None,
        s.OkResponse,
        statuses=(200, 401, 403, 404),
    ),
    Endpoint(
        "DELETE",
        "/api/me/tokens/{id}",
        revoke_token,
        "session",
        "Revoke a token",
        None,
        s.OkResponse,
        statuses=(200, 401, 403, 404),
    ),
    Endpoint(
        "GET",
        "/api/me/api-keys",
        list_api_keys,
        "read",
        "Your Kalshi API keys (the same user through the Kalshi API)",
        None,
        s.ApiKeyList,
        statuses=(200, 401),
    ),
    Endpoint(
        "POST",
        "/api/me/api-keys",
        create_api_key,
        "session",
        "Generate a Kalshi API key pair (the private key is shown once)",
        s.ApiKeyCreateRequest,
        s.ApiKeyCreated,
        statuses=(201, 400, 401, 403, 409),
    ),
    Endpoint(
        "DELETE",
        "/api/me/api-keys/{id}",
        delete_api_key,
        "session",
        "Revoke a Kalshi API key",
        None,
        s.OkResponse,
        statuses=(200, 401, 403, 404),
    ),
]
