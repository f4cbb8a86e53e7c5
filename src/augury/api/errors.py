"""How refusals reach the wire: one table from engine reasons to Kalshi codes and statuses.

Error hierarchy::

    ApiError                      any refusal the API answers with a JSON error body
    ├── raised by routes          (bad parameters, unknown resources, auth, scope)
    └── from_reject(Reject)       an engine refusal, mapped through REJECT_MAP

Bodies follow the live wire (CONTRACT.md §9): ``{"error": {"code", "message",
"details"?}}`` with ``code`` and ``message`` mirrored at the top level so the SDK's
``ErrorResponse`` is populated too. Market-state refusals are 409, as Kalshi answers them.
"""

from __future__ import annotations

from typing import Final

from augury.domain.rejects import Reject, RejectReason

__all__ = ["REJECT_MAP", "ApiError", "from_reject"]

REJECT_MAP: Final[dict[RejectReason, tuple[int, str]]] = {
    RejectReason.OUT_OF_DOMAIN: (400, "invalid_parameters"),
    RejectReason.INVALID_PARAMETERS: (400, "invalid_parameters"),
    RejectReason.INVALID_PRICE: (400, "invalid_parameters"),
    RejectReason.INVALID_COUNT: (400, "invalid_order_size"),
    RejectReason.INVALID_EXPIRATION: (400, "invalid_parameters"),
    RejectReason.REDUCE_ONLY_REQUIRES_IOC: (400, "invalid_parameters"),
    RejectReason.UNKNOWN_USER: (404, "user_not_found"),
    RejectReason.MARKET_NOT_FOUND: (404, "market_not_found"),
    RejectReason.ORDER_NOT_FOUND: (404, "not_found"),
    RejectReason.ORDER_GROUP_NOT_FOUND: (404, "not_found"),
    RejectReason.ORDER_ALREADY_EXISTS: (409, "order_already_exists"),
    RejectReason.ALREADY_EXISTS: (409, "already_exists"),
    RejectReason.ORDER_TICKER_MISMATCH: (400, "order_ticker_mismatch"),
    RejectReason.ORDER_SIDE_MISMATCH: (400, "order_side_mismatch"),
    RejectReason.ORDER_ID_CLIENT_ORDER_ID_MISMATCH: (400, "order_id_and_client_order_id_mismatch"),
    RejectReason.EXCHANGE_PAUSED: (409, "exchange_is_paused"),
    RejectReason.MARKET_NOT_OPEN: (409, "market_inactive"),
    RejectReason.TRADING_PAUSED: (409, "trading_is_paused"),
    RejectReason.MARKET_CLOSED: (409, "market_closed"),
    RejectReason.INVALID_TRANSITION: (409, "invalid_transition"),
    RejectReason.ORDER_GROUP_TRIGGERED: (409, "exceeded_order_group_risk_limit"),
    RejectReason.ORDER_NOT_RESTING: (409, "cannot_update_filled_order"),
    RejectReason.REDUCE_ONLY_NO_POSITION: (400, "invalid_order"),
    RejectReason.MONEY_LIMIT: (400, "invalid_parameters"),
    RejectReason.INVALID_AMEND: (400, "invalid_amend_qty_for_order"),
    RejectReason.INSUFFICIENT_BALANCE: (400, "insufficient_balance"),
    RejectReason.TOO_MANY_ORDERS: (400, "too_many_resting_orders"),
    RejectReason.COMMAND_FAILED: (500, "internal_server_error"),
}


class ApiError(Exception):
    """A refusal with its HTTP status and Kalshi error code."""

    def __init__(self, status: int, code: str, message: str, details: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


def from_reject(reject: Reject) -> ApiError:
    """Translate an engine refusal into its wire error."""
    status, code = REJECT_MAP[reject.reason]
    return ApiError(status, code, reject.message, reject.reason.value)
