"""Domain rows to wire Structs, in one place: times as RFC 3339, money as integer cents."""

from __future__ import annotations

from augury.api.schemas.base import rfc3339_from_ns
from augury.platform import schemas as s
from augury.platform.accounts import Account
from augury.platform.credentials import TokenRecord

__all__ = ["avatar_url", "cents_floor", "iso", "token", "user"]


def iso(ts_ns: int | None) -> str | None:
    """Return an RFC 3339 UTC time, or None."""
    return None if ts_ns is None else rfc3339_from_ns(ts_ns)


def cents_floor(value_cc: int) -> int:
    """Return centi-cents as whole cents, rounded toward minus infinity."""
    return value_cc // 100


def avatar_url(account: Account) -> str | None:
    if not account.avatar_version:
        return None
    return f"/api/users/{account.username}/avatar?v={account.avatar_version}"


def user(account: Account) -> s.User:
    return s.User(
        id=account.user_id,
        username=account.username,
        email=account.email,
        first_name=account.first_name,
        last_name=account.last_name,
        bio=account.bio,
        dark_mode=account.dark_mode,
        avatar_url=avatar_url(account),
        referral_code=account.referral_code,
        status=account.status,
        created_at=rfc3339_from_ns(account.created_ns),
    )


def token(record: TokenRecord) -> s.Token:
    return s.Token(
        id=record.token_id,
        name=record.name,
        scopes=list(record.scopes),
        hint="pred_…" + record.hint,
        created_at=rfc3339_from_ns(record.created_ns),
        revoked_at=iso(record.revoked_ns),
    )
