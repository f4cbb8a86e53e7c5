"""The signed-in user's own things: notifications, the trades CSV, webhooks."""

from __future__ import annotations

import csv
import io
import json
import secrets
from collections.abc import AsyncIterator

from starlette.responses import Response, StreamingResponse

from augury.domain.units import ONE_DOLLAR_CC
from augury.platform import render
from augury.platform import schemas as s
from augury.platform.db import Tx
from augury.platform.endpoints.trading import fill_direction
from augury.platform.http import PlatformError, json_reply
from augury.platform.routing import Call, Endpoint, Query
from augury.platform.webhooks import check_target, deliveries

__all__ = ["ENDPOINTS", "csv_cell"]

_DELIVERY_LOG = 20


# --- notifications ------------------------------------------------------------------------


def _unread(tx: Tx, user_id: str) -> int:
    row = tx.one(
        "SELECT COUNT(*) FROM platform_notifications WHERE user_id = ? AND is_read = ?",
        (user_id, False),
    )
    return int(row[0]) if row else 0


async def list_notifications(call: Call) -> Response:
    user_id = call.user.user_id
    limit = call.int_query("limit", 20, 1, 100)
    before = call.int_query("cursor", 0, 0, 1 << 62)

    def read(tx: Tx) -> tuple[list[tuple[object, ...]], int]:
        rows = tx.all(
            "SELECT notification_id, kind, payload, is_read, created_ns "
            "FROM platform_notifications WHERE user_id = ? AND notification_id < ? "
            "ORDER BY notification_id DESC LIMIT ?",
            (user_id, before or 1 << 62, limit + 1),
        )
        return rows, _unread(tx, user_id)

    rows, unread = await call.platform.db.read(read)
    page = rows[:limit]
    return json_reply(
        s.NotificationList(
            notifications=[
                s.Notification(
                    id=int(str(nid)),
                    kind=str(kind),
                    data=json.loads(str(payload)),
                    read=bool(is_read),
                    created_at=render.iso(int(str(ts))) or "",
                )
                for nid, kind, payload, is_read, ts in page
            ],
            next_cursor=str(page[-1][0]) if len(rows) > limit else None,
            unread_count=unread,
        )
    )


async def update_notifications(call: Call) -> Response:
    body: s.NotificationUpdate = call.body
    user_id = call.user.user_id
    if not body.mark_all_read and body.id is None:
        raise PlatformError(400, 'send {"markAllRead": true} or {"id": N}')

    def update(tx: Tx) -> int:
        if body.mark_all_read:
            tx.exec(
                "UPDATE platform_notifications SET is_read = ? WHERE user_id = ?",
                (True, user_id),
            )
        else:
            changed = tx.exec(
                "UPDATE platform_notifications SET is_read = ? "
                "WHERE user_id = ? AND notification_id = ?",
                (True, user_id, body.id),
            )
            if changed != 1:
                raise PlatformError(404, "no such notification")
        return _unread(tx, user_id)

    unread = await call.platform.db.run(update)
    return json_reply(s.NotificationUpdated(ok=True, unread_count=unread))


# --- the trades CSV -------------------------------------------------------------------------

CSV_COLUMNS = (
    "time",
    "fill_id",
    "order_id",
    "option_id",
    "side",
    "action",
    "quantity",
    "price_cents",
    "fee_cents",
    "is_taker",
)
_EXPORT_PAGE = 500


def csv_cell(value: object) -> str:
    """A CSV cell's text, escaped against spreadsheet formula injection."""
    text = str(value)
    # Spreadsheet formula injection: a cell must not start with = + - @ tab or CR.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


async def export_trades(call: Call) -> Response:
    user_id = call.user.user_id
    reads = call.platform.reads

    async def rows() -> AsyncIterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        cursor = ""
        while True:
            fills, cursor = await reads.fills(user_id, _EXPORT_PAGE, cursor)
            for fill in fills:
                side, action = fill_direction(fill.legacy_side, fill.legacy_action)
                price = fill.price_cc if side == "YES" else ONE_DOLLAR_CC - fill.price_cc
                writer.writerow(
                    [
                        csv_cell(v)
                        for v in (
                            render.iso(fill.ts_ns),
                            fill.fill_id,
                            fill.order_id,
                            fill.ticker,
                            side,
                            action,
                            f"{fill.count_c // 100}.{fill.count_c % 100:02d}",
                            f"{price // 100}.{price % 100:02d}",
                            f"{fill.fee_cc // 100}.{fill.fee_cc % 100:02d}",
                            "true" if fill.is_taker else "false",
                        )
                    ]
                )
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if not cursor:
                return

    return StreamingResponse(
        rows(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="augury-trades.csv"',
            "Cache-Control": "no-store",
        },
    )


# --- webhooks --------------------------------------------------------------------------------


def _webhook_wire(row: tuple[object, ...], log: list[tuple[object, ...]]) -> s.Webhook:
    webhook_id, url, kinds, created = row
    return s.Webhook(
        id=str(webhook_id),
        url=str(url),
        events=str(kinds).split(),
        created_at=render.iso(int(str(created))) or "",
        deliveries=[
            s.Delivery(
                id=int(str(d[0])),
                kind=str(d[1]),
                status=str(d[2]),
                attempts=int(str(d[3])),
                last_status_code=None if d[4] is None else int(str(d[4])),
                last_error=None if d[5] is None else str(d[5]),
                next_attempt_at=render.iso(int(str(d[8]))) if d[2] == "pending" else None,
                created_at=render.iso(int(str(d[6]))) or "",
                updated_at=render.iso(int(str(d[7]))) or "",
            )
            for d in log
        ],
    )


