"""Closed string vocabularies of the Kalshi wire, as ``Literal`` types.

Each alias carries exactly the values that the official SDK 3.34.0 validates (see the
digest's ``enums`` and per-field ``enum`` lists, and CONTRACT §6). The SDK rejects any
other non-null value, so a typo here would fail a whole response on the client side;
``tests/api/test_schemas.py`` compares every alias used by a Struct field with the digest.

Request Structs use the same aliases, so msgspec refuses an unknown value while
decoding and the API answers ``400 invalid_parameters`` naming the field.
"""

from typing import Literal

__all__ = [
    "Action",
    "ApiKeyScope",
    "ApiKeyType",
    "BookSide",
    "CollateralReturnType",
    "ExchangeInstance",
    "FeeType",
    "MarketResult",
    "MarketStatus",
    "MarketType",
    "MoneyMovementStatus",
    "MoneyMovementType",
    "OrderStatus",
    "OrderType",
    "OutcomeSide",
    "PriceUnits",
    "SelfTradePreventionType",
    "SettlementBoundsType",
    "SettlementResult",
    "StrikeType",
    "TimeInForce",
]

MarketStatus = Literal[
    "initialized",
    "inactive",
    "active",
    "closed",
    "determined",
    "disputed",
    "amended",
    "finalized",
]
MarketType = Literal["binary", "scalar"]
# The empty string is the result of a market that is not determined yet.
MarketResult = Literal["yes", "no", "scalar", ""]
SettlementResult = Literal["yes", "no", "scalar"]
StrikeType = Literal[
    "greater",
    "greater_or_equal",
    "less",
    "less_or_equal",
    "between",
    "functional",
    "custom",
    "structured",
]
SettlementBoundsType = Literal["default", "floor"]
# Not validated by the SDK (a free string there); these are the documented values.
CollateralReturnType = Literal["MECNET", "DIRECNET", ""]
FeeType = Literal[
    "quadratic", "quadratic_with_maker_fees", "quadratic_with_combo_maker_fees", "flat"
]

OrderStatus = Literal["resting", "canceled", "executed"]
OrderType = Literal["limit", "market"]
OutcomeSide = Literal["yes", "no"]
Action = Literal["buy", "sell"]
BookSide = Literal["bid", "ask"]
TimeInForce = Literal["fill_or_kill", "good_till_canceled", "immediate_or_cancel"]
SelfTradePreventionType = Literal["taker_at_cross", "maker"]

ApiKeyScope = Literal[
    "read",
    "write",
    "read::block_trade_accept",
    "read::portfolio_balance",
    "write::trade",
    "write::transfer",
    "write::fcm_risk",
    "write::block_trade_accept",
]
ApiKeyType = Literal["rsa", "ed25519"]
ExchangeInstance = Literal["event_contract", "margined"]
MoneyMovementStatus = Literal["pending", "applied", "failed", "returned"]
MoneyMovementType = Literal["ach", "wire", "crypto", "debit", "apm"]
# Legacy Market.response_price_units: the unit of the integer price fields.
PriceUnits = Literal["usd_cent"]
