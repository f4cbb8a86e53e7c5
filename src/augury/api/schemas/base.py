"""Base Structs and formatting helpers shared by every wire schema.

Presence rules — how a Python value becomes (or does not become) a JSON key:

- Every response Struct derives from :class:`WireResponse`, which sets
  ``omit_defaults=True``. msgspec then leaves a field out of the JSON exactly when the
  field *has* a default and its value equals that default. So:

  * a key the SDK requires present and non-null is a field **without a default**
    (``ticker: str``). It is always encoded and cannot be forgotten at construction;
  * a key the SDK requires present but allows to be ``null`` (``Series.tags``,
    ``Series.settlement_sources``, ``Series.additional_prohibitions``,
    ``EventData.settlement_sources``, the ``PriceDistributionHistorical`` prices) is
    **also a field without a default**, typed ``X | None``. ``None`` is then encoded as
    ``null`` instead of being dropped, which keeps the key present as the declared
    schema demands;
  * an optional key is typed ``X | None = None`` and is simply left out when ``None``,
    which keeps payloads compact. No response field has a default other than ``None``:
    a default of ``""``, ``0`` or ``False`` would silently drop a legitimate value
    (``Market.result == ""`` must still be sent).

- Every class passes ``kw_only=True`` itself (msgspec does not inherit that setting), so
  fields follow the digest's order while required and optional fields interleave, and
  construction is keyword-only.

- Request Structs derive from :class:`WireRequest`: decoding is strict (no coercion
  between JSON types) and unknown keys are ignored, as Kalshi's servers do.

Times: ``rfc3339_from_ns`` turns an integer nanosecond timestamp into the RFC 3339 UTC
form Kalshi emits, using integer arithmetic only. Legacy integer fields are derived with
``legacy_cents`` and ``legacy_contracts`` from the fixed-point units of
``augury.domain.units``.
"""

import functools

import msgspec

from augury.domain.units import C_PER_CONTRACT, cc_to_cents_floor

__all__ = [
    "WireRequest",
    "WireResponse",
    "legacy_cents",
    "legacy_contracts",
    "rfc3339_from_ns",
]

_NS_PER_S = 1_000_000_000
_NS_PER_MS = 1_000_000
_S_PER_DAY = 86_400


class WireResponse(msgspec.Struct, kw_only=True, omit_defaults=True):
    """Base of every response body: fields without a default are always encoded."""


class WireRequest(msgspec.Struct, kw_only=True):
    """Base of every request body: strict JSON types, unknown keys ignored."""


def _civil_from_days(days: int) -> tuple[int, int, int]:
    # Howard Hinnant's days_from_civil inverse, valid for the whole proleptic Gregorian
    # calendar; pure integer arithmetic, so no float or timezone library is involved.
    z = days + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1_460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    year = yoe + era * 400 + (1 if month <= 2 else 0)
    return year, month, day


def rfc3339_from_ns(ts_ns: int) -> str:
    """Format nanoseconds since the Unix epoch as an RFC 3339 UTC timestamp.

    Whole seconds print without a fraction (``"2026-10-14T15:04:05Z"``); otherwise the
    time is truncated to milliseconds (``"2026-10-14T15:04:05.123Z"``).

    Args:
        ts_ns: Nanoseconds since 1970-01-01T00:00:00Z (may be negative).
    """
    seconds, sub_ns = divmod(ts_ns, _NS_PER_S)
    millis = sub_ns // _NS_PER_MS
    if millis:
        return f"{_second_text(seconds)}.{millis:03d}Z"
    return f"{_second_text(seconds)}Z"


# The times of one response (and of the requests around it) mostly share their second,
# so the calendar arithmetic runs once per second: about 6 µs a call before, on the dev VM.
@functools.lru_cache(maxsize=4096)
def _second_text(seconds: int) -> str:
    days, second_of_day = divmod(seconds, _S_PER_DAY)
    year, month, day = _civil_from_days(days)
    hour, rest = divmod(second_of_day, 3_600)
    minute, second = divmod(rest, 60)
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"


def legacy_cents(value_cc: int) -> int:
    """Convert centi-cents to the whole cents of a legacy integer field (floored).

    Args:
        value_cc: An amount in centi-cents ($0.0001).
    """
    return cc_to_cents_floor(value_cc)


def legacy_contracts(value_c: int) -> int:
    """Convert centi-contracts to the whole contracts of a legacy integer count (floored).

    Args:
        value_c: A size in centi-contracts (0.01 contract).
    """
    return value_c // C_PER_CONTRACT
