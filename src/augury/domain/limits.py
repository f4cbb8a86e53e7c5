"""Input domains: the range of every number and the size of every string a command may hold.

One table, used twice (decision 0014):

- where a request is parsed (``augury.api``), an out-of-domain value is a 400
  ``invalid_parameters`` that names the field and never echoes an oversize value;
- again in the engine (``augury.engine.domain_check``), before any other check, as the
  reject ``OUT_OF_DOMAIN``; the sequencer runs the same check before it journals, so an
  out-of-domain command is refused alone and never reaches the journal.

What the bounds guarantee. Every integer a command carries, and every integer the engine
derives from accepted commands and stores (balances, positions, escrow, reserves, costs,
times), lies far inside a signed 64-bit integer: the journal (msgpack), the snapshots, SQLite
``INTEGER`` and PostgreSQL ``bigint`` all hold it. The argument, with ``2**63 ~ 9.2e18``:

- prices ``|p| <= 10**4`` cc, counts ``|c| <= 10**10`` c: one order's cost
  ``p * c <= 10**14`` micro-dollars;
- money: every amount ``<= 10**15`` cc ($100 billion), and the engine refuses a deposit that
  would take the exchange's total (deposits less withdrawals) beyond that. Every balance,
  reserve and escrow is a share of that total (a void may pay holders up to twice a market's
  escrow, decision 0007), so all stay below ``2 * 10**15`` cc; open pairs are backed by $1
  of escrow each, so a position is at most ``2 * 10**13`` c and its cost at most
  ``2 * 10**17`` micro-dollars; an account's reserve always covers the worst case of its
  orders (decision 0003), so the summed cost of one side's orders is at most that reserve
  plus what the position can close: below ``4 * 10**17`` micro-dollars;
- times ``|t| <= 2**62`` ns (year 2116) in the engine, with one bit of headroom so that a
  time plus a settlement timer (``<= 10**8`` s) never overflows; the wire accepts only
  2020-01-01 .. 2100-01-01, which also catches milliseconds sent for seconds.

Two expressions multiply three or more bounded factors before dividing: the quadratic fee
(``7 * mult_e4 * count_c * p * (10**4 - p)``, up to ``~2**81``) and the cost basis removed
by a partial close (``exposure * closed // size``, up to ``~2**91``). Their quotients are
bounded as above; Python computes them exactly, and a native twin must compute these two
intermediates in 128-bit integers. Running totals (volume, total traded, realized P&L)
grow with activity rather than with one input: each command adds at most ``10**14``
micro-dollars or ``10**10`` centi-contracts, so even they need ``> 9 * 10**4`` maximal
fills to reach 63 bits, and the stores hold them divided by 100.

Strings are bounded in characters (code points), so a journaled command has a bounded size:
a refused trading command adds well under 2 KB to the journal. Charsets apply where requests
are parsed (Kalshi's own pattern for ``client_order_id``); the engine checks lengths only.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "CLIENT_IDS_RETAINED",
    "COUNT_MAX_C",
    "CURSOR_MAX_LEN",
    "FEE_MULTIPLIER_MAX_E4",
    "ID_MAX_LEN",
    "LIST_MAX_ITEMS",
    "MONEY_MAX_CC",
    "NAME_MAX_LEN",
    "PEM_MAX_LEN",
    "PRICE_MAX_CC",
    "SETTLEMENT_TIMER_MAX_S",
    "SUBACCOUNT_MAX",
    "TICKER_MAX_LEN",
    "TIME_MAX_NS",
    "TRANSFER_ID_MAX_LEN",
    "USER_ID_MAX_LEN",
    "WIRE_TIME_MAX_S",
    "WIRE_TIME_MIN_S",
    "WORD_MAX_LEN",
    "DomainError",
    "check_int",
    "check_text",
    "check_wire_time_s",
    "client_order_id_ok",
    "id_ok",
    "ticker_ok",
]

# --- numbers (magnitude bounds: |value| <= bound) ---------------------------------------
PRICE_MAX_CC: Final = 10_000  # $1: a YES price, a scalar settlement value
COUNT_MAX_C: Final = 10_000_000_000  # 100,000,000 contracts: a size, a reduction, a limit
MONEY_MAX_CC: Final = 10**15  # $100,000,000,000: an amount, and the exchange's total
TIME_MAX_NS: Final = 2**62  # 2116-02-20: any time the engine holds
SUBACCOUNT_MAX: Final = 63  # Kalshi: 0 is the primary, 1-63 numbered
FEE_MULTIPLIER_MAX_E4: Final = 1_000_000  # a series fee multiplier of 100
SETTLEMENT_TIMER_MAX_S: Final = 100_000_000  # about 3 years

# --- times on the wire (Unix seconds, inclusive) ---------------------------------------
WIRE_TIME_MIN_S: Final = 1_577_836_800  # 2020-01-01T00:00:00Z
WIRE_TIME_MAX_S: Final = 4_102_444_800  # 2100-01-01T00:00:00Z

# --- strings (length in characters) -----------------------------------------------------
TICKER_MAX_LEN: Final = 200  # Kalshi's OpenAPI: market tickers maxLength 200
ID_MAX_LEN: Final = 64  # order, group and key ids (ours are 36), client ids (Kalshi: 64)
USER_ID_MAX_LEN: Final = 64
TRANSFER_ID_MAX_LEN: Final = USER_ID_MAX_LEN + 1 + ID_MAX_LEN  # "user/client_transfer_id"
NAME_MAX_LEN: Final = 256  # display names: users, API keys
WORD_MAX_LEN: Final = 64  # enumerations held as text: tiers, fee types, grids, scopes
PEM_MAX_LEN: Final = 16_384  # a public key (RSA-4096 is about 800 characters)
LIST_MAX_ITEMS: Final = 16  # scopes of a key
CURSOR_MAX_LEN: Final = 256  # ours: a ticker (<= 200 characters) or "ts.ord" digits

# --- state --------------------------------------------------------------------------------
# A client_order_id is reserved while its order is open (Kalshi: "must not match any open
# orders") and afterwards while it is among its user's last 1,000 retired ids, so a retry
# soon after a fill or a cancel still gets 409 order_already_exists (decision 0016).
CLIENT_IDS_RETAINED: Final = 1_000

# Kalshi's FIX spec for ClOrdID (the REST field is the same value): at most 64 characters
# of ``^[\-\w:+=/]*$``, where ``\w`` is ASCII word characters.
_CLIENT_ORDER_ID: Final = re.compile(r"[A-Za-z0-9_:+=/-]{1,64}", re.ASCII)
# Tickers as Kalshi writes them (``KXFED-26DEC-T4.25``): letters, digits, "-", ".", "_".
_TICKER: Final = re.compile(r"[A-Za-z0-9._-]{1,200}", re.ASCII)
# Ids we hand out (UUID form), and other printable ASCII without spaces.
_ID: Final = re.compile(r"[\x21-\x7e]{1,64}", re.ASCII)


class DomainError(ValueError):
    """A value lies outside its documented domain.

    The message names the field and the bound, never the offending value itself (it may
    be megabytes long).

    Attributes:
        field: the name of the offending field, as the caller called it.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def check_int(field: str, value: int, bound: int) -> None:
    """Refuse an integer whose magnitude exceeds ``bound``.

    Args:
        field: the field's name, for the message.
        value: the value to check.
        bound: the largest magnitude allowed.

    Raises:
        DomainError: ``abs(value) > bound``.
    """
    if not -bound <= value <= bound:
        raise DomainError(field, f"{field} is out of range (magnitude at most {bound})")


