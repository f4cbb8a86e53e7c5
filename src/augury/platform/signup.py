"""Registering, logging in and out, changing passwords: accounts and their sessions.

Registration writes the account row first and journals the exchange user second
(``CreateUser`` named ``ACCOUNT_MARKER + user_id``); a crash between the two is repaired
at the next start (``Platform._reconcile_accounts``). A username an operator already gave
to an exchange user is never adopted: registration picks another one.
"""

from __future__ import annotations

from collections.abc import Callable

from augury.domain.rejects import RejectReason
from augury.engine import commands as c
from augury.platform import accounts, credentials
from augury.platform.accounts import Account
from augury.platform.db import Tx
from augury.platform.http import PlatformError
from augury.platform.service import Platform

__all__ = ["adopt", "change_password", "login", "register"]

_USERNAME_TRIES = 8


def check_password(platform: Platform, password: str) -> None:
    settings = platform.settings
    if len(password) < settings.password_min_chars:
        raise PlatformError(
            400, f"password must be at least {settings.password_min_chars} characters"
        )
    if len(password) > settings.password_max_chars:
        raise PlatformError(
            400, f"password must be at most {settings.password_max_chars} characters"
        )


def _new_account(
    user_id: str,
    email: str,
    password_hash: str,
    first_name: str,
    last_name: str,
    referred_by: str | None,
    invite_code: str | None,
    now_ns: int,
) -> Account:
    return Account(
        user_id=user_id,
        email=email,
        username=user_id,
        password_hash=password_hash,
        first_name=first_name,
        last_name=last_name,
        bio="",
        dark_mode=False,
        muted_kinds=(),
        status="active",
        role="user",
        referral_code=accounts.new_referral_code(),
        referred_by=referred_by,
        invite_code=invite_code,
        avatar_version=0,
        password_changed_ns=now_ns,
        created_ns=now_ns,
        updated_ns=now_ns,
    )


async def register(
    platform: Platform,
    *,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    referral_code: str | None = None,
    invite_code: str | None = None,
) -> Account:
    """Create an account and its exchange user; return the account."""
    email = accounts.normalise_email(email)
    check_password(platform, password)
    limit = platform.settings.name_max_chars
    first_name = accounts.check_text(first_name.strip(), "firstName", limit)
    last_name = accounts.check_text(last_name.strip(), "lastName", limit)
    if invite_code is not None:
        accounts.check_text(invite_code, "inviteCode", 64)
    password_hash = await platform.passwords.hash(password)
    for _ in range(_USERNAME_TRIES):
        user_id = accounts.propose_username(first_name)
        if platform.reads.user_exists(user_id)[0]:
            continue
        now = platform.clock.now_ns()

        def insert(tx: Tx, user_id: str = user_id, now: int = now) -> Account | None:
            if accounts.by_email(tx, email) is not None:
                raise PlatformError(409, "an account with this email already exists")
            if accounts.by_username(tx, user_id) is not None:
                return None
            referred_by = None
            if referral_code is not None:
                referrer = accounts.by_referral_code(tx, referral_code.strip().upper())
                if referrer is None:
                    raise PlatformError(400, "unknown referral code")
                referred_by = referrer.user_id
            account = _new_account(
                user_id, email, password_hash, first_name, last_name, referred_by, invite_code, now
            )
            accounts.insert(tx, account)
            return account

        account = await platform.db.run(insert)
        if account is None:
            continue
        platform.members.add(account.user_id)
        outcome = await platform.submit(
            c.CreateUser(user_id=account.user_id, name=accounts.ACCOUNT_MARKER + account.user_id)
        )
        if outcome.reject is None:
            return account
        # An operator created an exchange user of this name a moment ago: give the
        # account back and try another name (never adopt someone else's user).
        assert outcome.reject.reason is RejectReason.ALREADY_EXISTS, outcome.reject
        platform.members.discard(account.user_id)
        await platform.db.run(_delete_account(account.user_id))
    raise PlatformError(409, "could not find a free username; try again")


def _delete_account(user_id: str) -> Callable[[Tx], int]:
    return lambda tx: tx.exec("DELETE FROM platform_users WHERE user_id = ?", (user_id,))


async def adopt(platform: Platform, user_id: str, email: str, password: str) -> Account:
    """Give an existing exchange user (e.g. the demo's) a platform account."""
    email = accounts.normalise_email(email)
    check_password(platform, password)
    if not platform.reads.user_exists(user_id)[0]:
        raise PlatformError(404, f"no exchange user {user_id!r}")
    password_hash = await platform.passwords.hash(password)
    now = platform.clock.now_ns()

    def insert(tx: Tx) -> Account:
        found = accounts.by_id(tx, user_id)
        if found is not None:
            return found
        if accounts.by_email(tx, email) is not None:
            raise PlatformError(409, "an account with this email already exists")
        account = _new_account(user_id, email, password_hash, user_id, "", None, None, now)
        accounts.insert(tx, account)
        return account

    account = await platform.db.run(insert)
    platform.members.add(account.user_id)
    return account


async def login(
    platform: Platform, email_raw: str, password: str, address: str
) -> tuple[Account, str, str]:
    """Check a password (throttled); return the account, a new session id and its CSRF."""
    now = platform.clock.now_ns()
    try:
        email = accounts.normalise_email(email_raw)
    except PlatformError:
        email = email_raw.strip().lower()[:254]
    platform.throttle.check(email, address, now)
    account = await platform.db.read(lambda tx: accounts.by_email(tx, email))
    ok = await platform.passwords.verify(account.password_hash if account else None, password)
    if not ok or account is None:
        platform.throttle.failed(email, address, now)
        raise PlatformError(401, "wrong email or password")
    platform.throttle.succeeded(email)
    if not account.active:
        raise PlatformError(403, "this account is suspended")
    rehash = (
        await platform.passwords.hash(password)
        if platform.passwords.needs_rehash(account.password_hash)
        else None
    )
    lifetime = platform.settings.session_lifetime_s

    def open_session(tx: Tx) -> tuple[str, str]:
        if rehash is not None:
            tx.exec(
                "UPDATE platform_users SET password_hash = ? WHERE user_id = ?",
                (rehash, account.user_id),
            )
        return credentials.create_session(tx, account.user_id, now, lifetime)

    session_id, csrf = await platform.db.run(open_session)
    return account, session_id, csrf


async def change_password(
    platform: Platform, account: Account, current: str, new: str
) -> tuple[str, str]:
    """Replace a password, end every session of the user, open a new one for the caller."""
    if not await platform.passwords.verify(account.password_hash, current):
        raise PlatformError(401, "the current password is wrong")
    check_password(platform, new)
    new_hash = await platform.passwords.hash(new)
    now = platform.clock.now_ns()
    lifetime = platform.settings.session_lifetime_s

    def apply(tx: Tx) -> tuple[str, str]:
        tx.exec(
            "UPDATE platform_users SET password_hash = ?, password_changed_ns = ?, "
            "updated_ns = ? WHERE user_id = ?",
            (new_hash, now, now, account.user_id),
        )
        credentials.end_all_sessions(tx, account.user_id)
        return credentials.create_session(tx, account.user_id, now, lifetime)

    return await platform.db.run(apply)
