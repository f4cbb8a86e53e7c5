"""Catalog files: series, events and markets in Kalshi's own field names -> engine commands.

A catalog is a JSON or YAML mapping with ``series``, ``events`` and ``markets`` lists. Every
field Kalshi publishes may appear; the ones the engine needs become command fields, the
rest is kept as metadata and served back unchanged. Defaults fill what is missing
(``linear_cent`` grid, ``quadratic`` fees with multiplier 1, whole contracts, opening now,
closing in 30 days). Loading the same catalog twice is harmless: the engine refreshes the
metadata of what exists and keeps its rules, except an event's fee override, which
follows its metadata (decision 0058).

An event's ``fee_type_override`` and ``fee_multiplier_override`` (either or both, Kalshi's
names) become the integer override keys the engine charges by
(``augury.domain.event_fees``): ``fee_multiplier_override_e4``, always written when
either is given (null: the series' multiplier), and ``fee_type_override`` (null: the
series' type). Loading the event again without them removes the override.

Every value is bounded as ``augury.domain.limits`` says (decision 0014): tickers are 1-200
of ``A-Za-z0-9._-``, times lie in 2020..2100, the fee multiplier and the settlement timer
within their bounds, and metadata is plain JSON at most 16 levels deep whose integers fit
in 64 bits, so every command a catalog makes can be journaled.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from augury.domain import event_fees
from augury.domain import limits as lim
from augury.domain.enums import FeeType
from augury.domain.units import UnitError, dollars_cc_from_str
from augury.engine import commands as c

__all__ = ["CatalogError", "catalog_commands", "load_catalog_file", "parse_time_ns"]

_NS_PER_S = 1_000_000_000
_DAY_NS = 86_400 * _NS_PER_S
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FEE_TYPES = frozenset(t.value for t in FeeType)

_SERIES_KEYS = {"ticker", "fee_type", "fee_multiplier"}
_EVENT_FEE_KEYS = {"fee_type_override", "fee_multiplier_override"}
_EVENT_KEYS = {"event_ticker", "series_ticker", "mutually_exclusive"}
_MARKET_KEYS = {
    "ticker",
    "event_ticker",
    "open_time",
    "close_time",
    "price_level_structure",
    "fractional_trading_enabled",
    "settlement_timer_seconds",
    "market_type",
}


class CatalogError(ValueError):
    """A catalog entry is malformed; the message names the entry and the field."""


def load_catalog_file(path: Path) -> dict[str, Any]:
    """Read a JSON or YAML catalog file."""
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    if not isinstance(data, dict):
        raise CatalogError("a catalog is a mapping with series, events and markets lists")
    return data


_META_DEPTH_MAX = 16
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def parse_time_ns(value: object, what: str) -> int:
    """Parse an RFC 3339 time, or Unix seconds, into nanoseconds (2020..2100 only)."""
    ns = _time_ns(value, what)
    window = (lim.WIRE_TIME_MIN_S * _NS_PER_S, lim.WIRE_TIME_MAX_S * _NS_PER_S)
    if not window[0] <= ns <= window[1]:
        raise CatalogError(f"{what} must lie between 2020-01-01 and 2100-01-01")
    return ns


def _time_ns(value: object, what: str) -> int:
    if isinstance(value, bool):
        raise CatalogError(f"{what} must be a time")
    if isinstance(value, int):
        if not 0 <= value <= lim.WIRE_TIME_MAX_S:
            raise CatalogError(f"{what} must be Unix seconds between 2020 and 2100")
        return value * _NS_PER_S
    if isinstance(value, datetime):
        return _datetime_ns(value)
    if isinstance(value, str):
        try:
            return _datetime_ns(
                datetime.fromisoformat(lim_text(value, 64, what).replace("Z", "+00:00"))
            )
        except ValueError:
            raise CatalogError(f"{what} is not an RFC 3339 time") from None
    raise CatalogError(f"{what} must be an RFC 3339 string or Unix seconds")


def lim_text(value: str, max_len: int, what: str) -> str:
    """Return ``value`` if it is at most ``max_len`` characters, else refuse it."""
    if len(value) > max_len:
        raise CatalogError(f"{what} is too long (at most {max_len} characters)")
    return value


def _plain(value: object, what: str, depth: int = 0) -> None:
    # Metadata is journaled with its command: plain JSON, shallow, 64-bit integers.
    if depth > _META_DEPTH_MAX:
        raise CatalogError(f"{what}: metadata is nested too deeply")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CatalogError(f"{what}: metadata keys must be strings")
            _plain(item, what, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _plain(item, what, depth + 1)
    elif isinstance(value, int) and not isinstance(value, bool):
        if not _INT64_MIN <= value <= _INT64_MAX:
            raise CatalogError(f"{what}: a metadata integer does not fit in 64 bits")
    elif not (value is None or isinstance(value, str | bool | float)):
        raise CatalogError(f"{what}: metadata must be plain JSON values")


def _datetime_ns(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise CatalogError(f"time {moment.isoformat()} needs a timezone (use Z for UTC)")
    # Integer arithmetic on the timedelta's parts: no float touches the time.
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * _NS_PER_S + delta.microseconds * 1000


def _multiplier_e4(value: object, what: str) -> int:
    try:
        multiplier = dollars_cc_from_str(str(value))
    except UnitError:
        raise CatalogError(f"{what}: fee_multiplier needs at most 4 decimals") from None
    if not 0 <= multiplier <= lim.FEE_MULTIPLIER_MAX_E4:
        raise CatalogError(f"{what}: fee_multiplier must be 0 to 100")
    return multiplier


def _meta(entry: Mapping[str, Any], used: set[str]) -> dict[str, object]:
    # YAML turns unquoted timestamps into datetimes; keep metadata as plain JSON values.
    meta = {
        k: (v.isoformat().replace("+00:00", "Z") if isinstance(v, datetime) else v)
        for k, v in entry.items()
        if k not in used
    }
    _plain(meta, "metadata")
    return meta


def _event_meta(entry: Mapping[str, Any], ticker: str) -> dict[str, object]:
    meta = _meta(entry, _EVENT_KEYS | _EVENT_FEE_KEYS)
    fee_type = entry.get("fee_type_override")
    multiplier = entry.get("fee_multiplier_override")
    if fee_type is None and multiplier is None:
        return meta
    if fee_type is not None and (not isinstance(fee_type, str) or fee_type not in _FEE_TYPES):
        raise CatalogError(f"{ticker}: fee_type_override must be one of {sorted(_FEE_TYPES)}")
    meta[event_fees.TYPE_KEY] = fee_type
    meta[event_fees.MULTIPLIER_KEY] = (
        None if multiplier is None else _multiplier_e4(multiplier, ticker)
    )
    return meta


def _str(entry: Mapping[str, Any], key: str, what: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise CatalogError(f"{what}: {key} is required")
    if not lim.ticker_ok(value):
        raise CatalogError(f"{what}: {key} must be 1 to 200 of A-Z a-z 0-9 . _ -")
    return value


def _word(entry: Mapping[str, Any], key: str, default: str) -> str:
    value = entry.get(key, default)
    if not isinstance(value, str) or len(value) > lim.WORD_MAX_LEN:
        raise CatalogError(f"{key} must be a name of at most {lim.WORD_MAX_LEN} characters")
    return value


def catalog_commands(catalog: Mapping[str, Any], now_ns: int) -> list[c.Single]:
    """Turn a catalog into the commands that create it, series first."""
    out: list[c.Single] = []
    for entry in catalog.get("series") or []:
        ticker = _str(entry, "ticker", "series")
        out.append(
            c.AddSeries(
                ticker=ticker,
                fee_type=_word(entry, "fee_type", "quadratic"),
                fee_multiplier_e4=_multiplier_e4(entry.get("fee_multiplier", 1), ticker),
                meta=_meta(entry, _SERIES_KEYS),
            )
        )
    for entry in catalog.get("events") or []:
        ticker = _str(entry, "event_ticker", "event")
        out.append(
            c.AddEvent(
                event_ticker=ticker,
                series_ticker=_str(entry, "series_ticker", ticker),
                mutually_exclusive=bool(entry.get("mutually_exclusive", False)),
                meta=_event_meta(entry, ticker),
            )
        )
    for entry in catalog.get("markets") or []:
        out.append(_market(entry, now_ns))
    return out


def _market(entry: Mapping[str, Any], now_ns: int) -> c.AddMarket:
    ticker = _str(entry, "ticker", "market")
    open_ns = (
        parse_time_ns(entry["open_time"], f"{ticker} open_time") if "open_time" in entry else now_ns
    )
    close_ns = (
        parse_time_ns(entry["close_time"], f"{ticker} close_time")
        if "close_time" in entry
        else open_ns + 30 * _DAY_NS
    )
    meta = _meta(entry, _MARKET_KEYS)
    if "expiration_time" in entry:
        meta["expiration_ts_ns"] = parse_time_ns(
            entry["expiration_time"], f"{ticker} expiration_time"
        )
        del meta["expiration_time"]
    market_type = entry.get("market_type", "binary")
    if market_type not in ("binary", "scalar"):
        raise CatalogError(f"{ticker}: market_type must be binary or scalar")
    timer = entry.get("settlement_timer_seconds", 0)
    if not isinstance(timer, int) or not 0 <= timer <= lim.SETTLEMENT_TIMER_MAX_S:
        raise CatalogError(
            f"{ticker}: settlement_timer_seconds must be an integer 0 to "
            f"{lim.SETTLEMENT_TIMER_MAX_S}"
        )
    return c.AddMarket(
        ticker=ticker,
        event_ticker=_str(entry, "event_ticker", ticker),
        open_ts_ns=open_ns,
        close_ts_ns=close_ns,
        price_level_structure=_word(entry, "price_level_structure", "linear_cent"),
        fractional=bool(entry.get("fractional_trading_enabled", False)),
        settlement_timer_s=timer,
        market_type=market_type,
        meta=meta,
    )
