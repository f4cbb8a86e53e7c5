"""Command family: accounts and keys (users, cash, subaccounts, transfers, tiers, API keys).

Contract, per command (rejects in precedence order, after ``out_of_domain`` which leads
for every command; the first that applies is returned, and a refused command changes
nothing). ``ts`` is the command's time from its envelope.

``CreateUser`` -> user id
    Rejects: ``already_exists`` (empty or taken user id).
    Events: ``UserUpdate``. State: ``users``, the user's subaccount 0 account.
``RegisterApiKey`` -> key id
    Rejects: ``unknown_user``, ``already_exists`` (key id taken).
    Events: ``ApiKeyUpdate(active=True)``. State: ``api_keys``.
``RevokeApiKey`` -> key id
    Rejects: ``invalid_parameters`` (no such key of this user; a key with the ``admin``
    scope, the operator's: revoking it would lock the operator out of the admin API, so
    no route, present or future, can do it).
    Events: ``ApiKeyUpdate(active=False)``. State: ``api_keys``.
``SetUserTier`` -> the tier as given
    Rejects: ``unknown_user``, ``invalid_parameters`` (not in ``TIERS`` nor ``default``).
    Events: ``UserUpdate``. State: the user's ``tier`` (``default`` stores "").
``Deposit``, ``Withdraw`` -> the account's available cash afterwards
    A ``transfer_id`` (optional) makes one idempotent: ids are shared with
    ``TransferCash``, and a used one is refused, so an operator's approval retried after
    a crash cannot move the money twice.
    Rejects: ``unknown_user``, ``invalid_parameters`` (no such subaccount),
    ``already_exists`` (transfer id used), ``invalid_parameters`` (amount not a positive
    whole cent), ``money_limit`` (a deposit taking the exchange's total, deposits less
    withdrawals, past ``MONEY_MAX_CC``), ``insufficient_balance`` (a withdrawal above
    available cash).
    Events: ``CashMovement`` (kind ``deposit``/``withdrawal``, with the transfer id),
    ``BalanceUpdate``. State: the account, the ledger's outside world, ``transfer_ids``.
``CreateSubaccount`` -> the new subaccount's number (1, 2, ...)
    Rejects: ``unknown_user``, ``invalid_parameters`` (``MAX_SUBACCOUNTS`` reached).
    Events: none. State: the user's ``subaccounts``, a new empty account.
``TransferCash`` -> transfer id (idempotency key; a reused one is refused)
    Rejects: ``unknown_user``, ``invalid_parameters`` (either subaccount missing),
    ``already_exists`` (transfer id used), ``invalid_parameters`` (same subaccount;
    amount not a positive whole cent), ``insufficient_balance``.
    Events: ``CashMovement`` (kind ``transfer``), ``BalanceUpdate`` x2.
    State: both accounts, ``transfer_ids``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from augury.domain.rejects import Reject, RejectReason
from augury.engine import commands as c
from augury.engine.checks import account_of
from augury.engine.events import ApiKeyUpdate, CashMovement, UserUpdate

if TYPE_CHECKING:
    from augury.engine.exchange import Exchange

__all__ = [
    "DEFAULT_TIER",
    "MAX_SUBACCOUNTS",
    "TIERS",
    "ApiKeyInfo",
    "UserInfo",
    "create_subaccount",
    "create_user",
    "deposit",
    "register_key",
    "revoke_key",
    "set_tier",
    "transfer",
    "withdraw",
]

MAX_SUBACCOUNTS = 63
TIERS = ("basic", "advanced", "expert", "premier", "paragon", "prime", "prestige", "unlimited")
DEFAULT_TIER = "default"  # SetUserTier's word for "back to the server's default" (tier "")
ADMIN_SCOPE = "admin"  # the operator key's scope (api.app._ensure_operator): never revoked


class UserInfo:
    """A user: name, rate-limit tier, subaccounts and the count of its resting orders."""

    __slots__ = ("created_ns", "name", "resting", "subaccounts", "tier", "user_id")

    def __init__(self, user_id: str, name: str, ts_ns: int) -> None:
        self.user_id = user_id
        self.name = name
        self.tier = ""  # none set: the server's default tier applies (api.ratelimit)
        self.subaccounts = 1  # subaccount 0 always exists
        self.resting = 0
        self.created_ns = ts_ns


class ApiKeyInfo:
    """The public half of an API key; the server builds its verifier cache from these."""

    __slots__ = (
        "api_key_id",
        "created_ns",
        "key_type",
        "name",
        "public_key_pem",
        "scopes",
        "subaccount",
        "user_id",
    )

    def __init__(self, cmd: c.RegisterApiKey, ts_ns: int) -> None:
        self.api_key_id = cmd.api_key_id
        self.user_id = cmd.user_id
        self.name = cmd.name
        self.public_key_pem = cmd.public_key_pem
        self.key_type = cmd.key_type
        self.scopes = tuple(cmd.scopes)
        self.subaccount = cmd.subaccount
        self.created_ns = ts_ns


def create_user(ex: Exchange, cmd: c.CreateUser, ts: int) -> str:
    if not cmd.user_id or cmd.user_id in ex.users:
        raise Reject(RejectReason.ALREADY_EXISTS, f"user {cmd.user_id!r} already exists")
    user = ex.users[cmd.user_id] = UserInfo(cmd.user_id, cmd.name, ts)
    ex.ledger.open_account((cmd.user_id, 0), ts)
    ex.out.append(UserUpdate(ts_ns=ts, user_id=user.user_id, name=user.name, tier=user.tier))
    return cmd.user_id


def register_key(ex: Exchange, cmd: c.RegisterApiKey, ts: int) -> str:
    if cmd.user_id not in ex.users:
        raise Reject(RejectReason.UNKNOWN_USER, f"unknown user {cmd.user_id!r}")
    if cmd.api_key_id in ex.api_keys:
        raise Reject(RejectReason.ALREADY_EXISTS, "api key id already exists")
    ex.api_keys[cmd.api_key_id] = ApiKeyInfo(cmd, ts)
    ex.out.append(
        ApiKeyUpdate(ts_ns=ts, api_key_id=cmd.api_key_id, user_id=cmd.user_id, active=True)
    )
    return cmd.api_key_id


def revoke_key(ex: Exchange, cmd: c.RevokeApiKey, ts: int) -> str:
    key = ex.api_keys.get(cmd.api_key_id)
    if key is None or key.user_id != cmd.user_id:
        raise Reject(RejectReason.INVALID_PARAMETERS, "api key not found")
    if ADMIN_SCOPE in key.scopes:
        raise Reject(RejectReason.INVALID_PARAMETERS, "the operator key cannot be revoked")
    del ex.api_keys[cmd.api_key_id]
    ex.out.append(
        ApiKeyUpdate(ts_ns=ts, api_key_id=cmd.api_key_id, user_id=cmd.user_id, active=False)
    )
    return cmd.api_key_id


def set_tier(ex: Exchange, cmd: c.SetUserTier, ts: int) -> str:
    user = ex.users.get(cmd.user_id)
    if user is None:
        raise Reject(RejectReason.UNKNOWN_USER, f"unknown user {cmd.user_id!r}")
    if cmd.tier not in TIERS and cmd.tier != DEFAULT_TIER:
        raise Reject(RejectReason.INVALID_PARAMETERS, f"unknown tier {cmd.tier!r}")
    user.tier = "" if cmd.tier == DEFAULT_TIER else cmd.tier
    ex.out.append(UserUpdate(ts_ns=ts, user_id=user.user_id, name=user.name, tier=user.tier))
    return cmd.tier


def deposit(ex: Exchange, cmd: c.Deposit, ts: int) -> int:
    account = account_of(ex, cmd.user_id, cmd.subaccount)
    _check_transfer_id(ex, cmd.transfer_id)
    ex.ledger.deposit(account, cmd.amount_cc, ts)
    _record_cash(ex, cmd, "deposit", ts)
    return account.available_cc


def withdraw(ex: Exchange, cmd: c.Withdraw, ts: int) -> int:
    account = account_of(ex, cmd.user_id, cmd.subaccount)
    _check_transfer_id(ex, cmd.transfer_id)
    ex.ledger.withdraw(account, cmd.amount_cc, ts)
    _record_cash(ex, cmd, "withdrawal", ts)
    return account.available_cc


def _check_transfer_id(ex: Exchange, transfer_id: str | None) -> None:
    # Deposits and withdrawals share TransferCash's id space: an operator approval
    # retried after a crash is refused instead of moving the money twice.
    if transfer_id and transfer_id in ex.transfer_ids:
        raise Reject(RejectReason.ALREADY_EXISTS, "transfer id already used")


def _record_cash(ex: Exchange, cmd: c.Deposit | c.Withdraw, kind: str, ts: int) -> None:
    if cmd.transfer_id:
        ex.transfer_ids.add(cmd.transfer_id)
    ex.out.append(
        CashMovement(
            ts_ns=ts,
            kind=kind,
            user_id=cmd.user_id,
            subaccount=cmd.subaccount,
            amount_cc=cmd.amount_cc,
            transfer_id=cmd.transfer_id,
        )
    )


def create_subaccount(ex: Exchange, cmd: c.CreateSubaccount, ts: int) -> int:
    account_of(ex, cmd.user_id, 0)
    user = ex.users[cmd.user_id]
    if user.subaccounts > MAX_SUBACCOUNTS:
        raise Reject(RejectReason.INVALID_PARAMETERS, "subaccount limit reached")
    number = user.subaccounts
    user.subaccounts += 1
    ex.ledger.open_account((cmd.user_id, number), ts)
    return number


def transfer(ex: Exchange, cmd: c.TransferCash, ts: int) -> str:
    source = account_of(ex, cmd.user_id, cmd.from_subaccount)
    target = account_of(ex, cmd.user_id, cmd.to_subaccount)
    if cmd.transfer_id in ex.transfer_ids:
        raise Reject(RejectReason.ALREADY_EXISTS, "transfer id already used")
    if source is target:
        raise Reject(RejectReason.INVALID_PARAMETERS, "cannot transfer to the same subaccount")
    ex.ledger.transfer(source, target, cmd.amount_cc, ts)
    ex.transfer_ids.add(cmd.transfer_id)
    ex.out.append(
        CashMovement(
            ts_ns=ts,
            kind="transfer",
            user_id=cmd.user_id,
            subaccount=cmd.from_subaccount,
            amount_cc=cmd.amount_cc,
            to_subaccount=cmd.to_subaccount,
            transfer_id=cmd.transfer_id,
        )
    )
    return cmd.transfer_id
