"""Commands: everything that can change the exchange, as immutable values.

A command is the unit of the journal. The sequencer stamps ``ts_ns`` (the engine never
reads a clock), appends the encoded command durably, then applies it; replaying the same
commands in the same order rebuilds the same state byte for byte. Commands are msgspec
Structs with a tag so one union type round-trips through msgpack.

Journal compatibility: an encoded command is an array in ``__struct_fields__`` order, and
``ts_ns`` (keyword-only, from the base) comes last, so a field added to an existing command
would make its older records undecodable; add a command type instead.

Commands are already syntactically valid when they get here (the API layer parsed strings
into integer units); the engine checks everything that depends on state.
"""

from __future__ import annotations

from typing import Literal

import msgspec

__all__ = [
    "AddEvent",
    "AddMarket",
    "AddSeries",
    "AmendOrder",
    "Batch",
    "CancelAll",
    "CancelOrder",
    "Command",
    "CreateOrderGroup",
    "CreateSubaccount",
    "CreateUser",
    "DecreaseOrder",
    "Deposit",
    "DetermineMarket",
    "FinalizeMarket",
    "OrderGroupAction",
    "PlaceOrder",
    "RegisterApiKey",
    "RevokeApiKey",
    "SetExchangeState",
    "SetMarketState",
    "SetUserTier",
    "Tick",
    "TransferCash",
    "UpdateOrderGroupLimit",
    "Withdraw",
    "decode_command",
    "decode_command_strict",
    "encode_command",
]


# gc=False: commands never form reference cycles (their lists and dicts hold plain data).
class _Cmd(msgspec.Struct, frozen=True, tag=True, kw_only=True, array_like=True, gc=False):
    ts_ns: int


# --- accounts -------------------------------------------------------------------------


class CreateUser(_Cmd, frozen=True):
    user_id: str
    name: str


class Deposit(_Cmd, frozen=True):
    """Bring cash in. A ``transfer_id`` makes it idempotent: the same id is refused the
    second time (``already_exists``), as for ``TransferCash``."""

    user_id: str
    amount_cc: int
    subaccount: int = 0
    transfer_id: str | None = None


class Withdraw(_Cmd, frozen=True):
    """Send cash out; ``transfer_id`` as for ``Deposit``."""

    user_id: str
    amount_cc: int
    subaccount: int = 0
    transfer_id: str | None = None


class RegisterApiKey(_Cmd, frozen=True):
    """Record an API key (its public half) so the key survives restarts with the journal."""

    api_key_id: str
    user_id: str
    name: str
    public_key_pem: str
    key_type: str
    scopes: list[str]
    subaccount: int | None = None


class RevokeApiKey(_Cmd, frozen=True):
    api_key_id: str
    user_id: str


class SetUserTier(_Cmd, frozen=True):
    """Set the rate-limit tier of a user (basic ... prestige, or unlimited; ``default``
    returns the user to the server's default tier)."""

    user_id: str
    tier: str


class CreateSubaccount(_Cmd, frozen=True):
    user_id: str


class TransferCash(_Cmd, frozen=True):
    """Move cash between two subaccounts of one user (idempotent by ``transfer_id``)."""

    user_id: str
    from_subaccount: int
    to_subaccount: int
    amount_cc: int
    transfer_id: str


# --- catalog and lifecycle --------------------------------------------------------------


class AddSeries(_Cmd, frozen=True):
    ticker: str
    fee_type: str
    fee_multiplier_e4: int
    meta: dict[str, object] = {}


class AddEvent(_Cmd, frozen=True):
    event_ticker: str
    series_ticker: str
    mutually_exclusive: bool = False
    meta: dict[str, object] = {}


class AddMarket(_Cmd, frozen=True):
    ticker: str
    event_ticker: str
    open_ts_ns: int
    close_ts_ns: int
    price_level_structure: str = "linear_cent"
    fractional: bool = False
    settlement_timer_s: int = 0
    market_type: Literal["binary", "scalar"] = "binary"
    meta: dict[str, object] = {}


class SetMarketState(_Cmd, frozen=True):
    ticker: str
    action: Literal["pause", "resume", "close"]


class DetermineMarket(_Cmd, frozen=True):
    """Set the outcome; payout follows after the market's settlement timer (or at once)."""

    ticker: str
    result: Literal["yes", "no", "scalar", "void"]
    value_cc: int | None = None  # YES payout per contract for scalar results
    settle_now: bool = False


