"""Webhooks: signed, at-least-once delivery of a user's events to a URL of their choosing.

Signature (Stripe-style): header ``Augury-Signature: t=<unix seconds>,v1=<hex>`` where
``hex = HMAC-SHA256(secret, "<t>." + raw body)``. To verify: split the header on ``,``,
recompute the HMAC over ``t + "." + body`` with the subscription's secret, compare in
constant time, and refuse a ``t`` too far from now (e.g. 5 minutes) to stop replays.
Each delivery also carries ``Augury-Event`` (the kind) and ``Augury-Delivery`` (its id,
the same on every retry, so receivers can drop duplicates).

Delivery: rows of ``platform_webhook_deliveries`` are written with the events that cause
them (``platform.notify``); this worker posts every due row, marks 2xx ``delivered``, and
otherwise retries with backoff (``BACKOFF_S``) until ``webhook_attempts_max`` attempts,
then marks it ``failed``. The row is updated only after the attempt, so a crash mid-post
means one more attempt after the restart: at least once, never zero.

Targets: http(s) only, no credentials in the URL, and every address the host resolves to
must be public (not loopback, private, link-local, multicast, reserved or unspecified)
unless ``augury serve --webhooks-allow-private``; checked when subscribing AND again
before every attempt (a DNS answer may change). No redirects are followed.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import ipaddress
import logging
import socket
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from augury.platform.db import Tx
from augury.platform.http import PlatformError

if TYPE_CHECKING:
    from augury.platform.service import Platform

__all__ = ["BACKOFF_S", "SIGNATURE_HEADER", "WebhookWorker", "check_target", "sign"]

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "Augury-Signature"
BACKOFF_S = (5, 30, 120, 600, 1_800, 3_600, 10_800)
URL_MAX_CHARS = 2_048
_BATCH = 20
_IDLE_S = 1.0
_NS = 1_000_000_000


def sign(secret: str, ts_s: int, body: bytes) -> str:
    """Return the ``Augury-Signature`` header value for one delivery."""
    mac = hmac.new(secret.encode(), str(ts_s).encode() + b"." + body, hashlib.sha256)
    return f"t={ts_s},v1={mac.hexdigest()}"


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def check_target(url: str, allow_private: bool) -> None:
    """Refuse (400) a webhook URL that is malformed or points inside the network."""
    if len(url) > URL_MAX_CHARS:
        raise PlatformError(400, f"the URL is longer than {URL_MAX_CHARS} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise PlatformError(400, "the URL is not valid") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PlatformError(400, "the URL must be http:// or https:// with a host")
    if parts.username is not None or parts.password is not None:
        raise PlatformError(400, "the URL must not carry credentials")
    if allow_private:
        return
    host = parts.hostname
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except OSError:
        raise PlatformError(400, f"the host {host!r} does not resolve") from None
    addresses = {str(info[4][0]) for info in infos}
    if not addresses or not all(_public(a) for a in addresses):
        raise PlatformError(
            400, "the URL points to a loopback, private or reserved address; refused"
        )


class WebhookWorker:
    """Posts due deliveries, one small batch at a time."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.wake = asyncio.Event()
        self._loop = asyncio.get_running_loop()

    def poke(self) -> None:
        """Wake the worker (callable from any thread)."""
        self._loop.call_soon_threadsafe(self.wake.set)

    async def run(self) -> None:
        settings = self.platform.settings
        async with httpx.AsyncClient(
            timeout=settings.webhook_timeout_s, follow_redirects=False
        ) as client:
            while True:
                self.wake.clear()
                try:
                    sent = await self.deliver_due(client)
                except Exception:
                    log.exception("webhook delivery round failed")
                    sent = 0
                if sent < _BATCH:
                    # asyncio.timeout, not wait_for: on 3.11 wait_for swallows a cancel that
                    # arrives as the wake event is set, and shutdown then waited forever.
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(_IDLE_S):
                            await self.wake.wait()

    async def deliver_due(self, client: httpx.AsyncClient) -> int:
        """Attempt every due delivery (at most one batch); return how many were tried."""
        now = self.platform.clock.now_ns()
        rows = await self.platform.db.read(
            lambda tx: tx.all(
                "SELECT d.delivery_id, d.kind, d.body, d.attempts, w.url, w.secret "
                "FROM platform_webhook_deliveries d "
                "JOIN platform_webhooks w ON w.webhook_id = d.webhook_id "
                "WHERE d.status = 'pending' AND d.next_attempt_ns <= ? "
                "ORDER BY d.next_attempt_ns, d.delivery_id LIMIT ?",
                (now, _BATCH),
            )
        )
        for row in rows:
            await self._attempt(client, *row)
        return len(rows)

    async def _attempt(
        self,
        client: httpx.AsyncClient,
        delivery_id: int,
        kind: str,
        body_text: str,
        attempts: int,
        url: str,
        secret: str,
    ) -> None:
        settings = self.platform.settings
        body = body_text.encode()
        status_code: int | None = None
        error: str | None = None
        try:
            await check_target(url, settings.webhooks_allow_private)
            ts_s = self.platform.clock.now_ns() // _NS
            response = await client.post(
                url,
                content=body,
                headers={
                    "Content-Type": "application/json",
                    SIGNATURE_HEADER: sign(secret, ts_s, body),
                    "Augury-Event": kind,
                    "Augury-Delivery": str(delivery_id),
                    "User-Agent": "augury-webhooks",
                },
            )
            status_code = response.status_code
            if not 200 <= status_code < 300:
                error = f"HTTP {status_code}"
        except PlatformError as refused:
            error = refused.message
        except httpx.HTTPError as failure:
            error = f"{type(failure).__name__}: {failure}"[:200]
        attempts += 1
        now = self.platform.clock.now_ns()
        if error is None:
            status, next_ns = "delivered", now
        elif attempts >= settings.webhook_attempts_max:
            status, next_ns = "failed", now
        else:
            status = "pending"
            next_ns = now + BACKOFF_S[min(attempts, len(BACKOFF_S)) - 1] * _NS

        def record(tx: Tx) -> None:
            tx.exec(
                "UPDATE platform_webhook_deliveries SET status = ?, attempts = ?, "
                "next_attempt_ns = ?, last_status_code = ?, last_error = ?, updated_ns = ? "
                "WHERE delivery_id = ?",
                (status, attempts, next_ns, status_code, error, now, delivery_id),
            )

        await self.platform.db.run(record)


def deliveries(tx: Tx, webhook_id: str, limit: int) -> list[tuple[Any, ...]]:
    """Return a subscription's newest deliveries (its delivery log)."""
    return tx.all(
        "SELECT delivery_id, kind, status, attempts, last_status_code, last_error, "
        "created_ns, updated_ns, next_attempt_ns FROM platform_webhook_deliveries "
        "WHERE webhook_id = ? ORDER BY delivery_id DESC LIMIT ?",
        (webhook_id, limit),
    )
