"""CSV exports of the signed-in user's positions, settlements and cash history.

Beside ``/api/me/trades/export`` (``endpoints.me``), with the same rules: streamed page by
page (``_PAGE`` rows a read, so memory stays flat however long the history), one header
row, text cells escaped against spreadsheet formula injection (``me.csv_cell``: a cell
must not start with ``=``, ``+``, ``-``, ``@``, tab or CR), and ``Cache-Control:
no-store``. Whole numbers are written as numbers (a signed integer cannot carry a
formula); settlement and cash amounts are cents with two decimals (``12.34`` is 12.34
cents), formatted from integer centi-cents as the trades export does; position figures
are ``/api/positions``' own whole cents.

What each holds (the main account, subaccount 0, like the rest of ``/api``):
- positions: the rows of ``/api/positions`` (the handler is called, so the figures are
  the API's own: average, cost, mark, value, P&L, fees);
- settlements: every settled market, newest first (the history read model);
- cash: every deposit, withdrawal and subaccount transfer, newest first.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable

import msgspec
from starlette.responses import Response, StreamingResponse

from augury.platform import render
from augury.platform import schemas as s
from augury.platform.endpoints.me import csv_cell
from augury.platform.endpoints.portfolio import list_positions
from augury.platform.routing import Call, Endpoint

__all__ = ["CASH_COLUMNS", "ENDPOINTS", "POSITION_COLUMNS", "SETTLEMENT_COLUMNS"]

_PAGE = 500

POSITION_COLUMNS = (
    "option_id",
    "event",
    "label",
    "side",
    "quantity",
    "average_price_cents",
    "cost_basis_cents",
    "mark_price_cents",
    "market_value_cents",
    "unrealized_pnl_cents",
    "realized_pnl_cents",
    "fees_paid_cents",
    "market_status",
)
SETTLEMENT_COLUMNS = (
    "time",
    "option_id",
    "event_id",
    "result",
    "scalar_value_cents",
    "yes_quantity",
    "no_quantity",
    "cost_cents",
    "revenue_cents",
    "fees_cents",
)
CASH_COLUMNS = (
    "time",
    "kind",
    "amount_cents",
    "from_subaccount",
    "to_subaccount",
    "transfer_id",
)


def _cents(value_cc: int) -> str:
    """Centi-cents as cents with two decimals: ``1234`` -> ``12.34``, ``-5`` -> ``-0.05``."""
    sign = "-" if value_cc < 0 else ""
    whole, frac = divmod(abs(value_cc), 100)
    return f"{sign}{whole}.{frac:02d}"


def _count(count_c: int) -> str:
    """Centi-contracts as contracts with two decimals."""
    return f"{count_c // 100}.{count_c % 100:02d}"


def _cell(value: str | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)  # a number: nothing a spreadsheet would evaluate
    return csv_cell(value)


class _Writer:
    """Rows into CSV text, handed out in chunks."""

    def __init__(self, header: Iterable[str]) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\n")
        self.writer.writerow(header)

    def row(self, values: Iterable[str | int | None]) -> None:
        self.writer.writerow([_cell(v) for v in values])

    def take(self) -> str:
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return text


def _csv(rows: AsyncIterator[str], name: str) -> Response:
    return StreamingResponse(
        rows,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="augury-{name}.csv"',
            "Cache-Control": "no-store",
        },
    )


async def export_positions(call: Call) -> Response:
    listing = msgspec.json.decode(bytes((await list_positions(call)).body), type=s.PositionList)

    async def rows() -> AsyncIterator[str]:
        out = _Writer(POSITION_COLUMNS)
        for p in listing.positions:
            out.row(
                (
                    p.option_id,
                    p.event_title,
                    p.label,
                    p.side,
                    _count(p.quantity_centis),
                    p.average_price_cents,
                    p.cost_basis_cents,
                    p.mark_price_cents,
                    p.market_value_cents,
                    p.unrealized_pnl_cents,
                    p.realized_pnl_cents,
                    p.fees_paid_cents,
                    p.market_status,
                )
            )
        yield out.take()

    return _csv(rows(), "positions")


async def export_settlements(call: Call) -> Response:
    user_id = call.user.user_id
    reads = call.platform.reads

    async def rows() -> AsyncIterator[str]:
        out = _Writer(SETTLEMENT_COLUMNS)
        yield out.take()
        cursor = ""
        while True:
            page, cursor = await reads.settlements_page(user_id, _PAGE, cursor)
            for r in page:
                out.row(
                    (
                        render.iso(r.ts_ns),
                        r.ticker,
                        r.event_ticker,
                        r.result,
                        None if r.value_cc is None else _cents(r.value_cc),
                        _count(r.yes_c),
                        _count(r.no_c),
                        _cents(r.yes_cost_cc + r.no_cost_cc),
                        _cents(r.revenue_cc),
                        _cents(r.fee_cost_cc),
                    )
                )
            yield out.take()
            if not cursor or not page:
                return

    return _csv(rows(), "settlements")


async def export_cash(call: Call) -> Response:
    user_id = call.user.user_id
    reads = call.platform.reads

    async def rows() -> AsyncIterator[str]:
        out = _Writer(CASH_COLUMNS)
        yield out.take()
        cursor = ""
        while True:
            page, cursor = await reads.cash_movements_page(user_id, _PAGE, cursor)
            for r in page:
                out.row(
                    (
                        render.iso(r.ts_ns),
                        r.kind,
                        _cents(r.amount_cc),
                        r.subaccount,
                        r.to_subaccount,
                        r.transfer_id,
                    )
                )
            yield out.take()
            if not cursor or not page:
                return

    return _csv(rows(), "cash")


ENDPOINTS = [
    Endpoint(
        "GET",
        "/api/me/positions/export",
        export_positions,
        "read",
        "Your open positions as CSV (the rows of /api/positions)",
        response=None,
        media_type="text/csv",
        statuses=(200, 401, 429),
    ),
    Endpoint(
        "GET",
        "/api/me/settlements/export",
        export_settlements,
        "read",
        "Every settlement you were paid (or not), as CSV (streamed)",
        response=None,
        media_type="text/csv",
        statuses=(200, 401, 429),
    ),
    Endpoint(
        "GET",
        "/api/me/cash/export",
        export_cash,
        "read",
        "Your deposits, withdrawals and subaccount transfers, as CSV (streamed)",
        response=None,
        media_type="text/csv",
        statuses=(200, 401, 429),
    ),
]