class FinalizeMarket(_Cmd, frozen=True):
    ticker: str


class SetExchangeState(_Cmd, frozen=True):
    paused: bool


class Tick(_Cmd, frozen=True):
    """Advance time: open and close markets, expire orders, finalize determined markets."""


# --- trading -------------------------------------------------------------------------


class PlaceOrder(_Cmd, frozen=True):
    user_id: str
    ticker: str
    side: Literal["bid", "ask"]
    price_cc: int  # YES price
    count_c: int
    time_in_force: Literal["good_till_canceled", "immediate_or_cancel", "fill_or_kill"]
    self_trade_prevention: Literal["taker_at_cross", "maker"] = "taker_at_cross"
    subaccount: int = 0
    client_order_id: str | None = None
    post_only: bool = False
    reduce_only: bool = False
    cancel_order_on_pause: bool = False
    order_group_id: str | None = None
    expiration_ts_ns: int | None = None
    # Legacy v1 vocabulary, kept so responses echo what the client said.
    legacy_side: Literal["yes", "no"] | None = None
    legacy_action: Literal["buy", "sell"] | None = None
    order_type: Literal["limit", "market"] = "limit"
    buy_max_cost_cc: int | None = None


class CancelOrder(_Cmd, frozen=True):
    user_id: str
    order_id: str
    subaccount: int | None = None


class AmendOrder(_Cmd, frozen=True):
    """Change price and/or total size (``count_c`` includes what already filled)."""

    user_id: str
    order_id: str
    ticker: str
    side: Literal["bid", "ask"]
    price_cc: int
    count_c: int
    subaccount: int | None = None
    client_order_id: str | None = None
    updated_client_order_id: str | None = None
    # None keeps the current expiry; 0 clears it; any other value sets it.
    expiration_ts_ns: int | None = None


class DecreaseOrder(_Cmd, frozen=True):
    user_id: str
    order_id: str
    reduce_by_c: int | None = None
    reduce_to_c: int | None = None
    subaccount: int | None = None


class CancelAll(_Cmd, frozen=True):
    user_id: str
    subaccount: int | None = None
    ticker: str | None = None


class CreateOrderGroup(_Cmd, frozen=True):
    user_id: str
    subaccount: int = 0
    contracts_limit_c: int | None = None


class OrderGroupAction(_Cmd, frozen=True):
    user_id: str
    group_id: str
    action: Literal["reset", "trigger", "delete"]


class UpdateOrderGroupLimit(_Cmd, frozen=True):
    user_id: str
    group_id: str
    contracts_limit_c: int


Single = (
    CreateUser
    | RegisterApiKey
    | RevokeApiKey
    | SetUserTier
    | Deposit
    | Withdraw
    | CreateSubaccount
    | TransferCash
    | AddSeries
    | AddEvent
    | AddMarket
    | SetMarketState
    | DetermineMarket
    | FinalizeMarket
    | SetExchangeState
    | Tick
    | PlaceOrder
    | CancelOrder
    | AmendOrder
    | DecreaseOrder
    | CancelAll
    | CreateOrderGroup
    | OrderGroupAction
    | UpdateOrderGroupLimit
)


class Batch(_Cmd, frozen=True):
    """Several commands applied one after another; each succeeds or fails on its own."""

    items: list[Single]


Command = Single | Batch

_encoder = msgspec.msgpack.Encoder()
_decoder: msgspec.msgpack.Decoder[Command] = msgspec.msgpack.Decoder(Command)


def encode_command(command: Command) -> bytes:
    """Encode a command for the journal."""
    return _encoder.encode(command)


def decode_command_strict(payload: bytes) -> Command:
    """Decode a journaled command in today's layout only."""
    return _decoder.decode(payload)


def decode_command(payload: bytes) -> Command:
    """Decode a journaled command, in today's layout or one an older build wrote.

    Raises:
        msgspec.ValidationError: the record is in no layout this build knows.
    """
    try:
        return _decoder.decode(payload)
    except msgspec.ValidationError:
        # Imported here: the compatibility module builds on this one.
        from augury.engine.record_compat import decode_legacy

        legacy = decode_legacy(payload)
        if legacy is None:
            raise
        return legacy
