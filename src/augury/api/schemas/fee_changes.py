"""Fee changes and multivariate events (CONTRACT §3): shapes Augury serves empty.

Augury has no scheduled fee changes and no multivariate (combo) events, so these lists are
always empty; the shapes still follow SDK 3.34 exactly (``cursor`` is a required string,
``""`` on the last page) so a client iterating them works unchanged.
"""

from augury.api.schemas.base import WireResponse
from augury.api.schemas.enums import FeeType
from augury.api.schemas.events import EventData

__all__ = [
    "EventFeeChange",
    "GetEventFeeChangesResponse",
    "GetMultivariateEventsResponse",
    "GetSeriesFeeChangesResponse",
    "SeriesFeeChange",
]


class SeriesFeeChange(WireResponse, kw_only=True):
    id: str
    series_ticker: str
    fee_type: FeeType
    # A dimensionless multiplier (the SDK's JSON number), never money.
    fee_multiplier: float
    scheduled_ts: str


class GetSeriesFeeChangesResponse(WireResponse, kw_only=True):
    series_fee_change_arr: list[SeriesFeeChange]


class EventFeeChange(WireResponse, kw_only=True):
    id: str
    event_ticker: str
    series_ticker: str
    # Optional in SDK 3.34, required (nullable) by the OpenAPI: always sent.
    fee_type_override: FeeType | None
    fee_multiplier_override: float | None
    scheduled_ts: str


class GetEventFeeChangesResponse(WireResponse, kw_only=True):
    event_fee_changes: list[EventFeeChange]
    cursor: str


class GetMultivariateEventsResponse(WireResponse, kw_only=True):
    events: list[EventData]
    cursor: str
