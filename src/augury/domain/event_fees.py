"""An event's fee override, read from the event's metadata (docs/decisions/0058).

Kalshi lets an event override its series' fee rule (``fee_type_override``,
``fee_multiplier_override``; CONTRACT §4.2, §11.1). Augury keeps the override in the
event's metadata, in integer units, under two keys:

``fee_multiplier_override_e4``
    Its presence switches the override on. An integer in ``0..=FEE_MULTIPLIER_MAX_E4``
    (1/10_000 units, as ``AddSeries.fee_multiplier_e4``) replaces the series' multiplier;
    ``None`` keeps the series' multiplier (a fee-type-only override).
``fee_type_override``
    Read only when the override is on: a fee type name replaces the series' type; absent
    or ``None`` keeps it.

Anything else under those keys (a float, a bool, a string multiplier, a negative or too
large one, an unknown fee type) is malformed: ``AddEvent`` refuses it with
``invalid_parameters`` and changes nothing. Without ``fee_multiplier_override_e4`` the
event has no override, whatever else its metadata says: journals written before the
override was charged may carry a display-only ``fee_type_override`` and must replay to
the fees they were charged (decision 0058). The native engine mirrors this rule
(``native/core/src/catalog.rs::event_fee_override``); the read side renders and charges
from the same function, so what is shown is what is charged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from augury.domain.enums import FeeType
from augury.domain.limits import FEE_MULTIPLIER_MAX_E4

__all__ = [
    "MULTIPLIER_KEY",
    "TYPE_KEY",
    "EventFeeOverride",
    "FeeOverrideError",
    "event_fee_override",
    "market_fee_rule",
]

MULTIPLIER_KEY: Final = "fee_multiplier_override_e4"
TYPE_KEY: Final = "fee_type_override"


class FeeOverrideError(ValueError):
    """The event's metadata holds a malformed fee override (the message says which key)."""


@dataclass(frozen=True, slots=True)
class EventFeeOverride:
    """What an event overrides: a fee type and/or a multiplier (None: the series')."""

    fee_type: FeeType | None
    multiplier_e4: int | None


def event_fee_override(meta: Mapping[str, object]) -> EventFeeOverride | None:
    """Return the event's override, or None when its metadata has none.

    Raises:
        FeeOverrideError: the override keys hold malformed values.
    """
    if MULTIPLIER_KEY not in meta:
        return None
    multiplier = meta[MULTIPLIER_KEY]
    if multiplier is not None and (
        type(multiplier) is not int or not 0 <= multiplier <= FEE_MULTIPLIER_MAX_E4
    ):
        raise FeeOverrideError(
            f"{MULTIPLIER_KEY} must be an integer 0 to {FEE_MULTIPLIER_MAX_E4} or null"
        )
    raw_type = meta.get(TYPE_KEY)
    fee_type = None
    if raw_type is not None:
        try:
            fee_type = FeeType(raw_type) if isinstance(raw_type, str) else None
        except ValueError:
            fee_type = None
        if fee_type is None:
            raise FeeOverrideError(f"{TYPE_KEY} must be a fee type name or null")
    return EventFeeOverride(fee_type, multiplier)


def market_fee_rule(
    series_type: FeeType,
    series_multiplier_e4: int,
    override: EventFeeOverride | None,
    market_meta: Mapping[str, object],
) -> tuple[FeeType, int]:
    """Return a market's (fee type, multiplier in 1/10_000) as the engine charges it.

    The type is the event's override, else the series'. The multiplier is the market's
    own metadata ``fee_multiplier_e4`` when it is an integer (the older, per-market
    override; bools count, as they always have), else the event's override, else the
    series'.
    """
    fee_type = series_type
    multiplier = series_multiplier_e4
    if override is not None:
        if override.fee_type is not None:
            fee_type = override.fee_type
        if override.multiplier_e4 is not None:
            multiplier = override.multiplier_e4
    own = market_meta.get("fee_multiplier_e4")
    if isinstance(own, int):
        multiplier = own
    return fee_type, multiplier
