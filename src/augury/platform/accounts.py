"""Platform accounts: validation of what people type, and the ``platform_users`` rows.

Invariants:

- An account's ``user_id`` is the exchange user id (the account's username): the exchange
  user is created by a journaled ``CreateUser`` whose ``name`` is ``ACCOUNT_MARKER +
  user_id``, so an exchange user made for an account can always be told apart from one an
  operator made by hand (which is never adopted by a registration).
- Emails are stored normalised (``normalise_email``): trimmed, NFKC, lower-cased; unique.
- Text is stored exactly as given (HTML included) and returned as JSON data; only control
  characters are refused (NUL cannot be stored by PostgreSQL, and the others have no
  business in a name or a note).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass

from augury.platform.db import Tx
from augury.platform.http import PlatformError

__all__ = [
    "ACCOUNT_MARKER",
    "NOTIFICATION_KINDS",
    "Account",
    "check_text",
    "new_referral_code",
    "normalise_email",
    "propose_username",
]

ACCOUNT_MARKER = "platform:"
NOTIFICATION_KINDS = (
    "fill",
    "settlement",
    "protection",
    "order_cancelled",
    "deposit",
    "withdrawal",
)
EMAIL_MAX_CHARS = 254
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_CONTROL_SINGLE = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_MULTI = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_USERNAME_PART = re.compile(r"[^a-z0-9]+")
_REFERRAL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

COLUMNS = (
    "user_id, email, username, password_hash, first_name, last_name, bio, dark_mode, "
    "muted_kinds, status, role, referral_code, referred_by, invite_code, avatar_version, "
    "password_changed_ns, created_ns, updated_ns"
)


@dataclass(frozen=True, slots=True)
class Account:
    user_id: str
    email: str
    username: str
    password_hash: str
    first_name: str
    last_name: str
    bio: str
    dark_mode: bool
    muted_kinds: tuple[str, ...]
    status: str
    role: str
    referral_code: str
    referred_by: str | None
    invite_code: str | None
    avatar_version: int
    password_changed_ns: int
    created_ns: int
    updated_ns: int

    @classmethod
    def from_row(cls, row: tuple[object, ...]) -> Account:
        values = list(row)
        values[7] = bool(values[7])
        values[8] = tuple(str(values[8]).split())
        return cls(*values)  # type: ignore[arg-type]

    @property
    def active(self) -> bool:
        return self.status == "active"


def normalise_email(raw: str) -> str:
    """Return the stored form of an email address, or raise 400."""
    email = unicodedata.normalize("NFKC", raw).strip().lower()
    if len(email) > EMAIL_MAX_CHARS or not _EMAIL.match(email) or _CONTROL_SINGLE.search(email):
        raise PlatformError(400, "email is not a valid address")
    return email


def check_text(value: str, field: str, max_chars: int, *, multiline: bool = False) -> str:
    """Return ``value`` unchanged if it is acceptable text, else raise 400."""
    if len(value) > max_chars:
        raise PlatformError(400, f"{field} is longer than {max_chars} characters")
    pattern = _CONTROL_MULTI if multiline else _CONTROL_SINGLE
    if pattern.search(value):
        raise PlatformError(400, f"{field} contains control characters")
    return value


def propose_username(first_name: str) -> str:
    """Return a readable username candidate: a name part and four random digits.

    The email is never used: usernames are public (profiles, leaderboards).
    """
    base = _USERNAME_PART.sub("", unicodedata.normalize("NFKD", first_name).lower())[:16]
    return f"{base or 'trader'}-{secrets.randbelow(10_000):04d}"


def new_referral_code() -> str:
    """Return a fresh random referral code (8 characters, unambiguous alphabet)."""
    return "".join(secrets.choice(_REFERRAL_ALPHABET) for _ in range(8))


# --- rows ----------------------------------------------------------------------------


def by_email(tx: Tx, email: str) -> Account | None:
    row = tx.one(f"SELECT {COLUMNS} FROM platform_users WHERE email = ?", (email,))  # noqa: S608
    return Account.from_row(row) if row else None


def by_id(tx: Tx, user_id: str) -> Account | None:
    row = tx.one(f"SELECT {COLUMNS} FROM platform_users WHERE user_id = ?", (user_id,))  # noqa: S608
    return Account.from_row(row) if row else None


def by_username(tx: Tx, username: str) -> Account | None:
    row = tx.one(
        f"SELECT {COLUMNS} FROM platform_users WHERE username = ?",  # noqa: S608
        (username.lower(),),
    )
    return Account.from_row(row) if row else None


def by_referral_code(tx: Tx, code: str) -> Account | None:
    row = tx.one(f"SELECT {COLUMNS} FROM platform_users WHERE referral_code = ?", (code,))  # noqa: S608
    return Account.from_row(row) if row else None


def insert(tx: Tx, account: Account) -> None:
    """Insert a new account row (the caller checked uniqueness in the same transaction)."""
    tx.exec(
        f"INSERT INTO platform_users ({COLUMNS}) VALUES ({', '.join('?' * 18)})",  # noqa: S608
        (
            account.user_id,
            account.email,
            account.username,
            account.password_hash,
            account.first_name,
            account.last_name,
            account.bio,
            account.dark_mode,
            " ".join(account.muted_kinds),
            account.status,
            account.role,
            account.referral_code,
            account.referred_by,
            account.invite_code,
            account.avatar_version,
            account.password_changed_ns,
            account.created_ns,
            account.updated_ns,
        ),
    )


def all_user_ids(tx: Tx) -> list[tuple[str, str]]:
    """Return ``(user_id, status)`` of every account."""
    return [(str(u), str(s)) for u, s in tx.all("SELECT user_id, status FROM platform_users")]


def set_status(tx: Tx, user_id: str, status: str, now_ns: int) -> bool:
    return (
        tx.exec(
            "UPDATE platform_users SET status = ?, updated_ns = ? WHERE user_id = ?",
            (status, now_ns, user_id),
        )
        == 1
    )