async def list_webhooks(call: Call) -> Response:
    user_id = call.user.user_id

    def read(tx: Tx) -> list[s.Webhook]:
        hooks = tx.all(
            "SELECT webhook_id, url, kinds, created_ns FROM platform_webhooks "
            "WHERE user_id = ? ORDER BY created_ns, webhook_id",
            (user_id,),
        )
        return [_webhook_wire(h, deliveries(tx, str(h[0]), _DELIVERY_LOG)) for h in hooks]

    return json_reply(s.WebhookList(webhooks=await call.platform.db.read(read)))


async def create_webhook(call: Call) -> Response:
    body: s.WebhookCreateRequest = call.body
    platform = call.platform
    user_id = call.user.user_id
    await check_target(body.url, platform.settings.webhooks_allow_private)
    kinds = " ".join(sorted(set(body.events)))
    webhook_id = "wh_" + secrets.token_hex(8)
    secret = "whsec_" + secrets.token_urlsafe(32)
    limit = platform.settings.webhooks_per_user_max
    now = call.now_ns

    def create(tx: Tx) -> tuple[object, ...]:
        count = tx.one("SELECT COUNT(*) FROM platform_webhooks WHERE user_id = ?", (user_id,))
        if count is not None and int(count[0]) >= limit:
            raise PlatformError(409, f"at most {limit} webhooks; delete one first")
        tx.exec(
            "INSERT INTO platform_webhooks (webhook_id, user_id, url, secret, kinds, "
            "created_ns) VALUES (?, ?, ?, ?, ?, ?)",
            (webhook_id, user_id, body.url, secret, kinds, now),
        )
        return (webhook_id, body.url, kinds, now)

    row = await platform.db.run(create)
    platform.notifier.webhooks.setdefault(user_id, []).append(
        (webhook_id, frozenset(kinds.split()))
    )
    return json_reply(s.WebhookCreated(webhook=_webhook_wire(row, []), secret=secret), 201)


async def delete_webhook(call: Call) -> Response:
    webhook_id = call.path_params.get("id") or call.query("id")
    if not webhook_id:
        raise PlatformError(400, "say which one: /{id} or ?id=")
    user_id = call.user.user_id

    def delete(tx: Tx) -> bool:
        if (
            tx.exec(
                "DELETE FROM platform_webhooks WHERE webhook_id = ? AND user_id = ?",
                (webhook_id, user_id),
            )
            != 1
        ):
            return False
        tx.exec("DELETE FROM platform_webhook_deliveries WHERE webhook_id = ?", (webhook_id,))
        return True

    if not await call.platform.db.run(delete):
        raise PlatformError(404, "no such webhook")
    hooks = call.platform.notifier.webhooks.get(user_id, [])
    call.platform.notifier.webhooks[user_id] = [h for h in hooks if h[0] != webhook_id]
    return json_reply(s.OkResponse(ok=True))


ENDPOINTS = [
    Endpoint(
        "GET",
        "/api/me/notifications",
        list_notifications,
        "read",
        "Your notifications, newest first (paged)",
        response=s.NotificationList,
        statuses=(200, 400, 401, 429),
        query=(
            Query("limit", "1-100 (default 20)", {"type": "integer"}),
            Query("cursor", "nextCursor of the previous page"),
        ),
    ),
    Endpoint(
        "POST",
        "/api/me/notifications",
        update_notifications,
        "write",
        "Mark notifications read: {markAllRead: true} or {id}",
        s.NotificationUpdate,
        s.NotificationUpdated,
        statuses=(200, 400, 401, 403, 404, 429),
    ),
    Endpoint(
        "GET",
        "/api/me/trades/export",
        export_trades,
        "read",
        "Every fill you ever had, as CSV (streamed)",
        response=None,
        media_type="text/csv",
        statuses=(200, 401, 429),
    ),
    Endpoint(
        "GET",
        "/api/me/webhooks",
        list_webhooks,
        "read",
        "Your webhook subscriptions with their recent deliveries",
        response=s.WebhookList,
        statuses=(200, 401, 429),
    ),
    Endpoint(
        "POST",
        "/api/me/webhooks",
        create_webhook,
        "write",
        "Subscribe a URL to your events (HMAC-SHA256 signed; the secret is shown once)",
        s.WebhookCreateRequest,
        s.WebhookCreated,
        statuses=(201, 400, 401, 403, 409, 429),
    ),
    Endpoint(
        "DELETE",
        "/api/me/webhooks",
        delete_webhook,
        "write",
        "Unsubscribe (?id=)",
        response=s.OkResponse,
        statuses=(200, 400, 401, 403, 404, 429),
    ),
    Endpoint(
        "DELETE",
        "/api/me/webhooks/{id}",
        delete_webhook,
        "write",
        "Unsubscribe",
        response=s.OkResponse,
        statuses=(200, 401, 403, 404, 429),
    ),
]
