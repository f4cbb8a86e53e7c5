"""The operator's platform API under ``/admin/v1/platform``, signed with the operator key.

Accounts (list, suspend, reinstate), payment gateways, cash requests (approve, reject),
feature flags, featured events, and the live backup. Same signature and refusals as the
rest of ``/admin/v1`` (Kalshi's error envelope); ``augury admin`` (``cli/platform.py``)
is a thin client of these endpoints.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgspec
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from augury.api.context import Context, json_response
from augury.api.errors import ApiError
from augury.platform import accounts, backup, render
from augury.platform.http import PlatformError
from augury.platform.service import Platform

__all__ = ["routes"]

_FLAG = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_FLAGS_MAX = 200


def _platform(request: Request) -> Platform:
    context: Context = request.app.state.context
    context.principal(request, "admin")
    platform: Platform | None = getattr(request.app.state, "platform", None)
    if platform is None:
        raise ApiError(503, "unavailable", "the platform is starting")
    return platform


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > 64 * 1024:
        raise ApiError(413, "payload_too_large", "body too large")
    if not raw.strip():
        return {}
    try:
        data = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        raise ApiError(400, "invalid_parameters", "body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_parameters", "body must be a JSON object")
    return data


def _wrap(error: PlatformError) -> ApiError:
    return ApiError(
        error.status,
        "invalid_parameters"
        if error.status == 400
        else "conflict"
        if error.status == 409
        else "not_found"
        if error.status == 404
        else "error",
        error.message,
    )


async def list_accounts(request: Request) -> Response:
    platform = _platform(request)
    status = request.query_params.get("status")
    where, params = ("WHERE status = ?", (status,)) if status else ("", ())
    rows = await platform.db.read(
        lambda tx: tx.all(
            f"SELECT {accounts.COLUMNS} FROM platform_users {where} "  # noqa: S608
            "ORDER BY created_ns LIMIT 10000",
            params,
        )
    )
    people = [accounts.Account.from_row(r) for r in rows]
    return json_response(
        {
            "accounts": [
                {
                    "user_id": a.user_id,
                    "username": a.username,
                    "email": a.email,
                    "status": a.status,
                    "created": render.iso(a.created_ns),
                }
                for a in people
            ]
        }
    )


async def set_account_status(request: Request) -> Response:
    platform = _platform(request)
    user_id = request.path_params["user_id"]
    action = request.path_params["action"]
    if action not in ("suspend", "reinstate"):
        raise ApiError(404, "not_found", f"unknown action {action!r}")
    try:
        await platform.set_suspended(user_id, action == "suspend")
    except PlatformError as error:
        raise _wrap(error) from None
    return json_response(
        {"user_id": user_id, "status": "suspended" if action == "suspend" else "active"}
    )


async def list_cash(request: Request) -> Response:
    platform = _platform(request)
    status = request.query_params.get("status")
    rows = await platform.cash.listing(status)
    return json_response(
        {"requests": [{**msgspec.to_builtins(r.wire()), "user_id": r.user_id} for r in rows]}
    )


async def decide_cash(request: Request) -> Response:
    platform = _platform(request)
    action = request.path_params["action"]
    if action not in ("approve", "reject"):
        raise ApiError(404, "not_found", f"unknown action {action!r}")
    data = await _body(request)
    reason = data.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > 500):
        raise ApiError(400, "invalid_parameters", "reason is text of at most 500 characters")
    try:
        row = await platform.cash.decide(
            request.path_params["request_id"], action == "approve", reason
        )
    except PlatformError as error:
        raise _wrap(error) from None
    return json_response({**msgspec.to_builtins(row.wire()), "user_id": row.user_id})


async def set_gateway(request: Request) -> Response:
    platform = _platform(request)
    data = await _body(request)
    deposits, withdrawals = data.get("deposits"), data.get("withdrawals")
    if not isinstance(deposits, bool) or not isinstance(withdrawals, bool):
        raise ApiError(400, "invalid_parameters", "deposits and withdrawals are true or false")
    name = request.path_params["name"]
    try:
        await platform.cash.set_gateway(name, deposits, withdrawals)
    except PlatformError as error:
        raise _wrap(error) from None
    return json_response({"gateway": name, "deposits": deposits, "withdrawals": withdrawals})


async def write_flag(platform: Platform, name: str, enabled: bool) -> None:
    """Create or change a feature flag (400 for a bad name, 409 past ``_FLAGS_MAX``)."""
    if not _FLAG.match(name):
        raise PlatformError(400, "a flag name is 1-64 of a-z 0-9 _ . -")
    now = platform.clock.now_ns()

    def write(tx: Any) -> None:
        count = tx.one("SELECT COUNT(*) FROM platform_flags WHERE name <> ?", (name,))
        if count is not None and int(count[0]) >= _FLAGS_MAX:
            raise PlatformError(409, f"at most {_FLAGS_MAX} flags")
        tx.exec(
            "INSERT INTO platform_flags (name, enabled, updated_ns) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET enabled = excluded.enabled, "
            "updated_ns = excluded.updated_ns",
            (name, enabled, now),
        )

    await platform.db.run(write)


async def set_flag(request: Request) -> Response:
    platform = _platform(request)
    name = request.path_params["name"]
    data = await _body(request)
    enabled = data.get("enabled")
    if not isinstance(enabled, bool):
        raise ApiError(400, "invalid_parameters", "enabled is true or false")
    try:
        await write_flag(platform, name, enabled)
    except PlatformError as error:
        raise _wrap(error) from None
    return json_response({"flag": name, "enabled": enabled})


async def set_role(platform: Platform, email: str, operator: bool) -> str:
    """Make the account with ``email`` an operator (or a plain member); return its user id."""
    address = accounts.normalise_email(email)
    role = "operator" if operator else "user"
    now = platform.clock.now_ns()

    def write(tx: Any) -> str | None:
        found = accounts.by_email(tx, address)
        if found is None:
            return None
        tx.exec(
            "UPDATE platform_users SET role = ?, updated_ns = ? WHERE user_id = ?",
            (role, now, found.user_id),
        )
        return found.user_id

    user_id = await platform.db.run(write)
    if user_id is None:
        raise PlatformError(404, "no platform account with that email")
    return user_id


async def set_operator(request: Request) -> Response:
    platform = _platform(request)
    data = await _body(request)
    enabled = data.get("enabled")
    email = data.get("email")
    if not isinstance(enabled, bool) or not isinstance(email, str) or len(email) > 254:
        raise ApiError(400, "invalid_parameters", 'send {"email": "...", "enabled": true|false}')
    try:
        user_id = await set_role(platform, email, enabled)
    except PlatformError as error:
        raise _wrap(error) from None
    return json_response({"user_id": user_id, "role": "operator" if enabled else "user"})


async def feature_event(request: Request) -> Response:
    platform = _platform(request)
    data = await _body(request)
    featured = data.get("featured", True)
    if not isinstance(featured, bool):
        raise ApiError(400, "invalid_parameters", "featured is true or false")
    await platform.slugs.ensure(platform.reads.events(), platform.clock.now_ns())
    if not await platform.slugs.set_featured(request.path_params["slug"], featured):
        raise ApiError(404, "not_found", "no such event slug")
    return json_response({"slug": request.path_params["slug"], "featured": featured})


async def take_backup(request: Request) -> Response:
    platform = _platform(request)
    context: Context = request.app.state.context
    folder = Path(tempfile.mkdtemp(prefix="backup-", dir=context.settings.data_dir))
    path = folder / "augury-backup.db"
    sequencer = context.runtime.sequencer

    def platform_part(tx: Any) -> int:
        last = sequencer.last_seq  # read on the platform thread, between its writes
        backup.write_platform_part(tx, path, last)
        return last

    try:
        last_seq = await platform.db.read(platform_part)
        await asyncio.to_thread(
            backup.write_journal_part, context.settings.database_url, path, last_seq
        )
    except Exception:
        _remove(folder)
        raise

    async def chunks() -> AsyncIterator[bytes]:
        with path.open("rb") as handle:
            while chunk := await asyncio.to_thread(handle.read, 1 << 20):
                yield chunk

    return StreamingResponse(
        chunks(),
        media_type="application/vnd.sqlite3",
        headers={"X-Augury-Last-Seq": str(last_seq)},
        background=BackgroundTask(_remove, folder),
    )


def _remove(folder: Path) -> None:
    for child in folder.iterdir():
        with contextlib.suppress(OSError):
            os.remove(child)
    with contextlib.suppress(OSError):
        folder.rmdir()


routes: list[BaseRoute] = [
    Route("/users", list_accounts, methods=["GET"]),
    Route("/users/{user_id}/{action}", set_account_status, methods=["POST"]),
    Route("/cash-requests", list_cash, methods=["GET"]),
    Route("/cash-requests/{request_id}/{action}", decide_cash, methods=["POST"]),
    Route("/gateways/{name}", set_gateway, methods=["POST"]),
    Route("/flags/{name}", set_flag, methods=["POST"]),
    Route("/operators", set_operator, methods=["POST"]),
    Route("/events/{slug}/feature", feature_event, methods=["POST"]),
    Route("/backup", take_backup, methods=["GET"]),
]
