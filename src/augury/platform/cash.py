"""Deposits and withdrawals through payment gateways, approved by the operator.

No gateway is enabled on a new exchange: both requests answer 403 with the reason. The
operator can enable the ``manual`` gateway (``augury admin gateways set manual``): a
request then waits as ``pending`` until the operator approves or rejects it (admin API
and CLI). Approval is the only thing that moves money, and it does so with a journaled
``Deposit``/``Withdraw`` whose ``transfer_id`` is ``"cash-" + request id``:

1. the request becomes ``approving`` (committed);
2. the command goes through the sequencer; the engine refuses a second command with the
   same transfer id, so a retried approval (a crash between 1 and 3, or the same request
   approved twice) moves the money once;
3. the request becomes ``approved`` (or ``rejected`` with the engine's reason, e.g. a
   withdrawal larger than the balance now available).

A restart finishes every request left ``approving``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from augury.domain.rejects import RejectReason
from augury.domain.units import CC_PER_CENT
from augury.engine import commands as c
from augury.platform import render
from augury.platform import schemas as s
from augury.platform.db import Tx
from augury.platform.http import PlatformError

if TYPE_CHECKING:
    from augury.platform.service import Platform

__all__ = ["GATEWAYS", "CashDesk", "CashRow"]

GATEWAYS = {"manual": "Manual transfer (approved by the operator)"}
_COLUMNS = "request_id, user_id, kind, gateway, amount_cc, status, reason, created_ns, decided_ns"


@dataclass(frozen=True, slots=True)
class CashRow:
    request_id: str
    user_id: str
    kind: str
    gateway: str
    amount_cc: int
    status: str
    reason: str | None
    created_ns: int
    decided_ns: int | None

    def wire(self) -> s.CashRequest:
        return s.CashRequest(
            id=self.request_id,
            kind="deposit" if self.kind == "deposit" else "withdrawal",
            gateway=self.gateway,
            amount_cents=self.amount_cc // CC_PER_CENT,
            status=self.status,
            reason=self.reason,
            created_at=render.iso(self.created_ns) or "",
            decided_at=render.iso(self.decided_ns),
        )


def _row(tx: Tx, request_id: str) -> CashRow | None:
    row = tx.one(
        f"SELECT {_COLUMNS} FROM platform_cash_requests WHERE request_id = ?",  # noqa: S608
        (request_id,),
    )
    return CashRow(*row) if row else None


class CashDesk:
    """Requests, gateways and approvals."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform

    async def enabled(self, mode: str) -> list[str]:
        """Return the gateways enabled for ``mode`` (deposit or withdrawal)."""
        column = "deposits" if mode == "deposit" else "withdrawals"
        rows = await self.platform.db.read(
            lambda tx: tx.all(
                f"SELECT name FROM platform_gateways WHERE {column} = ? ORDER BY name",  # noqa: S608
                (True,),
            )
        )
        return [str(name) for (name,) in rows]

    async def set_gateway(self, name: str, deposits: bool, withdrawals: bool) -> None:
        if name not in GATEWAYS:
            raise PlatformError(404, f"unknown gateway {name!r} (known: manual)")
        now = self.platform.clock.now_ns()
        await self.platform.db.run(
            lambda tx: tx.exec(
                "INSERT INTO platform_gateways (name, deposits, withdrawals, updated_ns) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                "deposits = excluded.deposits, withdrawals = excluded.withdrawals, "
                "updated_ns = excluded.updated_ns",
                (name, deposits, withdrawals, now),
            )
        )

    async def request(self, user_id: str, kind: str, gateway: str, amount_cents: int) -> CashRow:
        """Queue a deposit or withdrawal request (403 while no gateway allows it)."""
        mode = "deposit" if kind == "deposit" else "withdrawal"
        enabled = await self.enabled(mode)
        if not enabled:
            raise PlatformError(
                403, f"{mode}s are disabled: the operator has not enabled a payment gateway"
            )
        if gateway not in enabled:
            raise PlatformError(403, f"the {gateway!r} gateway does not take {mode}s")
        amount_cc = amount_cents * CC_PER_CENT
        if kind == "withdrawal":
            balance = self.platform.reads.balance(user_id)
            if balance is None or balance.available_cc < amount_cc:
                raise PlatformError(402, "insufficient funds")
        now = self.platform.clock.now_ns()
        row = CashRow(
            "cash_" + secrets.token_hex(8),
            user_id,
            kind,
            gateway,
            amount_cc,
            "pending",
            None,
            now,
            None,
        )
        limit = self.platform.settings.pending_cash_requests_max

        def insert(tx: Tx) -> None:
            count = tx.one(
                "SELECT COUNT(*) FROM platform_cash_requests WHERE user_id = ? "
                "AND status IN ('pending', 'approving')",
                (user_id,),
            )
            if count is not None and int(count[0]) >= limit:
                raise PlatformError(409, f"at most {limit} requests may wait at once")
            tx.exec(
                f"INSERT INTO platform_cash_requests ({_COLUMNS}) "  # noqa: S608
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (row.request_id, user_id, kind, gateway, amount_cc, "pending", None, now, None),
            )

        await self.platform.db.run(insert)
        return row

    async def mine(self, user_id: str, kind: str) -> list[CashRow]:
        rows = await self.platform.db.read(
            lambda tx: tx.all(
                f"SELECT {_COLUMNS} FROM platform_cash_requests WHERE user_id = ? AND kind = ? "  # noqa: S608
                "ORDER BY created_ns DESC LIMIT 100",
                (user_id, kind),
            )
        )
        return [CashRow(*r) for r in rows]

    async def listing(self, status: str | None) -> list[CashRow]:
        where, params = ("WHERE status = ?", (status,)) if status else ("", ())
        rows = await self.platform.db.read(
            lambda tx: tx.all(
                f"SELECT {_COLUMNS} FROM platform_cash_requests {where} "  # noqa: S608
                "ORDER BY created_ns LIMIT 1000",
                params,
            )
        )
        return [CashRow(*r) for r in rows]

    async def decide(self, request_id: str, approve: bool, reason: str | None = None) -> CashRow:
        """Approve (journal the cash movement) or reject a waiting request."""
        now = self.platform.clock.now_ns()
        next_status = "approving" if approve else "rejected"

        def begin(tx: Tx) -> CashRow:
            row = _row(tx, request_id)
            if row is None:
                raise PlatformError(404, "no such request")
            if row.status not in ("pending", "approving"):
                raise PlatformError(409, f"the request is already {row.status}")
            tx.exec(
                "UPDATE platform_cash_requests SET status = ?, reason = ?, decided_ns = ? "
                "WHERE request_id = ?",
                (next_status, reason, now, request_id),
            )
            found = _row(tx, request_id)
            assert found is not None
            return found

        row = await self.platform.db.run(begin)
        if approve:
            row = await self._journal(row)
        return row

    async def _journal(self, row: CashRow) -> CashRow:
        kwargs = {
            "user_id": row.user_id,
            "amount_cc": row.amount_cc,
            "transfer_id": "cash-" + row.request_id,
        }
        command = c.Deposit(**kwargs) if row.kind == "deposit" else c.Withdraw(**kwargs)  # type: ignore[arg-type]
        outcome = await self.platform.submit(command)
        status, reason = "approved", row.reason
        if outcome.reject is not None and outcome.reject.reason is not RejectReason.ALREADY_EXISTS:
            status, reason = "rejected", outcome.reject.message
        now = self.platform.clock.now_ns()

        def finish(tx: Tx) -> CashRow:
            tx.exec(
                "UPDATE platform_cash_requests SET status = ?, reason = ?, decided_ns = ? "
                "WHERE request_id = ?",
                (status, reason, now, row.request_id),
            )
            found = _row(tx, row.request_id)
            assert found is not None
            return found

        return await self.platform.db.run(finish)

    async def resume(self) -> None:
        """Finish approvals a previous run left half done."""
        for row in await self.listing("approving"):
            await self._journal(row)


def gateway_wire(name: str, mode: str, max_cents: int) -> s.Gateway:
    return s.Gateway(
        id=name,
        name=GATEWAYS[name],
        mode="deposit" if mode == "deposit" else "withdrawal",
        requires_approval=True,
        min_cents=1,
        max_cents=max_cents,
    )
