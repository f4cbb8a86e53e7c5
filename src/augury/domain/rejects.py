"""Why the engine refuses a command, in precedence order.

A command is checked stage by stage (validation, then state, then risk) and the first
failing check names the reason, so the same bad command always gets the same answer. The
order of members below *is* that precedence within each stage. A rejected command changes
no state at all: the engine checks everything it can before it mutates anything, and the
few checks that can only be made while matching (fill-or-kill volume, self-trade) cancel
the order as a normal outcome rather than reject it.

``OUT_OF_DOMAIN`` comes first of all: a number or a string outside the bounds of
``augury.domain.limits`` is refused before anything else is looked at, whatever else is
wrong with the command (``augury.engine.domain_check`` lists every field and its bound).
``COMMAND_FAILED`` is never returned by the engine: it is the runtime's verdict on a
command whose ``apply`` raised instead of returning (decision 0015).

``augury.api.errors`` maps each reason to Kalshi's error code and HTTP status; nothing
else in the engine knows about HTTP.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Reject", "RejectReason"]


class RejectReason(StrEnum):
    # --- validation: the command is malformed whatever the state -------------------
    OUT_OF_DOMAIN = "out_of_domain"  # a field beyond its bound in domain/limits.py
    INVALID_PARAMETERS = "invalid_parameters"
    INVALID_PRICE = "invalid_price"  # off the market's grid
    INVALID_COUNT = "invalid_count"  # zero, negative or fractional on whole-contract markets
    INVALID_EXPIRATION = "invalid_expiration"
    REDUCE_ONLY_REQUIRES_IOC = "reduce_only_requires_ioc"
    # --- identity: does the thing exist, and is it yours -------------------------
    UNKNOWN_USER = "unknown_user"
    MARKET_NOT_FOUND = "market_not_found"
    ORDER_NOT_FOUND = "order_not_found"
    ORDER_GROUP_NOT_FOUND = "order_group_not_found"
    ORDER_ALREADY_EXISTS = "order_already_exists"
    ALREADY_EXISTS = "already_exists"
    ORDER_TICKER_MISMATCH = "order_ticker_mismatch"
    ORDER_SIDE_MISMATCH = "order_side_mismatch"
    ORDER_ID_CLIENT_ORDER_ID_MISMATCH = "order_id_and_client_order_id_mismatch"
    # --- state: the exchange or market refuses trading now ------------------------
    EXCHANGE_PAUSED = "exchange_is_paused"
    MARKET_NOT_OPEN = "market_not_open"
    TRADING_PAUSED = "trading_is_paused"
    MARKET_CLOSED = "market_closed"
    INVALID_TRANSITION = "invalid_transition"
    ORDER_GROUP_TRIGGERED = "order_group_triggered"
    ORDER_NOT_RESTING = "order_not_resting"
    # --- risk: the account (or the exchange) cannot carry it ------------------------
    MONEY_LIMIT = "money_limit"  # a deposit would take the exchange's total past its bound
    REDUCE_ONLY_NO_POSITION = "reduce_only_no_position"
    INVALID_AMEND = "invalid_amend_qty_for_order"
    INSUFFICIENT_BALANCE = "insufficient_balance"
    TOO_MANY_ORDERS = "too_many_resting_orders"
    # --- runtime: never returned by Exchange.apply ---------------------------------
    COMMAND_FAILED = "command_failed"  # apply raised; the command was undone (sequencer)


class Reject(Exception):
    """Raised inside the engine before any mutation; returned to callers as a value."""

    def __init__(self, reason: RejectReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message

    def __repr__(self) -> str:
        return f"Reject({self.reason.value}, {self.message!r})"
