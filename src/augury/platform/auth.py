"""Who is calling: a ``pred_`` bearer token, the session cookie, or nobody.

Order: an ``Authorization: Bearer`` header wins (and must be a valid, unrevoked token of
an active account, or the request is refused with 401); otherwise the session cookie is
used if it names a live session of an active account; otherwise the caller is anonymous.

CSRF: a request authenticated by the session cookie with a state-changing method (POST,
PUT, PATCH, DELETE) must carry the session's CSRF token, in the ``X-CSRF-Token`` header
or (server-rendered forms) the ``csrf_token`` form field; compared in constant time.
Bearer-token requests are exempt: a browser never attaches the header on its own.
For requests that create a session (register, login) there is no session yet: when the
browser sends ``Origin``, it must be this server's own origin (login CSRF).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Literal

from starlette.requests import Request

from augury.platform import credentials
from augury.platform.accounts import Account
from augury.platform.db import PlatformDb
from augury.platform.http import PlatformError

__all__ = ["UNSAFE_METHODS", "Principal", "check_csrf", "check_same_origin", "resolve"]

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller."""

    account: Account
    via: Literal["session", "token"]
    scopes: tuple[str, ...]
    limit_key: str  # the rate limiter's key: the token id or the session
    session_hash: str | None = None
    csrf_token: str | None = None
    token_id: str | None = None

    @property
    def user_id(self) -> str:
        return self.account.user_id


async def resolve(request: Request, db: PlatformDb, now_ns: int) -> Principal | None:
    """Return the caller's principal, None when anonymous; 401 for a bad bearer token."""
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not credentials.TOKEN_PATTERN.match(token):
            raise PlatformError(401, "the Authorization header must be 'Bearer pred_...'")
        found = await db.read(lambda tx: credentials.token_account(tx, token))
        if found is None:
            raise PlatformError(401, "unknown or revoked token")
        account, record = found
        if not account.active:
            raise PlatformError(401, "this account is suspended")
        return Principal(
            account, "token", record.scopes, "t:" + record.token_id, token_id=record.token_id
        )
    session_id = request.cookies.get(credentials.SESSION_COOKIE)
    if not session_id or len(session_id) > 128:
        return None
    found_session = await db.read(lambda tx: credentials.session_account(tx, session_id, now_ns))
    if found_session is None:
        return None
    account, csrf, digest = found_session
    if not account.active:
        return None
    return Principal(account, "session", ("read", "write"), "s:" + digest, digest, csrf)


def check_csrf(request: Request, principal: Principal, form_token: str | None = None) -> None:
    """Refuse (403) a cookie-authenticated state change without the session's CSRF token."""
    if principal.via != "session" or request.method not in UNSAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER) or form_token or ""
    expected = principal.csrf_token or ""
    if not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise PlatformError(403, "missing or wrong CSRF token (send the X-CSRF-Token header)")


def check_same_origin(request: Request) -> None:
    """Refuse (403) a session-creating request that a browser sent from another origin."""
    origin = request.headers.get("origin")
    if origin is None:
        return
    expected = f"{request.url.scheme}://{request.headers.get('host', '')}"
    if origin != expected:
        raise PlatformError(403, "cross-origin requests may not log in or register")
