"""The SDK 3.34 contract's keys of every model Augury renders (``--profile 2026``).

Generated from ``shared/reference/kalshi-python-sync-3.34.0-digest.json``;
``tests/api/test_profiles.py`` checks this table against the digest, so it cannot drift.
"""

from typing import Final

__all__ = ["CONTRACT_KEYS"]

CONTRACT_KEYS: Final[dict[str, frozenset[str]]] = {
    "AmendOrderRequest": frozenset(
        {
            "action",
            "client_order_id",
            "count",
            "count_fp",
            "exchange_index",
            "no_price",
            "no_price_dollars",
            "side",
            "subaccount",
            "ticker",
            "updated_client_order_id",
            "yes_price",
            "yes_price_dollars",
        }
    ),
    "AmendOrderResponse": frozenset(
        {
            "old_order",
            "order",
        }
    ),
    "AmendOrderV2Request": frozenset(
        {
            "client_order_id",
            "count",
            "exchange_index",
            "expiration_time",
            "price",
            "side",
            "ticker",
            "updated_client_order_id",
        }
    ),
    "AmendOrderV2Response": frozenset(
        {
            "average_fee_paid",
            "average_fill_price",
            "client_order_id",
            "fill_count",
            "order_id",
            "remaining_count",
            "ts_ms",
        }
    ),
    "ApiKey": frozenset(
        {
            "api_key_id",
            "fcm_subtrader_id",
            "name",
            "scopes",
            "subaccount",
        }
    ),
    "ApiUsageLevelGrant": frozenset(
        {
            "exchange_instance",
            "expires_ts",
            "level",
            "source",
        }
    ),
    "ApplySubaccountTransferRequest": frozenset(
        {
            "amount_cents",
            "client_transfer_id",
            "exchange_index",
            "from_subaccount",
            "to_subaccount",
        }
    ),
    "BatchCancelOrdersIndividualResponse": frozenset(
        {
            "error",
            "order",
            "order_id",
            "reduced_by_fp",
        }
    ),
    "BatchCancelOrdersRequest": frozenset(
        {
            "ids",
            "orders",
        }
    ),
    "BatchCancelOrdersRequestOrder": frozenset(
        {
            "exchange_index",
            "market_ticker",
            "order_id",
            "subaccount",
        }
    ),
    "BatchCancelOrdersResponse": frozenset(
        {
            "orders",
        }
    ),
    "BatchCancelOrdersV2Request": frozenset(
        {
            "orders",
        }
    ),
    "BatchCancelOrdersV2RequestOrdersInner": frozenset(
        {
            "exchange_index",
            "market_ticker",
            "order_id",
            "subaccount",
        }
    ),
    "BatchCancelOrdersV2Response": frozenset(
        {
            "orders",
        }
    ),
    "BatchCancelOrdersV2ResponseOrdersInner": frozenset(
        {
            "client_order_id",
            "error",
            "order_id",
            "reduced_by",
            "ts_ms",
        }
    ),
    "BatchCreateOrdersIndividualResponse": frozenset(
        {
            "client_order_id",
            "error",
            "order",
        }
    ),
    "BatchCreateOrdersRequest": frozenset(
        {
            "orders",
        }
    ),
    "BatchCreateOrdersResponse": frozenset(
        {
            "orders",
        }
    ),
    "BatchCreateOrdersV2Request": frozenset(
        {
            "orders",
        }
    ),
    "BatchCreateOrdersV2Response": frozenset(
        {
            "orders",
        }
    ),
    "BatchCreateOrdersV2ResponseOrdersInner": frozenset(
        {
            "average_fee_paid",
            "average_fill_price",
            "client_order_id",
            "error",
            "fill_count",
            "order_id",
            "remaining_count",
            "ts_ms",
        }
    ),
    "BatchGetMarketCandlesticksResponse": frozenset(
        {
            "markets",
        }
    ),
    "BidAskDistribution": frozenset(
        {
            "close_dollars",
            "high_dollars",
            "low_dollars",
            "open_dollars",
        }
    ),
    "BidAskDistributionHistorical": frozenset(
        {
            "close",
            "high",
            "low",
            "open",
        }
    ),
    "BucketLimit": frozenset(
        {
            "bucket_capacity",
            "refill_rate",
        }
    ),
    "CancelOrderV2Response": frozenset(
        {
            "client_order_id",
            "order_id",
            "reduced_by",
            "ts_ms",
        }
    ),
    "CreateApiKeyRequest": frozenset(
        {
            "fcm_subtrader_id",
            "name",
            "public_key",
            "scopes",
            "subaccount",
        }
    ),
    "CreateApiKeyResponse": frozenset(
        {
            "api_key_id",
            "warning",
        }
    ),
    "CreateOrderGroupRequest": frozenset(
        {
            "contracts_limit",
            "contracts_limit_fp",
            "exchange_index",
            "subaccount",
        }
    ),
    "CreateOrderGroupResponse": frozenset(
        {
            "exchange_index",
            "order_group_id",
            "subaccount",
        }
    ),
    "CreateOrderRequest": frozenset(
        {
            "action",
            "buy_max_cost",
            "cancel_order_on_pause",
            "client_order_id",
            "count",
            "count_fp",
            "exchange_index",
            "expiration_ts",
            "no_price",
            "no_price_dollars",
            "order_group_id",
            "post_only",
            "reduce_only",
            "self_trade_prevention_type",
            "sell_position_floor",
            "side",
            "subaccount",
            "ticker",
            "time_in_force",
            "yes_price",
            "yes_price_dollars",
        }
    ),
    "CreateOrderResponse": frozenset(
        {
            "order",
        }
    ),
    "CreateOrderV2Request": frozenset(
        {
            "cancel_order_on_pause",
            "client_order_id",
            "count",
            "exchange_index",
            "expiration_time",
            "order_group_id",
            "post_only",
            "price",
            "reduce_only",
            "self_trade_prevention_type",
            "side",
            "subaccount",
            "ticker",
            "time_in_force",
        }
    ),
    "CreateOrderV2Response": frozenset(
        {
            "average_fee_paid",
            "average_fill_price",
            "client_order_id",
            "fill_count",
            "order_id",
            "remaining_count",
            "ts_ms",
        }
    ),
    "CreateSubaccountRequest": frozenset(
        {
            "exchange_index",
        }
    ),
    "CreateSubaccountResponse": frozenset(
        {
            "subaccount_number",
        }
    ),
    "DailySchedule": frozenset(
        {
            "close_time",
            "open_time",
        }
    ),
    "DecreaseOrderV2Request": frozenset(
        {
            "exchange_index",
            "market_ticker",
            "reduce_by",
            "reduce_to",
        }
    ),
    "DecreaseOrderV2Response": frozenset(
        {
            "client_order_id",
            "order_id",
            "remaining_count",
            "ts_ms",
        }
    ),
    "Deposit": frozenset(
        {
            "amount_cents",
            "created_ts",
            "fee_cents",
            "finalized_ts",
            "id",
            "status",
            "type",
        }
    ),
    "EndpointTokenCost": frozenset(
        {
            "cost",
            "method",
            "path",
        }
    ),
    "ErrorResponse": frozenset(
        {
            "code",
            "details",
            "message",
        }
    ),
    "EventData": frozenset(
        {
            "category",
            "collateral_return_type",
            "event_ticker",
            "exchange_index",
            "fee_multiplier_override",
            "fee_type_override",
            "last_updated_ts",
            "markets",
            "mutually_exclusive",
            "product_metadata",
            "series_ticker",
            "settlement_sources",
            "strike_date",
            "strike_period",
            "sub_title",
            "title",
        }
    ),
    "EventFeeChange": frozenset(
        {
            "event_ticker",
            "fee_multiplier_override",
            "fee_type_override",
            "id",
            "scheduled_ts",
            "series_ticker",
        }
    ),
    "EventPosition": frozenset(
        {
            "event_exposure_dollars",
            "event_ticker",
            "fees_paid_dollars",
            "realized_pnl_dollars",
            "total_cost_dollars",
            "total_cost_shares_fp",
        }
    ),
    "ExchangeIndexStatus": frozenset(
        {
            "description",
            "exchange_active",
            "exchange_index",
            "intra_exchange_transfers_active",
            "trading_active",
        }
    ),
    "ExchangeStatus": frozenset(
        {
            "exchange_active",
            "exchange_estimated_resume_time",
            "exchange_index_statuses",
            "intra_exchange_transfers_active",
            "trading_active",
        }
    ),
    "Fill": frozenset(
        {
            "action",
            "book_side",
            "count_fp",
            "created_time",
            "exchange_index",
            "fee_cost",
            "fill_id",
            "is_taker",
            "market_ticker",
            "no_price_dollars",
            "order_id",
            "outcome_side",
            "side",
            "subaccount_number",
            "ticker",
            "trade_id",
            "ts",
            "yes_price_dollars",
        }
    ),
    "GenerateApiKeyRequest": frozenset(
        {
            "fcm_subtrader_id",
            "key_type",
            "name",
            "scopes",
            "subaccount",
        }
    ),
    "GenerateApiKeyResponse": frozenset(
        {
            "api_key_id",
            "key_type",
            "private_key",
            "warning",
        }
    ),
    "GetAccountApiLimitsResponse": frozenset(
        {
            "grants",
            "read",
            "usage_tier",
            "write",
        }
    ),
    "GetAccountEndpointCostsResponse": frozenset(
        {
            "default_cost",
            "endpoint_costs",
        }
    ),
    "GetApiKeysResponse": frozenset(
        {
            "api_key_region_expiration_ts",
            "api_keys",
        }
    ),
    "GetBalanceResponse": frozenset(
        {
            "balance",
            "balance_breakdown",
            "balance_dollars",
            "portfolio_value",
            "updated_ts",
        }
    ),
    "GetDepositsResponse": frozenset(
        {
            "cursor",
            "deposits",
        }
    ),
    "GetEventCandlesticksResponse": frozenset(
        {
            "adjusted_end_ts",
            "market_candlesticks",
            "market_tickers",
        }
    ),
    "GetEventFeeChangesResponse": frozenset(
        {
            "cursor",
            "event_fee_changes",
        }
    ),
    "GetEventMetadataResponse": frozenset(
        {
            "competition",
            "competition_scope",
            "featured_image_url",
            "image_url",
            "market_details",
            "settlement_sources",
        }
    ),
    "GetEventResponse": frozenset(
        {
            "event",
            "markets",
        }
    ),
    "GetEventsResponse": frozenset(
        {
            "cursor",
            "events",
            "milestones",
        }
    ),
    "GetExchangeScheduleResponse": frozenset(
        {
            "schedule",
        }
    ),
    "GetFillsResponse": frozenset(
        {
            "cursor",
            "fills",
        }
    ),
    "GetHistoricalCutoffResponse": frozenset(
        {
            "market_positions_last_updated_ts",
            "market_settled_ts",
            "orders_updated_ts",
            "trades_created_ts",
        }
    ),
    "GetMarketCandlesticksHistoricalResponse": frozenset(
        {
            "candlesticks",
            "ticker",
        }
    ),
    "GetMarketCandlesticksResponse": frozenset(
        {
            "candlesticks",
            "ticker",
        }
    ),
    "GetMarketOrderbookResponse": frozenset(
        {
            "orderbook_fp",
        }
    ),
    "GetMarketOrderbooksResponse": frozenset(
        {
            "orderbooks",
        }
    ),
    "GetMarketResponse": frozenset(
        {
            "market",
        }
    ),
    "GetMarketsResponse": frozenset(
        {
            "cursor",
            "markets",
        }
    ),
    "GetMultivariateEventsResponse": frozenset(
        {
            "cursor",
            "events",
        }
    ),
    "GetOrderGroupResponse": frozenset(
        {
            "contracts_limit_fp",
            "exchange_index",
            "is_auto_cancel_enabled",
            "orders",
        }
    ),
    "GetOrderGroupsResponse": frozenset(
        {
            "order_groups",
        }
    ),
    "GetOrderQueuePositionResponse": frozenset(
        {
            "queue_position_fp",
        }
    ),
    "GetOrderQueuePositionsResponse": frozenset(
        {
            "queue_positions",
        }
    ),
    "GetOrderResponse": frozenset(
        {
            "order",
        }
    ),
    "GetOrdersResponse": frozenset(
        {
            "cursor",
            "orders",
        }
    ),
    "GetPortfolioRestingOrderTotalValueResponse": frozenset(
        {
            "resting_order_value_breakdown",
            "total_resting_order_value",
        }
    ),
    "GetPositionsResponse": frozenset(
        {
            "cursor",
            "event_positions",
            "market_positions",
        }
    ),
    "GetSeriesFeeChangesResponse": frozenset(
        {
            "series_fee_change_arr",
        }
    ),
    "GetSeriesListResponse": frozenset(
        {
            "series",
        }
    ),
    "GetSeriesResponse": frozenset(
        {
            "series",
        }
    ),
    "GetSettlementsResponse": frozenset(
        {
            "cursor",
            "settlements",
        }
    ),
    "GetSubaccountBalancesResponse": frozenset(
        {
            "subaccount_balances",
        }
    ),
    "GetSubaccountNettingResponse": frozenset(
        {
            "netting_configs",
        }
    ),
    "GetSubaccountTransfersResponse": frozenset(
        {
            "cursor",
            "transfers",
        }
    ),
    "GetTradesResponse": frozenset(
        {
            "cursor",
            "trades",
        }
    ),
    "GetUserDataTimestampResponse": frozenset(
        {
            "as_of_time",
        }
    ),
    "GetWithdrawalsResponse": frozenset(
        {
            "cursor",
            "withdrawals",
        }
    ),
    "IndexedBalance": frozenset(
        {
            "balance",
            "exchange_index",
        }
    ),
    "MaintenanceWindow": frozenset(
        {
            "end_datetime",
            "start_datetime",
        }
    ),
    "Market": frozenset(
        {
            "can_close_early",
            "cap_strike",
            "close_time",
            "created_time",
            "custom_strike",
            "early_close_condition",
            "event_ticker",
            "exchange_index",
            "expected_expiration_time",
            "expiration_time",
            "expiration_value",
            "fee_waiver_expiration_time",
            "floor_strike",
            "functional_strike",
            "is_provisional",
            "last_price_dollars",
            "latest_expiration_time",
            "market_type",
            "mve_collection_ticker",
            "mve_selected_legs",
            "no_ask_dollars",
            "no_bid_dollars",
            "no_sub_title",
            "notional_value_dollars",
            "occurrence_datetime",
            "open_interest_fp",
            "open_time",
            "previous_price_dollars",
            "previous_yes_ask_dollars",
            "previous_yes_bid_dollars",
            "price_level_structure",
            "price_ranges",
            "primary_participant_key",
            "result",
            "rules_primary",
            "rules_secondary",
            "settlement_bounds_type",
            "settlement_floor_dollars",
            "settlement_timer_seconds",
            "settlement_ts",
            "settlement_value_dollars",
            "status",
            "strike_type",
            "subtitle",
            "ticker",
            "title",
            "updated_time",
            "volume_24h_fp",
            "volume_fp",
            "yes_ask_dollars",
            "yes_ask_size_fp",
            "yes_bid_dollars",
            "yes_bid_size_fp",
            "yes_sub_title",
        }
    ),
    "MarketCandlestick": frozenset(
        {
            "end_period_ts",
            "open_interest_fp",
            "price",
            "volume_fp",
            "yes_ask",
            "yes_bid",
        }
    ),
    "MarketCandlestickHistorical": frozenset(
        {
            "end_period_ts",
            "open_interest",
            "price",
            "volume",
            "yes_ask",
            "yes_bid",
        }
    ),
    "MarketCandlesticksResponse": frozenset(
        {
            "candlesticks",
            "market_ticker",
        }
    ),
    "MarketMetadata": frozenset(
        {
            "color_code",
            "image_url",
            "market_ticker",
        }
    ),
    "MarketOrderbookFp": frozenset(
        {
            "orderbook_fp",
            "ticker",
        }
    ),
    "MarketPosition": frozenset(
        {
            "exchange_index",
            "fees_paid_dollars",
            "last_updated_ts",
            "market_exposure_dollars",
            "position_fp",
            "realized_pnl_dollars",
            "ticker",
            "total_traded_dollars",
        }
    ),
    "Milestone": frozenset(
        {
            "category",
            "details",
            "end_date",
            "id",
            "last_updated_ts",
            "notification_message",
            "primary_event_tickers",
            "related_event_tickers",
            "source_id",
            "source_ids",
            "start_date",
            "title",
            "type",
        }
    ),
    "MveSelectedLeg": frozenset(
        {
            "event_ticker",
            "market_ticker",
            "side",
            "yes_settlement_value_dollars",
        }
    ),
    "Order": frozenset(
        {
            "action",
            "book_side",
            "cancel_order_on_pause",
            "client_order_id",
            "created_time",
            "exchange_index",
            "expiration_time",
            "fill_count_fp",
            "initial_count_fp",
            "last_update_time",
            "maker_fees_dollars",
            "maker_fill_cost_dollars",
            "no_price_dollars",
            "order_group_id",
            "order_id",
            "outcome_side",
            "remaining_count_fp",
            "self_trade_prevention_type",
            "side",
            "status",
            "subaccount_number",
            "taker_fees_dollars",
            "taker_fill_cost_dollars",
            "ticker",
            "type",
            "user_id",
            "yes_price_dollars",
        }
    ),
    "OrderGroup": frozenset(
        {
            "contracts_limit_fp",
            "exchange_index",
            "id",
            "is_auto_cancel_enabled",
        }
    ),
    "OrderQueuePosition": frozenset(
        {
            "market_ticker",
            "order_id",
            "queue_position_fp",
        }
    ),
    "OrderbookCountFp": frozenset(
        {
            "no_dollars",
            "yes_dollars",
        }
    ),
    "PriceDistribution": frozenset(
        {
            "close_dollars",
            "high_dollars",
            "low_dollars",
            "max_dollars",
            "mean_dollars",
            "min_dollars",
            "open_dollars",
            "previous_dollars",
        }
    ),
    "PriceDistributionHistorical": frozenset(
        {
            "close",
            "high",
            "low",
            "mean",
            "open",
            "previous",
        }
    ),
    "PriceRange": frozenset(
        {
            "end",
            "start",
            "step",
        }
    ),
    "Schedule": frozenset(
        {
            "maintenance_windows",
            "standard_hours",
        }
    ),
    "Series": frozenset(
        {
            "additional_prohibitions",
            "categories",
            "category",
            "contract_terms_url",
            "contract_url",
            "exchange_index",
            "fee_multiplier",
            "fee_type",
            "frequency",
            "last_updated_ts",
            "product_metadata",
            "settlement_sources",
            "tags",
            "ticker",
            "title",
            "volume_fp",
        }
    ),
    "SeriesFeeChange": frozenset(
        {
            "fee_multiplier",
            "fee_type",
            "id",
            "scheduled_ts",
            "series_ticker",
        }
    ),
    "Settlement": frozenset(
        {
            "event_ticker",
            "exchange_index",
            "fee_cost",
            "market_result",
            "no_count_fp",
            "no_total_cost_dollars",
            "revenue",
            "settled_time",
            "ticker",
            "value",
            "yes_count_fp",
            "yes_total_cost_dollars",
        }
    ),
    "SettlementSource": frozenset(
        {
            "name",
            "url",
        }
    ),
    "SubaccountBalance": frozenset(
        {
            "balance",
            "exchange_index",
            "subaccount_number",
            "updated_ts",
        }
    ),
    "SubaccountNettingConfig": frozenset(
        {
            "enabled",
            "exchange_index",
            "subaccount_number",
        }
    ),
    "SubaccountTransfer": frozenset(
        {
            "amount_cents",
            "created_ts",
            "exchange_index",
            "from_subaccount",
            "to_subaccount",
            "transfer_id",
        }
    ),
    "Trade": frozenset(
        {
            "count_fp",
            "created_time",
            "is_block_trade",
            "no_price_dollars",
            "taker_book_side",
            "taker_outcome_side",
            "taker_side",
            "ticker",
            "trade_id",
            "yes_price_dollars",
        }
    ),
    "UpdateOrderGroupLimitRequest": frozenset(
        {
            "contracts_limit",
            "contracts_limit_fp",
        }
    ),
    "UpdateSubaccountNettingRequest": frozenset(
        {
            "enabled",
            "subaccount_number",
        }
    ),
    "WeeklySchedule": frozenset(
        {
            "end_time",
            "friday",
            "monday",
            "saturday",
            "start_time",
            "sunday",
            "thursday",
            "tuesday",
            "wednesday",
        }
    ),
    "Withdrawal": frozenset(
        {
            "amount_cents",
            "created_ts",
            "fee_cents",
            "finalized_ts",
            "id",
            "status",
            "type",
        }
    ),
}
