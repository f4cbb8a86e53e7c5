"""Sessions and ``pred_`` tokens: random secrets, stored only as their SHA-256.

Sessions: a 256-bit random id in an ``HttpOnly``, ``SameSite=Lax`` cookie (``Secure``
when the request came over TLS), and a per-session CSRF token that every state-changing
request authenticated by the cookie must echo (``X-CSRF-Token`` header, or a
``csrf_token`` form field for server-rendered forms). Sessions end at logout, on a
password change (all of the user's), on suspension, and ``session_lifetime_s`` after
login.

Tokens: ``pred_`` + 40 characters drawn uniformly from the 62 base62 characters
(about 238 bits), shown once at creation; scoped ``read`` or ``read write``; revoking one
deletes nothing but stamps ``revoked_ns``, and every request looks the token up, so a
revoked token stops working with the next request.

A fast hash (SHA-256) suffices for both: the secrets are long random strings, not
passwords, so there is nothing to brute-force.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from augury.platform.accounts import COLUMNS, Account
from augury.platform.db import Tx

__all__ = [
    "SESSION_COOKIE",
    "TOKEN_PATTERN",
    "TokenRecord",
    "new_token",
    "secret_hash",
]

SESSION_COOKIE = "augury_session"
TOKEN_PREFIX = "pred_"  # noqa: S105 (a prefix, not a secret)
TOKEN_CHARS = 40
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
TOKEN_PATTERN = re.compile(r"^pred_[0-9A-Za-z]{40}$")
_ACCOUNT_COLUMNS = ", ".join(f"u.{name.strip()}" for name in COLUMNS.split(","))


def secret_hash(secret: str) -> str:
    """Return the stored form of a session id or token."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token() -> str:
    """Return a fresh ``pred_`` token."""
    return TOKEN_PREFIX + "".join(secrets.choice(_BASE62) for _ in range(TOKEN_CHARS))


# --- sessions --------------------------------------------------------------------------


def create_session(tx: Tx, user_id: str, now_ns: int, lifetime_s: int) -> tuple[str, str]:
    """Store a new session; return ``(session id, csrf token)``."""
    session_id = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    tx.exec("DELETE FROM platform_sessions WHERE expires_ns <= ?", (now_ns,))
    tx.exec(
        "INSERT INTO platform_sessions (session_hash, user_id, csrf_token, created_ns, "
        "expires_ns) VALUES (?, ?, ?, ?, ?)",
        (secret_hash(session_id), user_id, csrf, now_ns, now_ns + lifetime_s * 1_000_000_000),
    )
    return session_id, csrf


def session_account(tx: Tx, session_id: str, now_ns: int) -> tuple[Account, str, str] | None:
    """Return ``(account, csrf token, session hash)`` of a live session, or None."""
    digest = secret_hash(session_id)
    row = tx.one(
        f"SELECT {_ACCOUNT_COLUMNS}, s.csrf_token FROM platform_sessions s "  # noqa: S608
        "JOIN platform_users u ON u.user_id = s.user_id "
        "WHERE s.session_hash = ? AND s.expires_ns > ?",
        (digest, now_ns),
    )
    if row is None:
        return None
    return Account.from_row(row[:-1]), str(row[-1]), digest


def live_sessions(tx: Tx, session_hashes: list[str], now_ns: int) -> set[str]:
    """Those of ``session_hashes`` that are unexpired sessions of active accounts."""
    alive: set[str] = set()
    for start in range(0, len(session_hashes), 500):  # within every store's bound-parameter cap
        chunk = session_hashes[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        rows = tx.all(
            "SELECT s.session_hash FROM platform_sessions s "  # noqa: S608
            "JOIN platform_users u ON u.user_id = s.user_id "
            f"WHERE s.expires_ns > ? AND u.status = ? AND s.session_hash IN ({marks})",
            (now_ns, "active", *chunk),
        )
        alive.update(str(row[0]) for row in rows)
    return alive


def end_session(tx: Tx, session_hash: str) -> None:
    tx.exec("DELETE FROM platform_sessions WHERE session_hash = ?", (session_hash,))


def end_all_sessions(tx: Tx, user_id: str) -> int:
    return tx.exec("DELETE FROM platform_sessions WHERE user_id = ?", (user_id,))


# --- tokens ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TokenRecord:
    token_id: str
    user_id: str
    name: str
    scopes: tuple[str, ...]
    hint: str
    created_ns: int
    revoked_ns: int | None


_TOKEN_COLUMNS = "token_id, user_id, name, scopes, hint, created_ns, revoked_ns"  # noqa: S105


def _token(row: tuple[object, ...]) -> TokenRecord:
    values = list(row)
    values[3] = tuple(str(values[3]).split())
    return TokenRecord(*values)  # type: ignore[arg-type]


def create_token(
    tx: Tx, user_id: str, name: str, scopes: tuple[str, ...], now_ns: int
) -> tuple[TokenRecord, str]:
    """Store a new token; return its record and the token itself (shown once)."""
    token = new_token()
    record = TokenRecord(
        token_id="tok_" + secrets.token_hex(8),
        user_id=user_id,
        name=name,
        scopes=scopes,
        hint=token[-4:],
        created_ns=now_ns,
        revoked_ns=None,
    )
    tx.exec(
        "INSERT INTO platform_tokens (token_id, token_hash, user_id, name, scopes, hint, "
        "created_ns, revoked_ns) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
        (
            record.token_id,
            secret_hash(token),
            user_id,
            name,
            " ".join(scopes),
            record.hint,
            now_ns,
        ),
    )
    return record, token


def live_token_count(tx: Tx, user_id: str) -> int:
    row = tx.one(
        "SELECT COUNT(*) FROM platform_tokens WHERE user_id = ? AND revoked_ns IS NULL",
        (user_id,),
    )
    return int(row[0]) if row else 0


def list_tokens(tx: Tx, user_id: str) -> list[TokenRecord]:
    rows = tx.all(
        f"SELECT {_TOKEN_COLUMNS} FROM platform_tokens WHERE user_id = ? "  # noqa: S608
        "ORDER BY created_ns DESC, token_id",
        (user_id,),
    )
    return [_token(row) for row in rows]


def revoke_token(tx: Tx, user_id: str, token_id: str, now_ns: int) -> bool:
    """Revoke one of ``user_id``'s live tokens; False if there is no such token."""
    changed = tx.exec(
        "UPDATE platform_tokens SET revoked_ns = ? "
        "WHERE token_id = ? AND user_id = ? AND revoked_ns IS NULL",
        (now_ns, token_id, user_id),
    )
    return changed == 1


def token_account(tx: Tx, token: str) -> tuple[Account, TokenRecord] | None:
    """Return the account and record of a live (unrevoked) token, or None."""
    row = tx.one(
        f"SELECT {_ACCOUNT_COLUMNS}, t.token_id, t.user_id, t.name, t.scopes, t.hint, "  # noqa: S608
        "t.created_ns, t.revoked_ns FROM platform_tokens t "
        "JOIN platform_users u ON u.user_id = t.user_id "
        "WHERE t.token_hash = ? AND t.revoked_ns IS NULL",
        (secret_hash(token),),
    )
    if row is None:
        return None
    return Account.from_row(row[:-7]), _token(row[-7:])
