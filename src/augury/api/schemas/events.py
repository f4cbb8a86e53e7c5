"""Series, events, event metadata and milestones (CONTRACT §4.2, §4.11).

Required-but-nullable keys: ``Series.tags``, ``Series.settlement_sources``,
``Series.additional_prohibitions`` and ``EventData.settlement_sources`` are declared by
the SDK as required keys whose value may be ``null``. They are fields **without a
default**, typed ``X | None``: the caller must decide, and ``None`` is encoded as
``null`` rather than omitted (``omit_defaults`` only drops fields that have a default).

``GetEventResponse.markets`` is required even when ``with_nested_markets=true`` puts
the markets inside ``event.markets`` too; send ``[]`` rather than leaving it out.
"""

from typing import Any

from augury.api.schemas.base import WireResponse
from augury.api.schemas.enums import CollateralReturnType, FeeType
from augury.api.schemas.markets import Market

__all__ = [
    "EventData",
    "GetEventMetadataResponse",
    "GetEventResponse",
    "GetEventsResponse",
    "GetSeriesListResponse",
    "GetSeriesResponse",
    "MarketMetadata",
    "Milestone",
    "Series",
    "SettlementSource",
]


class SettlementSource(WireResponse, kw_only=True):
    name: str | None = None
    url: str | None = None


class Series(WireResponse, kw_only=True):
    ticker: str
    frequency: str
    title: str
    category: str
    categories: list[str]
    tags: list[str] | None
    settlement_sources: list[SettlementSource] | None
    contract_url: str
    contract_terms_url: str
    product_metadata: dict[str, Any] | None = None
    fee_type: FeeType
    # A dimensionless multiplier the SDK types as a JSON number; it is not money.
    fee_multiplier: float
    additional_prohibitions: list[str] | None
    volume_fp: str | None = None
    last_updated_ts: str | None = None
    exchange_index: int | None = None


class GetSeriesListResponse(WireResponse, kw_only=True):
    series: list[Series]


class GetSeriesResponse(WireResponse, kw_only=True):
    series: Series


class Milestone(WireResponse, kw_only=True):
    id: str
    category: str
    type: str
    start_date: str
    end_date: str | None = None
    related_event_tickers: list[str]
    title: str
    notification_message: str
    source_id: str | None = None
    source_ids: dict[str, str] | None = None
    details: dict[str, Any]
    primary_event_tickers: list[str]
    last_updated_ts: str


class EventData(WireResponse, kw_only=True):
    event_ticker: str
    series_ticker: str
    sub_title: str
    title: str
    collateral_return_type: CollateralReturnType
    mutually_exclusive: bool
    # Required by the OpenAPI (3.28) though "deprecated, always false" there, and gone
    # from SDK 3.34: clients generated from the OpenAPI refuse an event without it.
    available_on_brokers: bool
    category: str | None = None
    strike_date: str | None = None
    strike_period: str | None = None
    markets: list[Market] | None = None
    product_metadata: dict[str, Any] | None = None
    settlement_sources: list[SettlementSource] | None
    last_updated_ts: str | None = None
    fee_type_override: FeeType | None = None
    fee_multiplier_override: float | None = None
    exchange_index: int | None = None
    # --compat tutorials only (docs/compat-tutorials.md): not a Kalshi field.
    markets_count: int | None = None


class GetEventsResponse(WireResponse, kw_only=True):
    events: list[EventData]
    milestones: list[Milestone] | None = None
    cursor: str


class GetEventResponse(WireResponse, kw_only=True):
    event: EventData
    markets: list[Market]


class MarketMetadata(WireResponse, kw_only=True):
    market_ticker: str
    image_url: str
    color_code: str


class GetEventMetadataResponse(WireResponse, kw_only=True):
    image_url: str
    featured_image_url: str | None = None
    market_details: list[MarketMetadata]
    settlement_sources: list[SettlementSource]
    competition: str | None = None
    competition_scope: str | None = None
