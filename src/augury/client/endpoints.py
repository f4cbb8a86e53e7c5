"""One function per Kalshi endpoint Augury serves, GENERATED from the SDK digest.

Do not edit by hand (``python -m tests.client.model_codegen``). Each function takes the
endpoint's path parameters, body and query parameters (names as in the official SDK) and
returns a :class:`~augury.client.call.Call` describing the request and the model its
success response decodes into; ``Client.send`` / ``AsyncClient.send`` execute it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from augury.client.call import Call, make_call
from augury.client.models import wire

__all__ = [
    "amend_order_v2",
    "apply_subaccount_transfer",
    "batch_cancel_orders_v2",
    "batch_create_orders_v2",
    "batch_get_market_candlesticks",
    "cancel_all_orders",
    "cancel_order_v2",
    "create_api_key",
    "create_order_group",
    "create_order_v2",
    "create_subaccount",
    "decrease_order_v2",
    "delete_api_key",
    "delete_order_group",
    "generate_api_key",
    "get_account_api_limits",
    "get_account_endpoint_costs",
    "get_api_keys",
    "get_balance",
    "get_deposits",
    "get_event",
    "get_event_fee_changes",
    "get_event_metadata",
    "get_events",
    "get_exchange_schedule",
    "get_exchange_status",
    "get_fills",
    "get_fills_historical",
    "get_historical_cutoff",
    "get_historical_market",
    "get_historical_markets",
    "get_historical_orders",
    "get_historical_positions",
    "get_market",
    "get_market_candlesticks",
    "get_market_candlesticks_by_event",
    "get_market_candlesticks_historical",
    "get_market_orderbook",
    "get_market_orderbooks",
    "get_markets",
    "get_multivariate_events",
    "get_order",
    "get_order_group",
    "get_order_groups",
    "get_order_queue_position",
    "get_order_queue_positions",
    "get_orders",
    "get_portfolio_resting_order_total_value",
    "get_positions",
    "get_series",
    "get_series_fee_changes",
    "get_series_list",
    "get_settlements",
    "get_subaccount_balances",
    "get_subaccount_netting",
    "get_subaccount_transfers",
    "get_trades",
    "get_trades_historical",
    "get_user_data_timestamp",
    "get_withdrawals",
    "reset_order_group",
    "trigger_order_group",
    "update_order_group_limit",
    "update_subaccount_netting",
]


def get_account_api_limits() -> Call[wire.GetAccountApiLimitsResponse]:
    """Get Account API Limits: ``GET /account/limits``."""
    return make_call(
        "GET",
        "/account/limits",
        wire.GetAccountApiLimitsResponse,
        200,
        path={},
        query=(),
        body=None,
        signed=True,
    )


def get_account_endpoint_costs() -> Call[wire.GetAccountEndpointCostsResponse]:
    """List Non-Default Endpoint Costs: ``GET /account/endpoint_costs``."""
    return make_call(
        "GET",
        "/account/endpoint_costs",
        wire.GetAccountEndpointCostsResponse,
        200,
        path={},
        query=(),
        body=None,
        signed=False,
    )


def get_api_keys(*, fcm_subtrader_id: str | None = None) -> Call[wire.GetApiKeysResponse]:
    """Get API Keys: ``GET /api_keys``."""
    return make_call(
        "GET",
        "/api_keys",
        wire.GetApiKeysResponse,
        200,
        path={},
        query=(("fcm_subtrader_id", fcm_subtrader_id, "one"),),
        body=None,
        signed=True,
    )


def create_api_key(body: wire.CreateApiKeyRequest) -> Call[wire.CreateApiKeyResponse]:
    """Create API Key: ``POST /api_keys``."""
    return make_call(
        "POST",
        "/api_keys",
        wire.CreateApiKeyResponse,
        201,
        path={},
        query=(),
        body=body,
        signed=True,
    )


def generate_api_key(body: wire.GenerateApiKeyRequest) -> Call[wire.GenerateApiKeyResponse]:
    """Generate API Key: ``POST /api_keys/generate``."""
    return make_call(
        "POST",
        "/api_keys/generate",
        wire.GenerateApiKeyResponse,
        201,
        path={},
        query=(),
        body=body,
        signed=True,
    )


def delete_api_key(api_key: str) -> Call[None]:
    """Delete API Key: ``DELETE /api_keys/{api_key}``."""
    return make_call(
        "DELETE",
        "/api_keys/{api_key}",
        None,
        204,
        path={"api_key": api_key},
        query=(),
        body=None,
        signed=True,
    )


def get_events(
    *,
    limit: int | None = None,
    cursor: str | None = None,
    with_nested_markets: bool | None = None,
    with_milestones: bool | None = None,
    status: str | None = None,
    series_ticker: str | None = None,
    tickers: str | None = None,
    min_close_ts: int | None = None,
    min_updated_ts: int | None = None,
) -> Call[wire.GetEventsResponse]:
    """Get Events: ``GET /events``."""
    return make_call(
        "GET",
        "/events",
        wire.GetEventsResponse,
        200,
        path={},
        query=(
            ("limit", limit, "one"),
            ("cursor", cursor, "one"),
            ("with_nested_markets", with_nested_markets, "one"),
            ("with_milestones", with_milestones, "one"),
            ("status", status, "one"),
            ("series_ticker", series_ticker, "one"),
            ("tickers", tickers, "one"),
            ("min_close_ts", min_close_ts, "one"),
            ("min_updated_ts", min_updated_ts, "one"),
        ),
        body=None,
        signed=False,
    )


def get_event(
    event_ticker: str, *, with_nested_markets: bool | None = None
) -> Call[wire.GetEventResponse]:
    """Get Event: ``GET /events/{event_ticker}``."""
    return make_call(
        "GET",
        "/events/{event_ticker}",
        wire.GetEventResponse,
        200,
        path={"event_ticker": event_ticker},
        query=(("with_nested_markets", with_nested_markets, "one"),),
        body=None,
        signed=False,
    )


def get_event_metadata(event_ticker: str) -> Call[wire.GetEventMetadataResponse]:
    """Get Event Metadata: ``GET /events/{event_ticker}/metadata``."""
    return make_call(
        "GET",
        "/events/{event_ticker}/metadata",
        wire.GetEventMetadataResponse,
        200,
        path={"event_ticker": event_ticker},
        query=(),
        body=None,
        signed=False,
    )


def get_event_fee_changes(
    *, event_ticker: str | None = None, limit: int | None = None, cursor: str | None = None
) -> Call[wire.GetEventFeeChangesResponse]:
    """Get Event Fee Changes: ``GET /events/fee_changes``."""
    return make_call(
        "GET",
        "/events/fee_changes",
        wire.GetEventFeeChangesResponse,
        200,
        path={},
        query=(
            ("event_ticker", event_ticker, "one"),
            ("limit", limit, "one"),
            ("cursor", cursor, "one"),
        ),
        body=None,
        signed=False,
    )


def get_multivariate_events(
    *,
    limit: int | None = None,
    cursor: str | None = None,
    series_ticker: str | None = None,
    collection_ticker: str | None = None,
    with_nested_markets: bool | None = None,
) -> Call[wire.GetMultivariateEventsResponse]:
    """Get Multivariate Events: ``GET /events/multivariate``."""
    return make_call(
        "GET",
        "/events/multivariate",
        wire.GetMultivariateEventsResponse,
        200,
        path={},
        query=(
            ("limit", limit, "one"),
            ("cursor", cursor, "one"),
            ("series_ticker", series_ticker, "one"),
            ("collection_ticker", collection_ticker, "one"),
            ("with_nested_markets", with_nested_markets, "one"),
        ),
        body=None,
        signed=False,
    )


def get_series_fee_changes(
    *, series_ticker: str | None = None, show_historical: bool | None = None
) -> Call[wire.GetSeriesFeeChangesResponse]:
    """Get Series Fee Changes: ``GET /series/fee_changes``."""
    return make_call(
        "GET",
        "/series/fee_changes",
        wire.GetSeriesFeeChangesResponse,
        200,
        path={},
        query=(
            ("series_ticker", series_ticker, "one"),
            ("show_historical", show_historical, "one"),
        ),
        body=None,
        signed=False,
    )


def get_exchange_schedule() -> Call[wire.GetExchangeScheduleResponse]:
    """Get Exchange Schedule: ``GET /exchange/schedule``."""
    return make_call(
        "GET",
        "/exchange/schedule",
        wire.GetExchangeScheduleResponse,
        200,
        path={},
        query=(),
        body=None,
        signed=False,
    )


def get_exchange_status() -> Call[wire.ExchangeStatus]:
    """Get Exchange Status: ``GET /exchange/status``."""
    return make_call(
        "GET",
        "/exchange/status",
        wire.ExchangeStatus,
        200,
        path={},
        query=(),
        body=None,
        signed=False,
    )


def get_user_data_timestamp() -> Call[wire.GetUserDataTimestampResponse]:
    """Get User Data Timestamp: ``GET /exchange/user_data_timestamp``."""
    return make_call(
        "GET",
        "/exchange/user_data_timestamp",
        wire.GetUserDataTimestampResponse,
        200,
        path={},
        query=(),
        body=None,
        signed=False,
    )


def get_historical_cutoff() -> Call[wire.GetHistoricalCutoffResponse]:
    """Get Historical Cutoff Timestamps: ``GET /historical/cutoff``."""
    return make_call(
        "GET",
        "/historical/cutoff",
        wire.GetHistoricalCutoffResponse,
        200,
        path={},
        query=(),
        body=None,
        signed=False,
    )


def get_fills_historical(
    *,
    ticker: str | None = None,
    min_ts: int | None = None,
    max_ts: int | None = None,
    limit: int | None = None,
    cursor: str | None = None,
    subaccount: int | None = None,
) -> Call[wire.GetFillsResponse]:
    """Get Historical Fills: ``GET /historical/fills``."""
    return make_call(
        "GET",
        "/historical/fills",
        wire.GetFillsResponse,
        200,
        path={},
        query=(
            ("ticker", ticker, "one"),
            ("min_ts", min_ts, "one"),
            ("max_ts", max_ts, "one"),
            ("limit", limit, "one"),
            ("cursor", cursor, "one"),
            ("subaccount", subaccount, "one"),
        ),
        body=None,
        signed=True,
    )


def get_historical_markets(
    *,
    limit: int | None = None,
    cursor: str | None = None,
    tickers: str | None = None,
    event_ticker: str | None = None,
    series_ticker: str | None = None,
    mve_filter: str | None = None,
) -> Call[wire.GetMarketsResponse]:
    """Get Historical Markets: ``GET /historical/markets``."""
    return make_call(
        "GET",
        "/historical/markets",
        wire.GetMarketsResponse,
        200,
        path={},
        query=(
            ("limit", limit, "one"),
            ("cursor", cursor, "one"),
            ("tickers", tickers, "one"),
            ("event_ticker", event_ticker, "one"),
            ("series_ticker", series_ticker, "one"),
            ("mve_filter", mve_filter, "one"),
        ),
        body=None,
        signed=False,
    )


def get_historical_market(ticker: str) -> Call[wire.GetMarketResponse]:
    """Get Historical Market: ``GET /historical/markets/{ticker}``."""
    return make_call(
        "GET",
        "/historical/markets/{ticker}",
        wire.GetMarketResponse,
        200,
        path={"ticker": ticker},
        query=(),
        body=None,
        signed=False,
    )


def get_market_candlesticks_historical(
    ticker: str, *, start_ts: int, end_ts: int, period_interval: int
) -> Call[wire.GetMarketCandlesticksHistoricalResponse]:
    """Get Historical Market Candlesticks: ``GET /historical/markets/{ticker}/candlesticks``."""
    return make_call(
        "GET",
        "/historical/markets/{ticker}/candlesticks",
        wire.GetMarketCandlesticksHistoricalResponse,
        200,
        path={"ticker": ticker},
        query=(
            ("start_ts", start_ts, "one"),
            ("end_ts", end_ts, "one"),
            ("period_interval", period_interval, "one"),
        ),
        body=None,
        signed=False,
    )


def get_historical_orders(
    *,
    ticker: str | None = None,
    min_ts: int | None = None,
    max_ts: int | None = None,
    limit: int | None = None,
    cursor: str | None = None,
    subaccount: int | None = None,
) -> Call[wire.GetOrdersResponse]:
    """Get Historical Orders: ``GET /historical/orders``."""
    return make_call(
        "GET",
        "/historical/orders",
        wire.GetOrdersResponse,
        200,
        path={},
        query=(
            ("ticker", ticker, "one"),
            ("min_ts", min_ts, "one"),
            ("max_ts", max_ts, "one"),
            ("limit", limit, "one"),
            ("cursor", cursor, "one"),
            ("subaccount", subaccount, "one"),
        ),
        body=None,
        signed=True,
    )


def get_historical_positions(
    *,
    ticker: str | None = None,
    event_ticker: str | None = None,
    subaccount: int | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Call[wire.GetPositionsResponse]:
    """Get Historical Positions: ``GET /historical/positions``."""
    return make_call(
        "GET",
        "/historical/positions",
        wire.GetPositionsResponse,
        200,
        path={},
        query=(
            ("ticker", ticker, "one"),
            ("event_ticker", event_ticker, "one"),
            ("subaccount", subaccount, "one"),
            ("limit", limit, "one"),
            ("cursor", cursor, "one"),
        ),
        body=None,
        signed=True,
    )


def get_trades_historical(
    *,
    ticker: str | None = None,
    min_ts: int | None = None,
    max_ts: int | None = None,
    limit: int | None = None,
    cursor: str | None = None,
    is_block_trade: bool | None = None,
) -> Call[wire.GetTradesResponse]:
    """Get Historical Trades: ``GET /historical/trades``."""
    return make_call(
        "GET",
        "/historical/trades",
        wire.GetTradesResponse,
        200,
        path={},
        query=(
            ("ticker", ticker, "one"),
            ("min_ts", min_ts, "one"),
            ("max_ts", max_ts, "one"),
            ("limit", limit, "one"),
            ("cursor", cursor, "one"),
            ("is_block_trade", is_block_trade, "one"),
        ),
        body=None,
        signed=False,
    )


def get_markets(
    *,
    limit: int | None = None,
    cursor: str | None = None,
    event_ticker: str | None = None,
    series_ticker: str | None = None,
    min_created_ts: int | None = None,
    max_created_ts: int | None = None,
    min_updated_ts: int | None = None,
    max_updated_ts: int | None = None,
    max_close_ts: int | None = None,
    min_close_ts: int | None = None,
    min_settled_ts: int | None = None,
    max_settled_ts: int | None = None,
    status: str | None = None,
    tickers: str | None = None,
    mve_filter: str | None = None,
) -> Call[wire.GetMarketsResponse]:
    """Get Markets: ``GET /markets``."""
    return make_call(
        "GET",
        "/markets",
        wire.GetMarketsResponse,
        200,
        path={},
        query=(
            ("limit", limit, "one"),
            ("cursor", cursor, "one"),
            ("event_ticker", event_ticker, "one"),
            ("series_ticker", series_ticker, "one"),
            ("min_created_ts", min_created_ts, "one"),
            ("max_created_ts", max_created_ts, "one"),
            ("min_updated_ts", min_updated_ts, "one"),
            ("max_updated_ts", max_updated_ts, "one"),
            ("max_close_ts", max_close_ts, "one"),
            ("min_close_ts", min_close_ts, "one"),
            ("min_settled_ts", min_settled_ts, "one"),
            ("max_settled_ts", max_settled_ts, "one"),
            ("status", status, "one"),
            ("tickers", tickers, "one"),
            ("mve_filter", mve_filter, "one"),
        ),
        body=None,
        signed=False,
    )


def batch_get_market_candlesticks(
    *,
    market_tickers: str,
    start_ts: int,
    end_ts: int,
    period_interval: int,
    include_latest_before_start: bool | None = None,
) -> Call[wire.BatchGetMarketCandlesticksResponse]:
    """Batch Get Market Candlesticks: ``GET /markets/candlesticks``."""
    return make_call(
        "GET",
        "/markets/candlesticks",
        wire.BatchGetMarketCandlesticksResponse,
        200,
        path={},
        query=(
            ("market_tickers", market_tickers, "one"),
            ("start_ts", start_ts, "one"),
            ("end_ts", end_ts, "one"),
            ("period_interval", period_interval, "one"),
            ("include_latest_before_start", include_latest_before_start, "one"),
        ),
        body=None,
        signed=False,
    )


def get_market_orderbooks(*, tickers: Sequence[str]) -> Call[wire.GetMarketOrderbooksResponse]:
    """Get Multiple Market Orderbooks: ``GET /markets/orderbooks``."""
    return make_call(
        "GET",
        "/markets/orderbooks",
        wire.GetMarketOrderbooksResponse,
        200,
        path={},
        query=(("tickers", tickers, "multi"),),
        body=None,
        signed=False,
    )


def get_trades(
    *,
    limit: int | None = None,
    cursor: str | None = None,
    ticker: str | None = None,
    min_ts: int | None = None,
    max_ts: int | None = None,
    is_block_trade: bool | None = None,
) -> Call[wire.GetTradesResponse]:
    """Get Trades: ``GET /markets/trades``."""
    return make_call(
        "GET",
        "/markets/trades",
        wire.GetTradesResponse,
        200,
        path={},
        query=(
            ("limit", limit, "one"),
            ("cursor", cursor, "one"),
            ("ticker", ticker, "one"),
            ("min_ts", min_ts, "one"),
            ("max_ts", max_ts, "one"),
            ("is_block_trade", is_block_trade, "one"),
        ),
        body=None,
        signed=False,
    )


def get_market(ticker: str) -> Call[wire.GetMarketResponse]:
    """Get Market: ``GET /markets/{ticker}``."""
    return make_call(
        "GET",
        "/markets/{ticker}",
        wire.GetMarketResponse,
        200,
        path={"ticker": ticker},
        query=(),
        body=None,
        signed=False,
    )


def get_market_orderbook(
    ticker: str, *, depth: int | None = None
) -> Call[wire.GetMarketOrderbookResponse]:
    """Get Market Orderbook: ``GET /markets/{ticker}/orderbook``."""
    return make_call(
        "GET",
        "/markets/{ticker}/orderbook",
        wire.GetMarketOrderbookResponse,
        200,
        path={"ticker": ticker},
        query=(("depth", depth, "one"),),
        body=None,
        signed=False,
    )


def get_balance(
    *, subaccount: int | None = None, exchange_index: int | None = None
) -> Call[wire.GetBalanceResponse]:
    """Get Balance: ``GET /portfolio/balance``."""
    return make_call(
        "GET",
        "/portfolio/balance",
        wire.GetBalanceResponse,
        200,
        path={},
        query=(("subaccount", subaccount, "one"), ("exchange_index", exchange_index, "one")),
        body=None,
        signed=True,
    )


def get_deposits(
    *, limit: int | None = None, cursor: str | None = None
) -> Call[wire.GetDepositsResponse]:
    """Get Deposits: ``GET /portfolio/deposits``."""
    return make_call(
        "GET",
        "/portfolio/deposits",
        wire.GetDepositsResponse,
        200,
        path={},
        query=(("limit", limit, "one"), ("cursor", cursor, "one")),
        body=None,
        signed=True,
    )


def get_fills(
    *,
    ticker: str | None = None,
    order_id: str | None = None,
    min_ts: int | None = None,
    max_ts: int | None = None,
    limit: int | None = None,
    cursor: str | None = None,
    subaccount: int | None = None,
    exchange_index: int | None = None,
) -> Call[wire.GetFillsResponse]:
    """Get Fills: ``GET /portfolio/fills``."""
    return make_call(
        "GET",
        "/portfolio/fills",
        wire.GetFillsResponse,
        200,
        path={},
        query=(
            ("ticker", ticker, "one"),
            ("order_id", order_id, "one"),
            ("min_ts", min_ts, "one"),
            ("max_ts", max_ts, "one"),
            ("limit", limit, "one"),
            ("cursor", cursor, "one"),
            ("subaccount", subaccount, "one"),
            ("exchange_index", exchange_index, "one"),
        ),
        body=None,
        signed=True,
    )


def get_positions(
    *,
    cursor: str | None = None,
    limit: int | None = None,
    count_filter: str | None = None,
    settlement_status: str | None = None,
    ticker: str | None = None,
    event_ticker: str | None = None,
    subaccount: int | None = None,
    exchange_index: int | None = None,
) -> Call[wire.GetPositionsResponse]:
    """Get Positions: ``GET /portfolio/positions``."""
    return make_call(
        "GET",
        "/portfolio/positions",
        wire.GetPositionsResponse,
        200,
        path={},
        query=(
            ("cursor", cursor, "one"),
            ("limit", limit, "one"),
            ("count_filter", count_filter, "one"),
            ("settlement_status", settlement_status, "one"),
            ("ticker", ticker, "one"),
            ("event_ticker", event_ticker, "one"),
            ("subaccount", subaccount, "one"),
            ("exchange_index", exchange_index, "one"),
        ),
        body=None,
        signed=True,
    )


def get_settlements(
    *,
    limit: int | None = None,
    cursor: str | None = None,
    ticker: str | None = None,
    event_ticker: str | None = None,
    min_ts: int | None = None,
    max_ts: int | None = None,
    subaccount: int | None = None,
) -> Call[wire.GetSettlementsResponse]:
    """Get Settlements: ``GET /portfolio/settlements``."""
    return make_call(
        "GET",
        "/portfolio/settlements",
        wire.GetSettlementsResponse,
        200,
        path={},
        query=(
            ("limit", limit, "one"),
            ("cursor", cursor, "one"),
            ("ticker", ticker, "one"),
            ("event_ticker", event_ticker, "one"),
            ("min_ts", min_ts, "one"),
            ("max_ts", max_ts, "one"),
            ("subaccount", subaccount, "one"),
        ),
        body=None,
        signed=True,
    )


def create_subaccount(
    body: wire.CreateSubaccountRequest | None = None,
) -> Call[wire.CreateSubaccountResponse]:
    """Create Subaccount: ``POST /portfolio/subaccounts``."""
    return make_call(
        "POST",
        "/portfolio/subaccounts",
        wire.CreateSubaccountResponse,
        201,
        path={},
        query=(),
        body=body,
        signed=True,
    )


def get_subaccount_balances() -> Call[wire.GetSubaccountBalancesResponse]:
    """Get All Subaccount Balances: ``GET /portfolio/subaccounts/balances``."""
    return make_call(
        "GET",
        "/portfolio/subaccounts/balances",
        wire.GetSubaccountBalancesResponse,
        200,
        path={},
        query=(),
        body=None,
        signed=True,
    )


def get_subaccount_netting() -> Call[wire.GetSubaccountNettingResponse]:
    """Get Subaccount Netting: ``GET /portfolio/subaccounts/netting``."""
    return make_call(
        "GET",
        "/portfolio/subaccounts/netting",
        wire.GetSubaccountNettingResponse,
        200,
        path={},
        query=(),
        body=None,
        signed=True,
    )


def update_subaccount_netting(body: wire.UpdateSubaccountNettingRequest) -> Call[None]:
    """Update Subaccount Netting: ``PUT /portfolio/subaccounts/netting``."""
    return make_call(
        "PUT",
        "/portfolio/subaccounts/netting",
        None,
        200,
        path={},
        query=(),
        body=body,
        signed=True,
    )


def apply_subaccount_transfer(body: wire.ApplySubaccountTransferRequest) -> Call[None]:
    """Transfer Between Subaccounts: ``POST /portfolio/subaccounts/transfer``."""
    return make_call(
        "POST",
        "/portfolio/subaccounts/transfer",
        None,
        200,
        path={},
        query=(),
        body=body,
        signed=True,
    )


def get_subaccount_transfers(
    *, limit: int | None = None, cursor: str | None = None
) -> Call[wire.GetSubaccountTransfersResponse]:
    """Get Subaccount Transfers: ``GET /portfolio/subaccounts/transfers``."""
    return make_call(
        "GET",
        "/portfolio/subaccounts/transfers",
        wire.GetSubaccountTransfersResponse,
        200,
        path={},
        query=(("limit", limit, "one"), ("cursor", cursor, "one")),
        body=None,
        signed=True,
    )


def get_portfolio_resting_order_total_value() -> Call[
    wire.GetPortfolioRestingOrderTotalValueResponse
]:
    """Get Total Resting Order Value: ``GET /portfolio/summary/total_resting_order_value``."""
    return make_call(
        "GET",
        "/portfolio/summary/total_resting_order_value",
        wire.GetPortfolioRestingOrderTotalValueResponse,
        200,
        path={},
        query=(),
        body=None,
        signed=True,
    )


def get_withdrawals(
    *, limit: int | None = None, cursor: str | None = None
) -> Call[wire.GetWithdrawalsResponse]:
    """Get Withdrawals: ``GET /portfolio/withdrawals``."""
    return make_call(
        "GET",
        "/portfolio/withdrawals",
        wire.GetWithdrawalsResponse,
        200,
        path={},
        query=(("limit", limit, "one"), ("cursor", cursor, "one")),
        body=None,
        signed=True,
    )


def cancel_all_orders(*, subaccount: int | None = None) -> Call[None]:
    """Cancel All Orders: ``DELETE /portfolio/events/orders``."""
    return make_call(
        "DELETE",
        "/portfolio/events/orders",
        None,
        204,
        path={},
        query=(("subaccount", subaccount, "one"),),
        body=None,
        signed=True,
    )


def create_order_v2(body: wire.CreateOrderV2Request) -> Call[wire.CreateOrderV2Response]:
    """Create Order (V2): ``POST /portfolio/events/orders``."""
    return make_call(
        "POST",
        "/portfolio/events/orders",
        wire.CreateOrderV2Response,
        201,
        path={},
        query=(),
        body=body,
        signed=True,
    )


def batch_cancel_orders_v2(
    body: wire.BatchCancelOrdersV2Request,
) -> Call[wire.BatchCancelOrdersV2Response]:
    """Batch Cancel Orders (V2): ``DELETE /portfolio/events/orders/batched``."""
    return make_call(
        "DELETE",
        "/portfolio/events/orders/batched",
        wire.BatchCancelOrdersV2Response,
        200,
        path={},
        query=(),
        body=body,
        signed=True,
    )


def batch_create_orders_v2(
    body: wire.BatchCreateOrdersV2Request,
) -> Call[wire.BatchCreateOrdersV2Response]:
    """Batch Create Orders (V2): ``POST /portfolio/events/orders/batched``."""
    return make_call(
        "POST",
        "/portfolio/events/orders/batched",
        wire.BatchCreateOrdersV2Response,
        201,
        path={},
        query=(),
        body=body,
        signed=True,
    )


def cancel_order_v2(
    order_id: str,
    *,
    subaccount: int | None = None,
    exchange_index: int | None = None,
    market_ticker: str | None = None,
) -> Call[wire.CancelOrderV2Response]:
    """Cancel Order (V2): ``DELETE /portfolio/events/orders/{order_id}``."""
    return make_call(
        "DELETE",
        "/portfolio/events/orders/{order_id}",
        wire.CancelOrderV2Response,
        200,
        path={"order_id": order_id},
        query=(
            ("subaccount", subaccount, "one"),
            ("exchange_index", exchange_index, "one"),
            ("market_ticker", market_ticker, "one"),
        ),
        body=None,
        signed=True,
    )


def amend_order_v2(
    order_id: str, body: wire.AmendOrderV2Request, *, subaccount: int | None = None
) -> Call[wire.AmendOrderV2Response]:
    """Amend Order (V2): ``POST /portfolio/events/orders/{order_id}/amend``."""
    return make_call(
        "POST",
        "/portfolio/events/orders/{order_id}/amend",
        wire.AmendOrderV2Response,
        200,
        path={"order_id": order_id},
        query=(("subaccount", subaccount, "one"),),
        body=body,
        signed=True,
    )


def decrease_order_v2(
    order_id: str, body: wire.DecreaseOrderV2Request, *, subaccount: int | None = None
) -> Call[wire.DecreaseOrderV2Response]:
    """Decrease Order (V2): ``POST /portfolio/events/orders/{order_id}/decrease``."""
    return make_call(
        "POST",
        "/portfolio/events/orders/{order_id}/decrease",
        wire.DecreaseOrderV2Response,
        200,
        path={"order_id": order_id},
        query=(("subaccount", subaccount, "one"),),
        body=body,
        signed=True,
    )


def get_order_groups(*, subaccount: int | None = None) -> Call[wire.GetOrderGroupsResponse]:
    """Get Order Groups: ``GET /portfolio/order_groups``."""
    return make_call(
        "GET",
        "/portfolio/order_groups",
        wire.GetOrderGroupsResponse,
        200,
        path={},
        query=(("subaccount", subaccount, "one"),),
        body=None,
        signed=True,
    )


def create_order_group(body: wire.CreateOrderGroupRequest) -> Call[wire.CreateOrderGroupResponse]:
    """Create Order Group: ``POST /portfolio/order_groups/create``."""
    return make_call(
        "POST",
        "/portfolio/order_groups/create",
        wire.CreateOrderGroupResponse,
        201,
        path={},
        query=(),
        body=body,
        signed=True,
    )


def delete_order_group(
    order_group_id: str, *, subaccount: int | None = None, exchange_index: int | None = None
) -> Call[None]:
    """Delete Order Group: ``DELETE /portfolio/order_groups/{order_group_id}``."""
    return make_call(
        "DELETE",
        "/portfolio/order_groups/{order_group_id}",
        None,
        200,
        path={"order_group_id": order_group_id},
        query=(("subaccount", subaccount, "one"), ("exchange_index", exchange_index, "one")),
        body=None,
        signed=True,
    )


def get_order_group(
    order_group_id: str, *, subaccount: int | None = None
) -> Call[wire.GetOrderGroupResponse]:
    """Get Order Group: ``GET /portfolio/order_groups/{order_group_id}``."""
    return make_call(
        "GET",
        "/portfolio/order_groups/{order_group_id}",
        wire.GetOrderGroupResponse,
        200,
        path={"order_group_id": order_group_id},
        query=(("subaccount", subaccount, "one"),),
        body=None,
        signed=True,
    )


def update_order_group_limit(
    order_group_id: str,
    body: wire.UpdateOrderGroupLimitRequest,
    *,
    subaccount: int | None = None,
    exchange_index: int | None = None,
) -> Call[None]:
    """Update Order Group Limit: ``PUT /portfolio/order_groups/{order_group_id}/limit``."""
    return make_call(
        "PUT",
        "/portfolio/order_groups/{order_group_id}/limit",
        None,
        200,
        path={"order_group_id": order_group_id},
        query=(("subaccount", subaccount, "one"), ("exchange_index", exchange_index, "one")),
        body=body,
        signed=True,
    )


def reset_order_group(
    order_group_id: str,
    body: dict[str, Any] | None = None,
    *,
    subaccount: int | None = None,
    exchange_index: int | None = None,
) -> Call[None]:
    """Reset Order Group: ``PUT /portfolio/order_groups/{order_group_id}/reset``."""
    return make_call(
        "PUT",
        "/portfolio/order_groups/{order_group_id}/reset",
        None,
        200,
        path={"order_group_id": order_group_id},
        query=(("subaccount", subaccount, "one"), ("exchange_index", exchange_index, "one")),
        body=body,
        signed=True,
    )


def trigger_order_group(
    order_group_id: str,
    body: dict[str, Any] | None = None,
    *,
    subaccount: int | None = None,
    exchange_index: int | None = None,
) -> Call[None]:
    """Trigger Order Group: ``PUT /portfolio/order_groups/{order_group_id}/trigger``."""
    return make_call(
        "PUT",
        "/portfolio/order_groups/{order_group_id}/trigger",
        None,
        200,
        path={"order_group_id": order_group_id},
        query=(("subaccount", subaccount, "one"), ("exchange_index", exchange_index, "one")),
        body=body,
        signed=True,
    )


def get_orders(
    *,
    ticker: str | None = None,
    event_ticker: str | None = None,
    min_ts: int | None = None,
    max_ts: int | None = None,
    status: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
    subaccount: int | None = None,
    exchange_index: int | None = None,
) -> Call[wire.GetOrdersResponse]:
    """Get Orders: ``GET /portfolio/orders``."""
    return make_call(
        "GET",
        "/portfolio/orders",
        wire.GetOrdersResponse,
        200,
        path={},
        query=(
            ("ticker", ticker, "one"),
            ("event_ticker", event_ticker, "one"),
            ("min_ts", min_ts, "one"),
            ("max_ts", max_ts, "one"),
            ("status", status, "one"),
            ("limit", limit, "one"),
            ("cursor", cursor, "one"),
            ("subaccount", subaccount, "one"),
            ("exchange_index", exchange_index, "one"),
        ),
        body=None,
        signed=True,
    )


def get_order_queue_positions(
    *,
    market_tickers: str | None = None,
    event_ticker: str | None = None,
    subaccount: int | None = None,
) -> Call[wire.GetOrderQueuePositionsResponse]:
    """Get Queue Positions for Orders: ``GET /portfolio/orders/queue_positions``."""
    return make_call(
        "GET",
        "/portfolio/orders/queue_positions",
        wire.GetOrderQueuePositionsResponse,
        200,
        path={},
        query=(
            ("market_tickers", market_tickers, "one"),
            ("event_ticker", event_ticker, "one"),
            ("subaccount", subaccount, "one"),
        ),
        body=None,
        signed=True,
    )


def get_order(order_id: str) -> Call[wire.GetOrderResponse]:
    """Get Order: ``GET /portfolio/orders/{order_id}``."""
    return make_call(
        "GET",
        "/portfolio/orders/{order_id}",
        wire.GetOrderResponse,
        200,
        path={"order_id": order_id},
        query=(),
        body=None,
        signed=True,
    )


def get_order_queue_position(order_id: str) -> Call[wire.GetOrderQueuePositionResponse]:
    """Get Order Queue Position: ``GET /portfolio/orders/{order_id}/queue_position``."""
    return make_call(
        "GET",
        "/portfolio/orders/{order_id}/queue_position",
        wire.GetOrderQueuePositionResponse,
        200,
        path={"order_id": order_id},
        query=(),
        body=None,
        signed=True,
    )


def get_series_list(
    *,
    category: str | None = None,
    tags: str | None = None,
    include_product_metadata: bool | None = None,
    include_volume: bool | None = None,
    min_updated_ts: int | None = None,
) -> Call[wire.GetSeriesListResponse]:
    """Get Series List: ``GET /series``."""
    return make_call(
        "GET",
        "/series",
        wire.GetSeriesListResponse,
        200,
        path={},
        query=(
            ("category", category, "one"),
            ("tags", tags, "one"),
            ("include_product_metadata", include_product_metadata, "one"),
            ("include_volume", include_volume, "one"),
            ("min_updated_ts", min_updated_ts, "one"),
        ),
        body=None,
        signed=False,
    )


def get_series(
    series_ticker: str, *, include_volume: bool | None = None
) -> Call[wire.GetSeriesResponse]:
    """Get Series: ``GET /series/{series_ticker}``."""
    return make_call(
        "GET",
        "/series/{series_ticker}",
        wire.GetSeriesResponse,
        200,
        path={"series_ticker": series_ticker},
        query=(("include_volume", include_volume, "one"),),
        body=None,
        signed=False,
    )


def get_market_candlesticks_by_event(
    ticker: str, series_ticker: str, *, start_ts: int, end_ts: int, period_interval: int
) -> Call[wire.GetEventCandlesticksResponse]:
    """Get Event Candlesticks: ``GET /series/{series_ticker}/events/{ticker}/candlesticks``."""
    return make_call(
        "GET",
        "/series/{series_ticker}/events/{ticker}/candlesticks",
        wire.GetEventCandlesticksResponse,
        200,
        path={"ticker": ticker, "series_ticker": series_ticker},
        query=(
            ("start_ts", start_ts, "one"),
            ("end_ts", end_ts, "one"),
            ("period_interval", period_interval, "one"),
        ),
        body=None,
        signed=False,
    )


def get_market_candlesticks(
    series_ticker: str,
    ticker: str,
    *,
    start_ts: int,
    end_ts: int,
    period_interval: int,
    include_latest_before_start: bool | None = None,
) -> Call[wire.GetMarketCandlesticksResponse]:
    """Get Market Candlesticks: ``GET /series/{series_ticker}/markets/{ticker}/candlesticks``."""
    return make_call(
        "GET",
        "/series/{series_ticker}/markets/{ticker}/candlesticks",
        wire.GetMarketCandlesticksResponse,
        200,
        path={"series_ticker": series_ticker, "ticker": ticker},
        query=(
            ("start_ts", start_ts, "one"),
            ("end_ts", end_ts, "one"),
            ("period_interval", period_interval, "one"),
            ("include_latest_before_start", include_latest_before_start, "one"),
        ),
        body=None,
        signed=False,
    )
