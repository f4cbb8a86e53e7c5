"""The seed API's limits (docs/seed-api.md "Limits"), each named with its unit."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SeedSettings"]


@dataclass(frozen=True, slots=True)
class SeedSettings:
    """Limits of ``/seed/v1``; the defaults are the contract's."""

    requests_per_minute: int = 100
    orders_per_minute: int = 10
    market_data_per_minute: int = 1_000
    # Requests without a valid token, per client address (failed authentication included).
    anonymous_per_minute: int = 100
    ws_connections_per_account: int = 5
    ws_subscriptions_per_connection: int = 100
    ws_messages_per_second: int = 100
    ws_auth_timeout_s: float = 10.0
    ws_queue_max_messages: int = 1_000
    ws_message_max_bytes: int = 4_096
    # Unauthenticated WebSocket connections at once, per client address and in total.
    ws_pending_per_address: int = 20
    ws_connections_max: int = 10_000
    body_max_bytes: int = 4_096
    page_limit_max: int = 100
    markets_offset_max: int = 100_000
    fills_offset_max: int = 10_000
    order_fills_max: int = 1_000