def check_text(field: str, value: str, max_len: int) -> None:
    """Refuse a string longer than ``max_len`` characters.

    Raises:
        DomainError: the string is too long.
    """
    if len(value) > max_len:
        raise DomainError(field, f"{field} is too long (at most {max_len} characters)")


def check_wire_time_s(field: str, value: int) -> None:
    """Refuse a Unix time in seconds outside 2020-01-01 .. 2100-01-01.

    Milliseconds sent for seconds (``1796414400000``) are the usual way to get here, so
    the message says which unit is expected.

    Raises:
        DomainError: the time lies outside the window.
    """
    if not WIRE_TIME_MIN_S <= value <= WIRE_TIME_MAX_S:
        raise DomainError(
            field,
            f"{field} must be a Unix time in seconds between {WIRE_TIME_MIN_S} (2020-01-01) "
            f"and {WIRE_TIME_MAX_S} (2100-01-01)",
        )


def client_order_id_ok(value: str) -> bool:
    """Return whether a client order id follows Kalshi's rule (1-64 of ``A-Za-z0-9_:+=/-``)."""
    return _CLIENT_ORDER_ID.fullmatch(value) is not None


def ticker_ok(value: str) -> bool:
    """Return whether a ticker is 1-200 of ``A-Za-z0-9._-``."""
    return _TICKER.fullmatch(value) is not None


def id_ok(value: str) -> bool:
    """Return whether an id is 1-64 printable ASCII characters without spaces."""
    return _ID.fullmatch(value) is not None
