"""Request parameters: every query-string and subaccount rule of the API, in one place.

Each helper reads one kind of parameter and refuses a bad value with ``400
invalid_parameters`` (naming the parameter and its bounds) before anything else happens,
so a route only ever sees values in range.

Rules:

- Integers are decimal, within inclusive bounds; absent or empty means the default.
- Lists (``tickers``, ``event_ticker``...) may be repeated keys or one comma-separated
  value, or both; empty items are dropped.
- Integers are ASCII digits (``int()`` would also take `` 1``, ``1_000`` and ``١``).
- ``limit``/``cursor``: ``limit`` within the endpoint's bounds (``limit=0`` means the
  default where the endpoint allows it, as on Kalshi); ``cursor`` is opaque, ``""`` for
  the first page, and bounded in length (``api.bounds.cursor``).
- ``min_ts``/``max_ts`` are Unix seconds, both inclusive (``max_ts`` covers its whole
  second), at most ``MAX_TS``.
- A cursor the server did not hand out is refused with 400 when the query meets it
  (``paged``).
- Subaccounts are 0-63. A key restricted to one subaccount acts on it only: asking for
  another is ``403 forbidden``.
- Market ``status`` filters use Kalshi's words (``unopened``, ``open``, ``paused``,
  ``closed``, ``settled``), each standing for a set of lifecycle states.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Collection
from typing import TypeVar

from starlette.requests import Request

from augury.api import bounds
from augury.api.auth import ApiKeyRecord
from augury.api.errors import ApiError
from augury.api.tutorials import market_status_alias
from augury.domain.enums import MarketStatus
from augury.queries import InvalidCursorError

__all__ = [
    "MARKET_STATUS",
    "MAX_SUBACCOUNT",
    "MAX_TS",
    "flag_param",
    "int_param",
    "market_status_param",
    "page_params",
    "paged",
    "query_subaccount",
    "subaccount_filter",
    "subaccount_for",
    "subaccount_or_any",
    "tickers_param",
    "ts_range",
]

T = TypeVar("T")
MAX_SUBACCOUNT = 63
MAX_TS = 2**40  # Unix seconds; far beyond any real time, small enough for ns in int64
NS_PER_S = 1_000_000_000

MARKET_STATUS: dict[str, frozenset[MarketStatus]] = {
    "unopened": frozenset({MarketStatus.INITIALIZED}),
    "open": frozenset({MarketStatus.ACTIVE}),
    "paused": frozenset({MarketStatus.INACTIVE}),
    "closed": frozenset(
        {
            MarketStatus.CLOSED,
            MarketStatus.DETERMINED,
            MarketStatus.DISPUTED,
            MarketStatus.AMENDED,
        }
    ),
    "settled": frozenset({MarketStatus.FINALIZED}),
}


_INTEGER = re.compile(r"-?[0-9]{1,19}", re.ASCII)


def int_param(request: Request, name: str, default: int | None, lo: int, hi: int) -> int | None:
    """Read an optional integer query parameter within bounds (400 otherwise)."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    # ASCII digits only: int() would also take " 1", "1_000" and "١".
    if not _INTEGER.fullmatch(raw):
        raise ApiError(400, "invalid_parameters", f"{name} must be an integer")
    value = int(raw)
    if not lo <= value <= hi:
        raise ApiError(400, "invalid_parameters", f"{name} must be between {lo} and {hi}")
    return value


def page_params(
    request: Request, *, default: int = 100, lo: int = 1, hi: int = 1000
) -> tuple[int, str]:
    """Read a paginated endpoint's ``limit`` (within bounds) and ``cursor`` ("" = first page).

    ``limit=0``, where an endpoint allows it (``lo=0``), means the default, as on Kalshi.
    """
    limit = int_param(request, "limit", default, lo, hi) or default
    return limit, bounds.cursor(request.query_params.get("cursor") or "")


def tickers_param(request: Request, name: str) -> list[str]:
    """Read a list parameter sent either as repeated keys or as one comma-separated value."""
    values: list[str] = []
    for raw in request.query_params.getlist(name):
        values.extend(part for part in raw.split(",") if part)
    return values


def flag_param(request: Request, name: str) -> bool:
    """Read a boolean query flag: true only for ``true`` (any case)."""
    return (request.query_params.get(name) or "").lower() == "true"


def market_status_param(
    request: Request, allowed: Collection[str] = MARKET_STATUS
) -> frozenset[MarketStatus] | None:
    """Read a market ``status`` filter: the lifecycle states it stands for, or None.

    A word outside ``allowed`` is a 400 naming the filters, or, under ``--compat
    tutorials``, a status markets report (``active``, ...) read as its filter."""
    status = request.query_params.get("status")
    if not status:
        return None
    if status not in allowed:
        return market_status_alias(status)
    return MARKET_STATUS[status]


async def paged(query: Awaitable[T]) -> T:
    """Await a history query, answering a cursor the reader did not hand out with 400."""
    try:
        return await query
    except InvalidCursorError as error:
        raise ApiError(400, "invalid_parameters", str(error)) from None


def ts_range(request: Request) -> tuple[int | None, int | None]:
    """Read ``min_ts``/``max_ts`` (Unix seconds, inclusive) as a ns range."""
    lo = int_param(request, "min_ts", None, 0, MAX_TS)
    hi = int_param(request, "max_ts", None, 0, MAX_TS)
    return (
        None if lo is None else lo * NS_PER_S,
        None if hi is None else hi * NS_PER_S + NS_PER_S - 1,
    )


def subaccount_for(record: ApiKeyRecord, requested: int | None) -> int:
    """Return the subaccount a request acts on, enforcing restricted keys (0 by default)."""
    if record.subaccount is not None:
        if requested is not None and requested != record.subaccount:
            raise ApiError(403, "forbidden", "this API key is restricted to another subaccount")
        return record.subaccount
    if requested is None:
        return 0
    if not 0 <= requested <= MAX_SUBACCOUNT:
        raise ApiError(400, "invalid_parameters", "subaccount must be between 0 and 63")
    return requested


def subaccount_or_any(record: ApiKeyRecord, requested: int | None) -> int | None:
    """Return the subaccount to look an order up in: None (any of the caller's, order ids
    being unique) unless one was asked for or the key is restricted to one."""
    if requested is None:
        return record.subaccount
    return subaccount_for(record, requested)


def subaccount_filter(request: Request, record: ApiKeyRecord) -> int | None:
    """Read ``?subaccount=`` as a listing filter: None (all) unless asked, or the key is
    restricted to one."""
    requested = int_param(request, "subaccount", None, 0, MAX_SUBACCOUNT)
    if requested is None and record.subaccount is None:
        return None
    return subaccount_for(record, requested)


def query_subaccount(request: Request, record: ApiKeyRecord) -> int | None:
    """Read ``?subaccount=`` on an order write: the order's subaccount, or None for any.

    The hot order paths call this on every cancel: most carry no query string at all, and
    parsing an empty one costs more than the rest of the function.
    """
    if not request.scope.get("query_string"):
        return record.subaccount
    raw = request.query_params.get("subaccount")
    if raw is None:
        return record.subaccount
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 2):
        raise ApiError(400, "invalid_parameters", "subaccount must be an integer 0 to 63")
    return subaccount_for(record, int(raw))
