"""Kalshi wire models (msgspec Structs), GENERATED from the SDK 3.34.0 digest.

Do not edit by hand: ``python -m tests.client.model_codegen`` rewrites this file and
``tests/client/test_models.py`` fails when it drifts. Field names are Kalshi's JSON keys.
Required fields are the ones the official SDK refuses to see missing; every other field is
optional. Unknown keys in a response are ignored, so a newer server never breaks a decode.
Dollar and count strings stay strings here; ``augury.client.units`` turns them into
integers (centi-cents, centi-contracts).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

__all__ = [
    "AmendOrderRequest",
    "AmendOrderResponse",
    "AmendOrderV2Request",
    "AmendOrderV2Response",
    "ApiKey",
    "ApiUsageLevelGrant",
    "ApplySubaccountTransferRequest",
    "BatchCancelOrdersIndividualResponse",
    "BatchCancelOrdersRequest",
    "BatchCancelOrdersRequestOrder",
    "BatchCancelOrdersResponse",
    "BatchCancelOrdersV2Request",
    "BatchCancelOrdersV2RequestOrdersInner",
    "BatchCancelOrdersV2Response",
    "BatchCancelOrdersV2ResponseOrdersInner",
    "BatchCreateOrdersIndividualResponse",
    "BatchCreateOrdersRequest",
    "BatchCreateOrdersResponse",
    "BatchCreateOrdersV2Request",
    "BatchCreateOrdersV2Response",
    "BatchCreateOrdersV2ResponseOrdersInner",
    "BatchGetMarketCandlesticksResponse",
    "BidAskDistribution",
    "BidAskDistributionHistorical",
    "BucketLimit",
    "CancelOrderV2Response",
    "CreateApiKeyRequest",
    "CreateApiKeyResponse",
    "CreateOrderGroupRequest",
    "CreateOrderGroupResponse",
    "CreateOrderRequest",
    "CreateOrderResponse",
    "CreateOrderV2Request",
    "CreateOrderV2Response",
    "CreateSubaccountRequest",
    "CreateSubaccountResponse",
    "DailySchedule",
    "DecreaseOrderV2Request",
    "DecreaseOrderV2Response",
    "Deposit",
    "EndpointTokenCost",
    "ErrorResponse",
    "EventData",
    "EventFeeChange",
    "EventPosition",
    "ExchangeIndexStatus",
    "ExchangeStatus",
    "Fill",
    "GenerateApiKeyRequest",
    "GenerateApiKeyResponse",
    "GetAccountApiLimitsResponse",
    "GetAccountEndpointCostsResponse",
    "GetApiKeysResponse",
    "GetBalanceResponse",
    "GetDepositsResponse",
    "GetEventCandlesticksResponse",
    "GetEventFeeChangesResponse",
    "GetEventMetadataResponse",
    "GetEventResponse",
    "GetEventsResponse",
    "GetExchangeScheduleResponse",
    "GetFillsResponse",
    "GetHistoricalCutoffResponse",
    "GetMarketCandlesticksHistoricalResponse",
    "GetMarketCandlesticksResponse",
    "GetMarketOrderbookResponse",
    "GetMarketOrderbooksResponse",
    "GetMarketResponse",
    "GetMarketsResponse",
    "GetMultivariateEventsResponse",
    "GetOrderGroupResponse",
    "GetOrderGroupsResponse",
    "GetOrderQueuePositionResponse",
    "GetOrderQueuePositionsResponse",
    "GetOrderResponse",
    "GetOrdersResponse",
    "GetPortfolioRestingOrderTotalValueResponse",
    "GetPositionsResponse",
    "GetSeriesFeeChangesResponse",
    "GetSeriesListResponse",
    "GetSeriesResponse",
    "GetSettlementsResponse",
    "GetSubaccountBalancesResponse",
    "GetSubaccountNettingResponse",
    "GetSubaccountTransfersResponse",
    "GetTradesResponse",
    "GetUserDataTimestampResponse",
    "GetWithdrawalsResponse",
    "IndexedBalance",
    "MaintenanceWindow",
    "Market",
    "MarketCandlestick",
    "MarketCandlestickHistorical",
    "MarketCandlesticksResponse",
    "MarketMetadata",
    "MarketOrderbookFp",
    "MarketPosition",
    "Milestone",
    "MveSelectedLeg",
    "Order",
    "OrderGroup",
    "OrderQueuePosition",
    "OrderbookCountFp",
    "PriceDistribution",
    "PriceDistributionHistorical",
    "PriceRange",
    "Schedule",
    "Series",
    "SeriesFeeChange",
    "Settlement",
    "SettlementSource",
    "SubaccountBalance",
    "SubaccountNettingConfig",
    "SubaccountTransfer",
    "Trade",
    "UpdateOrderGroupLimitRequest",
    "UpdateSubaccountNettingRequest",
    "WeeklySchedule",
    "Withdrawal",
]


class _Wire(msgspec.Struct, kw_only=True, omit_defaults=True):
    """Base of every wire model: keyword-only, ``None`` fields omitted when sent."""


class AmendOrderRequest(_Wire):
    ticker: str
    side: str
    action: str
    subaccount: int | None = None
    client_order_id: str | None = None
    updated_client_order_id: str | None = None
    yes_price: int | None = None
    no_price: int | None = None
    yes_price_dollars: str | None = None
    no_price_dollars: str | None = None
    count: int | None = None
    count_fp: str | None = None
    exchange_index: int | None = None


class AmendOrderResponse(_Wire):
    old_order: Order
    order: Order


class AmendOrderV2Request(_Wire):
    ticker: str
    side: str
    price: str
    count: str
    client_order_id: str | None = None
    updated_client_order_id: str | None = None
    expiration_time: int | None = None
    exchange_index: int | None = None


class AmendOrderV2Response(_Wire):
    order_id: str
    ts_ms: int
    client_order_id: str | None = None
    remaining_count: str | None = None
    fill_count: str | None = None
    average_fill_price: str | None = None
    average_fee_paid: str | None = None


class ApiKey(_Wire):
    api_key_id: str
    name: str
    scopes: list[str]
    subaccount: int | None = None
    fcm_subtrader_id: str | None = None


class ApiUsageLevelGrant(_Wire):
    exchange_instance: str
    level: str
    source: str
    expires_ts: int | None = None


class ApplySubaccountTransferRequest(_Wire):
    client_transfer_id: str
    from_subaccount: int
    to_subaccount: int
    amount_cents: int
    exchange_index: int | None = None


class BatchCancelOrdersIndividualResponse(_Wire):
    order_id: str
    reduced_by_fp: str
    order: Order | None = None
    error: ErrorResponse | None = None


class BatchCancelOrdersRequest(_Wire):
    ids: list[str] | None = None
    orders: list[BatchCancelOrdersRequestOrder] | None = None


class BatchCancelOrdersRequestOrder(_Wire):
    order_id: str
    subaccount: int | None = None
    exchange_index: int | None = None
    market_ticker: str | None = None


class BatchCancelOrdersResponse(_Wire):
    orders: list[BatchCancelOrdersIndividualResponse]


class BatchCancelOrdersV2Request(_Wire):
    orders: list[BatchCancelOrdersV2RequestOrdersInner]


class BatchCancelOrdersV2RequestOrdersInner(_Wire):
    order_id: str
    subaccount: int | None = None
    exchange_index: int | None = None
    market_ticker: str | None = None


class BatchCancelOrdersV2Response(_Wire):
    orders: list[BatchCancelOrdersV2ResponseOrdersInner]


class BatchCancelOrdersV2ResponseOrdersInner(_Wire):
    order_id: str
    reduced_by: str
    client_order_id: str | None = None
    ts_ms: int | None = None
    error: ErrorResponse | None = None


class BatchCreateOrdersIndividualResponse(_Wire):
    client_order_id: str | None = None
    order: Order | None = None
    error: ErrorResponse | None = None


class BatchCreateOrdersRequest(_Wire):
    orders: list[CreateOrderRequest]


class BatchCreateOrdersResponse(_Wire):
    orders: list[BatchCreateOrdersIndividualResponse]


class BatchCreateOrdersV2Request(_Wire):
    orders: list[CreateOrderV2Request]


class BatchCreateOrdersV2Response(_Wire):
    orders: list[BatchCreateOrdersV2ResponseOrdersInner]


class BatchCreateOrdersV2ResponseOrdersInner(_Wire):
    order_id: str | None = None
    client_order_id: str | None = None
    fill_count: str | None = None
    remaining_count: str | None = None
    average_fill_price: str | None = None
    average_fee_paid: str | None = None
    ts_ms: int | None = None
    error: ErrorResponse | None = None


class BatchGetMarketCandlesticksResponse(_Wire):
    markets: list[MarketCandlesticksResponse]


class BidAskDistribution(_Wire):
    open_dollars: str
    low_dollars: str
    high_dollars: str
    close_dollars: str


class BidAskDistributionHistorical(_Wire):
    open: str
    low: str
    high: str
    close: str


class BucketLimit(_Wire):
    refill_rate: int
    bucket_capacity: int


class CancelOrderV2Response(_Wire):
    order_id: str
    reduced_by: str
    ts_ms: int
    client_order_id: str | None = None


class CreateApiKeyRequest(_Wire):
    name: str
    public_key: str
    scopes: list[str] | None = None
    subaccount: int | None = None
    fcm_subtrader_id: str | None = None


class CreateApiKeyResponse(_Wire):
    api_key_id: str
    warning: str | None = None


class CreateOrderGroupRequest(_Wire):
    subaccount: int | None = None
    contracts_limit: int | None = None
    contracts_limit_fp: str | None = None
    exchange_index: int | None = None


class CreateOrderGroupResponse(_Wire):
    order_group_id: str
    subaccount: int
    exchange_index: int | None = None


class CreateOrderRequest(_Wire):
    ticker: str
    side: str
    action: str
    client_order_id: str | None = None
    count: int | None = None
    count_fp: str | None = None
    yes_price: int | None = None
    no_price: int | None = None
    yes_price_dollars: str | None = None
    no_price_dollars: str | None = None
    expiration_ts: int | None = None
    time_in_force: str | None = None
    buy_max_cost: int | None = None
    post_only: bool | None = None
    reduce_only: bool | None = None
    sell_position_floor: int | None = None
    self_trade_prevention_type: str | None = None
    order_group_id: str | None = None
    cancel_order_on_pause: bool | None = None
    subaccount: int | None = None
    exchange_index: int | None = None


class CreateOrderResponse(_Wire):
    order: Order


class CreateOrderV2Request(_Wire):
    ticker: str
    side: str
    count: str
    price: str
    time_in_force: str
    self_trade_prevention_type: str
    client_order_id: str | None = None
    expiration_time: int | None = None
    post_only: bool | None = None
    cancel_order_on_pause: bool | None = None
    reduce_only: bool | None = None
    subaccount: int | None = None
    order_group_id: str | None = None
    exchange_index: int | None = None


class CreateOrderV2Response(_Wire):
    order_id: str
    fill_count: str
    remaining_count: str
    ts_ms: int
    client_order_id: str | None = None
    average_fill_price: str | None = None
    average_fee_paid: str | None = None


class CreateSubaccountRequest(_Wire):
    exchange_index: int | None = None


class CreateSubaccountResponse(_Wire):
    subaccount_number: int


class DailySchedule(_Wire):
    open_time: str
    close_time: str


class DecreaseOrderV2Request(_Wire):
    reduce_by: str | None = None
    reduce_to: str | None = None
    exchange_index: int | None = None
    market_ticker: str | None = None


class DecreaseOrderV2Response(_Wire):
    order_id: str
    remaining_count: str
    ts_ms: int
    client_order_id: str | None = None


class Deposit(_Wire):
    id: str
    status: str
    type: str
    amount_cents: int
    fee_cents: int
    created_ts: int
    finalized_ts: int | None = None


class EndpointTokenCost(_Wire):
    method: str
    path: str
    cost: int


class ErrorResponse(_Wire):
    code: str | None = None
    message: str | None = None
    details: str | None = None


class EventData(_Wire):
    event_ticker: str
    series_ticker: str
    sub_title: str
    title: str
    collateral_return_type: str
    mutually_exclusive: bool
    category: str | None = None
    strike_date: datetime | None = None
    strike_period: str | None = None
    markets: list[Market] | None = None
    product_metadata: dict[str, Any] | None = None
    settlement_sources: list[SettlementSource] | None = None
    last_updated_ts: datetime | None = None
    fee_type_override: str | None = None
    fee_multiplier_override: float | int | None = None
    exchange_index: int | None = None


class EventFeeChange(_Wire):
    id: str
    event_ticker: str
    series_ticker: str
    scheduled_ts: datetime
    fee_type_override: str | None = None
    fee_multiplier_override: float | int | None = None


class EventPosition(_Wire):
    event_ticker: str
    total_cost_dollars: str
    total_cost_shares_fp: str
    event_exposure_dollars: str
    realized_pnl_dollars: str
    fees_paid_dollars: str


class ExchangeIndexStatus(_Wire):
    exchange_index: int
    description: str
    exchange_active: bool
    trading_active: bool
    intra_exchange_transfers_active: bool


class ExchangeStatus(_Wire):
    exchange_active: bool
    trading_active: bool
    intra_exchange_transfers_active: bool | None = None
    exchange_estimated_resume_time: datetime | None = None
    exchange_index_statuses: list[ExchangeIndexStatus] | None = None


class Fill(_Wire):
    fill_id: str
    exchange_index: int
    trade_id: str
    order_id: str
    ticker: str
    market_ticker: str
    outcome_side: str
    book_side: str
    count_fp: str
    yes_price_dollars: str
    no_price_dollars: str
    is_taker: bool
    fee_cost: str
    side: str | None = None
    action: str | None = None
    created_time: datetime | None = None
    subaccount_number: int | None = None
    ts: int | None = None


class GenerateApiKeyRequest(_Wire):
    name: str
    key_type: str | None = None
    scopes: list[str] | None = None
    subaccount: int | None = None
    fcm_subtrader_id: str | None = None


class GenerateApiKeyResponse(_Wire):
    api_key_id: str
    private_key: str
    key_type: str | None = None
    warning: str | None = None


class GetAccountApiLimitsResponse(_Wire):
    usage_tier: str
    read: BucketLimit
    write: BucketLimit
    grants: list[ApiUsageLevelGrant]


class GetAccountEndpointCostsResponse(_Wire):
    default_cost: int
    endpoint_costs: list[EndpointTokenCost]


class GetApiKeysResponse(_Wire):
    api_keys: list[ApiKey]
    api_key_region_expiration_ts: int | None = None


class GetBalanceResponse(_Wire):
    balance: int
    balance_dollars: str
    portfolio_value: int
    updated_ts: int
    balance_breakdown: list[IndexedBalance] | None = None


class GetDepositsResponse(_Wire):
    deposits: list[Deposit]
    cursor: str | None = None


class GetEventCandlesticksResponse(_Wire):
    market_tickers: list[str]
    market_candlesticks: list[list[MarketCandlestick]]
    adjusted_end_ts: int


class GetEventFeeChangesResponse(_Wire):
    event_fee_changes: list[EventFeeChange]
    cursor: str


class GetEventMetadataResponse(_Wire):
    image_url: str
    market_details: list[MarketMetadata]
    settlement_sources: list[SettlementSource]
    featured_image_url: str | None = None
    competition: str | None = None
    competition_scope: str | None = None


class GetEventResponse(_Wire):
    event: EventData
    markets: list[Market]


class GetEventsResponse(_Wire):
    events: list[EventData]
    cursor: str
    milestones: list[Milestone] | None = None


class GetExchangeScheduleResponse(_Wire):
    schedule: Schedule


class GetFillsResponse(_Wire):
    fills: list[Fill]
    cursor: str


class GetHistoricalCutoffResponse(_Wire):
    market_settled_ts: datetime
    trades_created_ts: datetime
    orders_updated_ts: datetime
    market_positions_last_updated_ts: datetime | None = None


class GetMarketCandlesticksHistoricalResponse(_Wire):
    ticker: str
    candlesticks: list[MarketCandlestickHistorical]


class GetMarketCandlesticksResponse(_Wire):
    ticker: str
    candlesticks: list[MarketCandlestick]


class GetMarketOrderbookResponse(_Wire):
    orderbook_fp: OrderbookCountFp


class GetMarketOrderbooksResponse(_Wire):
    orderbooks: list[MarketOrderbookFp]


class GetMarketResponse(_Wire):
    market: Market


class GetMarketsResponse(_Wire):
    markets: list[Market]
    cursor: str


class GetMultivariateEventsResponse(_Wire):
    events: list[EventData]
    cursor: str


class GetOrderGroupResponse(_Wire):
    is_auto_cancel_enabled: bool
    orders: list[str]
    contracts_limit_fp: str | None = None
    exchange_index: int | None = None


class GetOrderGroupsResponse(_Wire):
    order_groups: list[OrderGroup] | None = None


class GetOrderQueuePositionResponse(_Wire):
    queue_position_fp: str


class GetOrderQueuePositionsResponse(_Wire):
    queue_positions: list[OrderQueuePosition]


class GetOrderResponse(_Wire):
    order: Order


class GetOrdersResponse(_Wire):
    orders: list[Order]
    cursor: str


class GetPortfolioRestingOrderTotalValueResponse(_Wire):
    total_resting_order_value: int
    resting_order_value_breakdown: list[IndexedBalance]


class GetPositionsResponse(_Wire):
    market_positions: list[MarketPosition]
    event_positions: list[EventPosition]
    cursor: str | None = None


class GetSeriesFeeChangesResponse(_Wire):
    series_fee_change_arr: list[SeriesFeeChange]


class GetSeriesListResponse(_Wire):
    series: list[Series]


class GetSeriesResponse(_Wire):
    series: Series


class GetSettlementsResponse(_Wire):
    settlements: list[Settlement]
    cursor: str | None = None


class GetSubaccountBalancesResponse(_Wire):
    subaccount_balances: list[SubaccountBalance]


class GetSubaccountNettingResponse(_Wire):
    netting_configs: list[SubaccountNettingConfig]


class GetSubaccountTransfersResponse(_Wire):
    transfers: list[SubaccountTransfer]
    cursor: str | None = None


class GetTradesResponse(_Wire):
    trades: list[Trade]
    cursor: str


class GetUserDataTimestampResponse(_Wire):
    as_of_time: datetime


class GetWithdrawalsResponse(_Wire):
    withdrawals: list[Withdrawal]
    cursor: str | None = None


class IndexedBalance(_Wire):
    exchange_index: int
    balance: str


class MaintenanceWindow(_Wire):
    start_datetime: datetime
    end_datetime: datetime


class Market(_Wire):
    ticker: str
    event_ticker: str
    market_type: str
    yes_sub_title: str
    no_sub_title: str
    created_time: datetime
    updated_time: datetime
    open_time: datetime
    close_time: datetime
    latest_expiration_time: datetime
    settlement_timer_seconds: int
    status: str
    yes_bid_dollars: str
    yes_bid_size_fp: str
    yes_ask_dollars: str
    yes_ask_size_fp: str
    no_bid_dollars: str
    no_ask_dollars: str
    last_price_dollars: str
    volume_fp: str
    volume_24h_fp: str
    result: str
    can_close_early: bool
    open_interest_fp: str
    notional_value_dollars: str
    previous_yes_bid_dollars: str
    previous_yes_ask_dollars: str
    previous_price_dollars: str
    settlement_bounds_type: str
    expiration_value: str
    rules_primary: str
    rules_secondary: str
    price_level_structure: str
    price_ranges: list[PriceRange]
    title: str | None = None
    subtitle: str | None = None
    expected_expiration_time: datetime | None = None
    expiration_time: datetime | None = None
    settlement_value_dollars: str | None = None
    settlement_ts: datetime | None = None
    settlement_floor_dollars: str | None = None
    occurrence_datetime: datetime | None = None
    fee_waiver_expiration_time: datetime | None = None
    early_close_condition: str | None = None
    strike_type: str | None = None
    floor_strike: float | int | None = None
    cap_strike: float | int | None = None
    functional_strike: str | None = None
    custom_strike: dict[str, Any] | None = None
    mve_collection_ticker: str | None = None
    mve_selected_legs: list[MveSelectedLeg] | None = None
    primary_participant_key: str | None = None
    is_provisional: bool | None = None
    exchange_index: int | None = None


class MarketCandlestick(_Wire):
    end_period_ts: int
    yes_bid: BidAskDistribution
    yes_ask: BidAskDistribution
    price: PriceDistribution
    volume_fp: str
    open_interest_fp: str


class MarketCandlestickHistorical(_Wire):
    end_period_ts: int
    yes_bid: BidAskDistributionHistorical
    yes_ask: BidAskDistributionHistorical
    price: PriceDistributionHistorical
    volume: str
    open_interest: str


class MarketCandlesticksResponse(_Wire):
    market_ticker: str
    candlesticks: list[MarketCandlestick]


class MarketMetadata(_Wire):
    market_ticker: str
    image_url: str
    color_code: str


class MarketOrderbookFp(_Wire):
    ticker: str
    orderbook_fp: OrderbookCountFp


class MarketPosition(_Wire):
    ticker: str
    exchange_index: int
    total_traded_dollars: str
    position_fp: str
    market_exposure_dollars: str
    realized_pnl_dollars: str
    fees_paid_dollars: str
    last_updated_ts: datetime


class Milestone(_Wire):
    id: str
    category: str
    type: str
    start_date: datetime
    related_event_tickers: list[str]
    title: str
    notification_message: str
    details: dict[str, Any]
    primary_event_tickers: list[str]
    last_updated_ts: datetime
    end_date: datetime | None = None
    source_id: str | None = None
    source_ids: dict[str, str] | None = None


class MveSelectedLeg(_Wire):
    event_ticker: str | None = None
    market_ticker: str | None = None
    side: str | None = None
    yes_settlement_value_dollars: str | None = None


class Order(_Wire):
    order_id: str
    user_id: str
    client_order_id: str
    ticker: str
    outcome_side: str
    book_side: str
    type: str
    status: str
    yes_price_dollars: str
    no_price_dollars: str
    fill_count_fp: str
    remaining_count_fp: str
    initial_count_fp: str
    taker_fill_cost_dollars: str
    maker_fill_cost_dollars: str
    taker_fees_dollars: str
    maker_fees_dollars: str
    side: str | None = None
    action: str | None = None
    expiration_time: datetime | None = None
    created_time: datetime | None = None
    last_update_time: datetime | None = None
    self_trade_prevention_type: str | None = None
    order_group_id: str | None = None
    cancel_order_on_pause: bool | None = None
    subaccount_number: int | None = None
    exchange_index: int | None = None


class OrderGroup(_Wire):
    id: str
    is_auto_cancel_enabled: bool
    contracts_limit_fp: str | None = None
    exchange_index: int | None = None


class OrderQueuePosition(_Wire):
    order_id: str
    market_ticker: str
    queue_position_fp: str


class OrderbookCountFp(_Wire):
    yes_dollars: list[list[str]]
    no_dollars: list[list[str]]


class PriceDistribution(_Wire):
    open_dollars: str | None = None
    low_dollars: str | None = None
    high_dollars: str | None = None
    close_dollars: str | None = None
    mean_dollars: str | None = None
    previous_dollars: str | None = None
    min_dollars: str | None = None
    max_dollars: str | None = None


class PriceDistributionHistorical(_Wire):
    open: str | None = None
    low: str | None = None
    high: str | None = None
    close: str | None = None
    mean: str | None = None
    previous: str | None = None


class PriceRange(_Wire):
    start: str
    end: str
    step: str


class Schedule(_Wire):
    standard_hours: list[WeeklySchedule]
    maintenance_windows: list[MaintenanceWindow]


class Series(_Wire):
    ticker: str
    frequency: str
    title: str
    category: str
    categories: list[str]
    contract_url: str
    contract_terms_url: str
    fee_type: str
    fee_multiplier: float | int
    tags: list[str] | None = None
    settlement_sources: list[SettlementSource] | None = None
    product_metadata: dict[str, Any] | None = None
    additional_prohibitions: list[str] | None = None
    volume_fp: str | None = None
    last_updated_ts: datetime | None = None
    exchange_index: int | None = None


class SeriesFeeChange(_Wire):
    id: str
    series_ticker: str
    fee_type: str
    fee_multiplier: float | int
    scheduled_ts: datetime


class Settlement(_Wire):
    ticker: str
    exchange_index: int
    event_ticker: str
    market_result: str
    yes_count_fp: str
    yes_total_cost_dollars: str
    no_count_fp: str
    no_total_cost_dollars: str
    revenue: int
    settled_time: datetime
    fee_cost: str
    value: int | None = None


class SettlementSource(_Wire):
    name: str | None = None
    url: str | None = None


class SubaccountBalance(_Wire):
    subaccount_number: int
    exchange_index: int
    balance: str
    updated_ts: int


class SubaccountNettingConfig(_Wire):
    subaccount_number: int
    enabled: bool
    exchange_index: int


class SubaccountTransfer(_Wire):
    transfer_id: str
    from_subaccount: int
    to_subaccount: int
    amount_cents: int
    created_ts: int
    exchange_index: int


class Trade(_Wire):
    trade_id: str
    ticker: str
    count_fp: str
    yes_price_dollars: str
    no_price_dollars: str
    taker_outcome_side: str
    taker_book_side: str
    created_time: datetime
    is_block_trade: bool
    taker_side: str | None = None


class UpdateOrderGroupLimitRequest(_Wire):
    contracts_limit: int | None = None
    contracts_limit_fp: str | None = None


class UpdateSubaccountNettingRequest(_Wire):
    subaccount_number: int
    enabled: bool


class WeeklySchedule(_Wire):
    start_time: datetime
    end_time: datetime
    monday: list[DailySchedule]
    tuesday: list[DailySchedule]
    wednesday: list[DailySchedule]
    thursday: list[DailySchedule]
    friday: list[DailySchedule]
    saturday: list[DailySchedule]
    sunday: list[DailySchedule]


class Withdrawal(_Wire):
    id: str
    status: str
    type: str
    amount_cents: int
    fee_cents: int
    created_ts: int
    finalized_ts: int | None = None
