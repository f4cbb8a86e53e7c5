"""Preferences, avatar, trade notes, the watchlist, public profiles and the leaderboard."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Literal, cast

from starlette.requests import Request
from starlette.responses import Response

from augury.domain.units import C_PER_CONTRACT
from augury.platform import accounts, leaderboard, render
from augury.platform import schemas as s
from augury.platform.accounts import NOTIFICATION_KINDS, Account
from augury.platform.auth import CSRF_FIELD, check_csrf
from augury.platform.avatars import normalise_avatar
from augury.platform.db import Tx
from augury.platform.endpoints.markets import _summary, event_for_slug
from augury.platform.http import PlatformError, json_reply, read_body
from augury.platform.routing import Call, Endpoint, Query

__all__ = ["ENDPOINTS"]

_DAY_NS = 86_400 * 1_000_000_000
_PERIODS = {"all": 0, "30d": 30, "7d": 7}


# --- preferences ----------------------------------------------------------------------------


def _preferences(account: Account) -> s.Preferences:
    return s.Preferences(
        bio=account.bio,
        dark_mode=account.dark_mode,
        first_name=account.first_name,
        last_name=account.last_name,
        notifications={kind: kind not in account.muted_kinds for kind in NOTIFICATION_KINDS},
    )


async def get_preferences(call: Call) -> Response:
    return json_reply(_preferences(call.user.account))


async def patch_preferences(call: Call) -> Response:
    body: s.PreferencesUpdate = call.body
    account = call.user.account
    settings = call.platform.settings
    bio = (
        account.bio
        if body.bio is None
        else accounts.check_text(body.bio, "bio", settings.bio_max_chars, multiline=True)
    )
    first = (
        account.first_name
        if body.first_name is None
        else accounts.check_text(body.first_name, "firstName", settings.name_max_chars)
    )
    last = (
        account.last_name
        if body.last_name is None
        else accounts.check_text(body.last_name, "lastName", settings.name_max_chars)
    )
    dark = account.dark_mode if body.dark_mode is None else body.dark_mode
    muted = set(account.muted_kinds)
    for kind, on in (body.notifications or {}).items():
        (muted.discard if on else muted.add)(kind)
    muted_text = " ".join(sorted(muted))
    now = call.now_ns

    def update(tx: Tx) -> Account:
        tx.exec(
            "UPDATE platform_users SET bio = ?, first_name = ?, last_name = ?, dark_mode = ?, "
            "muted_kinds = ?, updated_ns = ? WHERE user_id = ?",
            (bio, first, last, dark, muted_text, now, account.user_id),
        )
        found = accounts.by_id(tx, account.user_id)
        assert found is not None
        return found

    updated = await call.platform.db.run(update)
    call.platform.notifier.muted[account.user_id] = frozenset(muted)
    return json_reply(_preferences(updated))


# --- avatar --------------------------------------------------------------------------------


async def _replayed(request: Request, body: bytes) -> Request:
    sent = False

    async def receive() -> dict[str, object]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(request.scope, receive)


async def upload_avatar(call: Call) -> Response:
    settings = call.platform.settings
    limit = settings.avatar_max_bytes
    # The multipart envelope adds a few hundred bytes; 16 KiB of slack bounds it.
    raw = await read_body(call.request, limit + 16 * 1024)
    if not call.request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise PlatformError(400, "send the image as multipart/form-data (field 'file')")
    request = await _replayed(call.request, raw)
    async with request.form(max_files=1, max_fields=1, max_part_size=limit) as form:
        token = form.get(CSRF_FIELD)
        check_csrf(call.request, call.user, token if isinstance(token, str) else None)
        upload = form.get("file") or form.get("avatar")
        if upload is None or isinstance(upload, str):
            raise PlatformError(400, "no file: send the image in the form field 'file'")
        data = await upload.read(limit + 1)
    if len(data) > limit:
        raise PlatformError(413, f"the image is larger than {limit} bytes")
    png = await asyncio.to_thread(
        normalise_avatar, data, settings.avatar_max_pixels, settings.avatar_side_px
    )
    user_id = call.user.user_id

    def store(tx: Tx) -> Account:
        tx.exec(
            "UPDATE platform_users SET avatar_png = ?, avatar_version = avatar_version + 1, "
            "updated_ns = ? WHERE user_id = ?",
            (png, call.now_ns, user_id),
        )
        found = accounts.by_id(tx, user_id)
        assert found is not None
        return found

    account = await call.platform.db.run(store)
    return json_reply(s.AvatarResponse(avatar_url=render.avatar_url(account) or ""), 201)


async def _public_account(call: Call) -> Account:
    username = call.path_params["username"].lower()
    account = await call.platform.db.read(lambda tx: accounts.by_username(tx, username))
    if account is None or not account.active:
        raise PlatformError(404, "no such user")
    return account


async def get_avatar(call: Call) -> Response:
    account = await _public_account(call)
    row = await call.platform.db.read(
        lambda tx: tx.one(
            "SELECT avatar_png FROM platform_users WHERE user_id = ?", (account.user_id,)
        )
    )
    if row is None or row[0] is None:
        raise PlatformError(404, "no avatar")
    return Response(
        bytes(row[0]),
        media_type="image/png",
        headers={
            "Cache-Control": "public, max-age=3600",
            "Content-Security-Policy": "default-src 'none'",
            "X-Content-Type-Options": "nosniff",
        },
    )


# --- trade notes -----------------------------------------------------------------------------


def _note(row: Sequence[object]) -> s.Note:
    note_id, ticker, body, created = row
    return s.Note(
        id=int(str(note_id)),
        body=str(body),
        option_id=None if ticker is None else str(ticker),
        created_at=render.iso(int(str(created))) or "",
    )


async def list_notes(call: Call) -> Response:
    user_id = call.user.user_id
    option = call.query("optionId")
    limit = call.int_query("limit", 50, 1, 200)
    before = call.int_query("cursor", 0, 0, 1 << 62)
    where = "user_id = ? AND note_id < ?" + (" AND ticker = ?" if option else "")
    params = (user_id, before or 1 << 62, *((option,) if option else ()), limit + 1)
    rows = await call.platform.db.read(
        lambda tx: tx.all(
            "SELECT note_id, ticker, body, created_ns FROM platform_notes "  # noqa: S608
            f"WHERE {where} ORDER BY note_id DESC LIMIT ?",
            params,
        )
    )
    page = rows[:limit]
    return json_reply(
        s.NoteList(
            notes=[_note(r) for r in page],
            next_cursor=str(page[-1][0]) if len(rows) > limit else None,
        )
    )


async def create_note(call: Call) -> Response:
    body: s.NoteCreateRequest = call.body
    settings = call.platform.settings
    text = accounts.check_text(body.body, "body", settings.note_max_chars, multiline=True)
    if body.option_id is not None and call.platform.reads.market(body.option_id) is None:
        raise PlatformError(404, "no such option")
    user_id = call.user.user_id
    limit = settings.notes_per_user_max
    now = call.now_ns

    def create(tx: Tx) -> tuple[object, ...]:
        count = tx.one("SELECT COUNT(*) FROM platform_notes WHERE user_id = ?", (user_id,))
        if count is not None and int(count[0]) >= limit:
            raise PlatformError(409, f"at most {limit} notes; delete some first")
        row = tx.one(
            "INSERT INTO platform_notes (user_id, ticker, body, created_ns) "
            "VALUES (?, ?, ?, ?) RETURNING note_id, ticker, body, created_ns",
            (user_id, body.option_id, text, now),
        )
        assert row is not None
        return row

    return json_reply(s.NoteResponse(note=_note(await call.platform.db.run(create))), 201)


async def delete_note(call: Call) -> Response:
    raw = call.path_params.get("id") or call.query("id") or ""
    if not raw.isdigit() or len(raw) > 18:
        raise PlatformError(404, "no such note")
    user_id = call.user.user_id
    deleted = await call.platform.db.run(
        lambda tx: tx.exec(
            "DELETE FROM platform_notes WHERE note_id = ? AND user_id = ?", (int(raw), user_id)
        )
    )
    if deleted != 1:
        raise PlatformError(404, "no such note")
    return json_reply(s.OkResponse(ok=True))


# --- watchlist ---------------------------------------------------------------------------------


async def get_watchlist(call: Call) -> Response:
    user_id = call.user.user_id
    rows = await call.platform.db.read(
        lambda tx: tx.all(
            "SELECT event_ticker, created_ns FROM platform_watchlist WHERE user_id = ? "
            "ORDER BY created_ns DESC, event_ticker",
            (user_id,),
        )
    )
    out = []
    for ticker, created in rows:
        event = call.platform.reads.event(str(ticker))
        if event is not None and event.event_ticker in call.platform.slugs.by_event:
            out.append(
                s.WatchedEvent(
                    added_at=render.iso(int(str(created))) or "", event=_summary(call, event)
                )
            )
    return json_reply(s.Watchlist(events=out))


async def watch(call: Call) -> Response:
    body: s.WatchRequest = call.body
    event = await event_for_slug(call, body.event_slug)
    user_id = call.user.user_id
    limit = call.platform.settings.watchlist_per_user_max
    now = call.now_ns

    def add(tx: Tx) -> None:
        count = tx.one("SELECT COUNT(*) FROM platform_watchlist WHERE user_id = ?", (user_id,))
        if count is not None and int(count[0]) >= limit:
            raise PlatformError(409, f"at most {limit} watched events")
        tx.exec(
            "INSERT INTO platform_watchlist (user_id, event_ticker, created_ns) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id, event_ticker) DO NOTHING",
            (user_id, event.event_ticker, now),
        )

    await call.platform.db.run(add)
    return await get_watchlist(call)


async def unwatch(call: Call) -> Response:
    slug = call.path_params.get("slug") or call.query("slug") or ""
    ticker = call.platform.slugs.by_slug.get(slug)
    user_id = call.user.user_id
    deleted = 0
    if ticker is not None:
        deleted = await call.platform.db.run(
            lambda tx: tx.exec(
                "DELETE FROM platform_watchlist WHERE user_id = ? AND event_ticker = ?",
                (user_id, ticker),
            )
        )
    if deleted != 1:
        raise PlatformError(404, "that event is not on your watchlist")
    return json_reply(s.OkResponse(ok=True))


# --- profiles and the leaderboard ---------------------------------------------------------------


def _display(account: Account) -> str:
    return account.first_name or account.username


async def _standings(call: Call, period: str) -> dict[str, leaderboard.Standing]:
    platform = call.platform
    key = (period, platform.reads.last_seq())
    cached = platform.leaderboard_cache.get(period)
    if cached is not None and cached[0] == key:
        return cached[1]
    members = sorted(platform.members)
    fills = await platform.reads.fills_of(members)
    settlements = await platform.reads.settlements_of(members)
    days = _PERIODS[period]
    since = call.now_ns - days * _DAY_NS if days else 0
    result = leaderboard.standings(fills, settlements, since)
    platform.leaderboard_cache[period] = (key, result)
    return result


async def get_profile(call: Call) -> Response:
    account = await _public_account(call)
    standing = (await _standings(call, "all")).get(account.user_id, leaderboard.Standing())
    return json_reply(
        s.ProfileResponse(
            profile=s.Profile(
                username=account.username,
                display_name=_display(account),
                bio=account.bio,
                avatar_url=render.avatar_url(account),
                joined_at=render.iso(account.created_ns) or "",
                stats=s.Stats(
                    profit_cents=standing.profit_cc // 100,
                    volume=standing.volume_c // C_PER_CONTRACT,
                    predictions=standing.predictions,
                ),
            )
        )
    )


async def get_leaderboard(call: Call) -> Response:
    metric = call.query("metric", "profit")
    period = call.query("period", "all")
    if metric not in ("profit", "volume", "predictions"):
        raise PlatformError(400, "metric is profit, volume or predictions")
    if period not in _PERIODS:
        raise PlatformError(400, "period is all, 30d or 7d")
    limit = call.int_query("limit", 20, 1, 100)
    standings = await _standings(call, period)
    people = await call.platform.db.read(
        lambda tx: {a.user_id: a for a in _accounts(tx, list(standings))}
    )
    score: Callable[[leaderboard.Standing], int] = {
        "profit": lambda st: st.profit_cc,
        "volume": lambda st: st.volume_c,
        "predictions": lambda st: st.predictions,
    }[metric]
    ranked = sorted(
        ((user, st) for user, st in standings.items() if user in people and st.volume_c),
        key=lambda item: (-score(item[1]), people[item[0]].username),
    )[:limit]
    return json_reply(
        s.Leaderboard(
            metric=cast(Literal["profit", "volume", "predictions"], metric),
            period=cast(Literal["all", "30d", "7d"], period),
            standings=[
                s.Standing(
                    rank=rank,
                    username=people[user].username,
                    display_name=_display(people[user]),
                    avatar_url=render.avatar_url(people[user]),
                    profit_cents=st.profit_cc // 100,
                    volume=st.volume_c // C_PER_CONTRACT,
                    predictions=st.predictions,
                )
                for rank, (user, st) in enumerate(ranked, start=1)
            ],
        )
    )


def _accounts(tx: Tx, user_ids: list[str]) -> list[Account]:
    found = []
    for user_id in user_ids:
        account = accounts.by_id(tx, user_id)
        if account is not None and account.active:
            found.append(account)
    return found


_Handler = Callable[[Call], Awaitable[Response]]

ENDPOINTS = [
    Endpoint(
        "GET",
        "/api/me/preferences",
        get_preferences,
        "read",
        "Your preferences: bio, dark mode, names, notification kinds on or off",
        response=s.Preferences,
        statuses=(200, 401, 429),
    ),
    Endpoint(
        "PATCH",
        "/api/me/preferences",
        patch_preferences,
        "write",
        "Change preferences (only the fields given)",
        s.PreferencesUpdate,
        s.Preferences,
        statuses=(200, 400, 401, 403, 429),
    ),
    Endpoint(
        "POST",
        "/api/me/avatar",
        upload_avatar,
        "write",
        "Upload an avatar: multipart/form-data field 'file' (JPEG, PNG, WebP, GIF; 2 MB)",
        response=s.AvatarResponse,
        multipart=True,
        statuses=(201, 400, 401, 403, 413, 429),
    ),
    Endpoint(
        "GET",
        "/api/users/{username}/avatar",
        get_avatar,
        "public",
        "A user's avatar (PNG)",
        media_type="image/png",
        statuses=(200, 404, 429),
    ),
    Endpoint(
        "GET",
        "/api/me/trade-notes",
        list_notes,
        "read",
        "Your private trading notes",
        response=s.NoteList,
        statuses=(200, 400, 401, 429),
        query=(
            Query("optionId", "only notes about this option"),
            Query("limit", "1-200 (default 50)", {"type": "integer"}),
            Query("cursor", "nextCursor of the previous page"),
        ),
    ),
    Endpoint(
        "POST",
        "/api/me/trade-notes",
        create_note,
        "write",
        "Write a note",
        s.NoteCreateRequest,
        s.NoteResponse,
        statuses=(201, 400, 401, 403, 404, 409, 429),
    ),
    Endpoint(
        "DELETE",
        "/api/me/trade-notes",
        delete_note,
        "write",
        "Delete a note (?id=)",
        response=s.OkResponse,
        statuses=(200, 401, 403, 404, 429),
    ),
    Endpoint(
        "DELETE",
        "/api/me/trade-notes/{id}",
        delete_note,
        "write",
        "Delete a note",
        response=s.OkResponse,
        statuses=(200, 401, 403, 404, 429),
    ),
    Endpoint(
        "GET",
        "/api/watchlist",
        get_watchlist,
        "read",
        "Your bookmarked events",
        response=s.Watchlist,
        statuses=(200, 401, 429),
    ),
    Endpoint(
        "POST",
        "/api/watchlist",
        watch,
        "write",
        "Bookmark an event",
        s.WatchRequest,
        s.Watchlist,
        statuses=(200, 400, 401, 403, 404, 409, 429),
    ),
    Endpoint(
        "DELETE",
        "/api/watchlist",
        unwatch,
        "write",
        "Remove a bookmark (?slug=)",
        response=s.OkResponse,
        statuses=(200, 401, 403, 404, 429),
    ),
    Endpoint(
        "DELETE",
        "/api/watchlist/{slug}",
        unwatch,
        "write",
        "Remove a bookmark",
        response=s.OkResponse,
        statuses=(200, 401, 403, 404, 429),
    ),
    Endpoint(
        "GET",
        "/api/users/{username}",
        get_profile,
        "public",
        "A public profile with its stats",
        response=s.ProfileResponse,
        statuses=(200, 404, 429),
    ),
    Endpoint(
        "GET",
        "/api/leaderboard",
        get_leaderboard,
        "public",
        "Top users by profit, volume or predictions over all time, 30 or 7 days",
        response=s.Leaderboard,
        statuses=(200, 400, 429),
        query=(
            Query("metric", "profit (default), volume or predictions"),
            Query("period", "all (default), 30d or 7d"),
            Query("limit", "1-100 (default 20)", {"type": "integer"}),
        ),
    ),
]
