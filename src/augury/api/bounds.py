"""Request-side bounds: ``augury.domain.limits`` applied where a request is parsed.

Every number and string a write request carries into an engine command passes one of these
functions on its way in; a value outside its domain is a 400 ``invalid_parameters`` whose
message names the field and the bound and never repeats the value (it may be megabytes).
The engine checks the same bounds again (``engine.domain_check``), so a command built by
any other path is refused too; here the refusal is earlier, cheaper and never journaled.

Strings get Kalshi's charsets where Kalshi states one (``client_order_id``), ours elsewhere
(tickers: ``A-Za-z0-9._-``; ids: printable ASCII without spaces). Times on the wire are
Unix seconds within 2020-01-01 .. 2100-01-01 (decision 0014).
"""

from __future__ import annotations

from typing import Final

from augury.api.errors import ApiError
from augury.domain import limits as lim

__all__ = [
    "NS_PER_S",
    "client_order_id",
    "cursor",
    "identifier",
    "int_in",
    "text",
    "ticker",
    "wire_time_ns",
]

NS_PER_S: Final = 1_000_000_000


def _bad(field: str, message: str) -> ApiError:
    return ApiError(400, "invalid_parameters", message, field)


def int_in(field: str, value: int, lo: int, hi: int) -> int:
    """Return ``value`` if ``lo <= value <= hi``, else refuse it.

    Raises:
        ApiError: 400 naming the field and the range.
    """
    if not lo <= value <= hi:
        raise _bad(field, f"{field} must be between {lo} and {hi}")
    return value


def wire_time_ns(field: str, seconds: int) -> int:
    """Return a wire Unix time (seconds, 2020..2100) as nanoseconds.

    Raises:
        ApiError: 400; the message says seconds are expected (milliseconds are the usual
            mistake).
    """
    try:
        lim.check_wire_time_s(field, seconds)
    except lim.DomainError as error:
        raise _bad(field, str(error)) from None
    return seconds * NS_PER_S


def text(field: str, value: str, max_len: int) -> str:
    """Return ``value`` if it is at most ``max_len`` characters long, else refuse it."""
    if len(value) > max_len:
        raise _bad(field, f"{field} is too long (at most {max_len} characters)")
    return value


def ticker(field: str, value: str) -> str:
    """Return a ticker of 1-200 of ``A-Za-z0-9._-``, else refuse it."""
    if not lim.ticker_ok(value):
        raise _bad(
            field, f"{field} must be 1 to {lim.TICKER_MAX_LEN} of the characters A-Z a-z 0-9 . _ -"
        )
    return value


def identifier(field: str, value: str) -> str:
    """Return an id of 1-64 printable ASCII characters without spaces, else refuse it."""
    if not lim.id_ok(value):
        raise _bad(
            field, f"{field} must be 1 to {lim.ID_MAX_LEN} printable ASCII characters, no spaces"
        )
    return value


def client_order_id(field: str, value: str) -> str:
    """Return a client order id following Kalshi's rule, else refuse it.

    Kalshi: at most 64 characters of letters, digits and ``_ - : + = /``.
    """
    if not lim.client_order_id_ok(value):
        raise _bad(
            field,
            f"{field} must be 1 to {lim.ID_MAX_LEN} of the characters A-Z a-z 0-9 _ - : + = /",
        )
    return value


def cursor(value: str) -> str:
    """Return a page cursor of at most 256 printable ASCII characters ("" = first page)."""
    if value and not (len(value) <= lim.CURSOR_MAX_LEN and value.isascii() and value.isprintable()):
        raise _bad("cursor", f"cursor must be at most {lim.CURSOR_MAX_LEN} printable characters")
    return value
