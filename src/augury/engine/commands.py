"""Commands: everything that can change the exchange, as immutable values.

A command is the unit of the journal. A command carries no time: the sequencer takes one
time per batch from its clock and hands it with the command, as its envelope, to the
journal (``(seq, ts_ns, payload)``) and to ``Exchange.apply(command, ts_ns)``; the engine
never reads a clock. Replaying the same commands with the same times in the same order
rebuilds the same state byte for byte. Commands are msgspec Structs with a tag so one
union type round-trips through msgpack.

Each command names the type of its result: ``PlaceOrder`` is a ``Cmd[OrderUpdate]``, so
applying it gives an ``Outcome[OrderUpdate]`` (``engine/results.py`` lists them all).
Build a ``Batch`` with ``Batch.of(items)``, which types its result from its items.

Commands are already syntactically valid when they get here (the API layer parsed strings
into integer units); the engine checks everything that depends on state.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, Literal, TypeVar, cast

import msgspec

from augury.engine.events import OrderUpdate
from augury.engine.results import Amended, Outcome

__all__ = [
    "AddEvent",
    "AddMarket",
    "AddSeries",
    "AmendOrder",
    "Batch",
    "CancelAll",
    "CancelOrder",
    "Cmd",
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
    "encode_command",
]


R_co = TypeVar("R_co", covariant=True)
T_co = TypeVar("T_co", covariant=True)
T = TypeVar("T")


# gc=False: commands never form reference cycles (their lists and dicts hold plain data).
# ``R_co`` is the command's result type; it exists for the type checker only.
class Cmd(
    msgspec.Struct, Generic[R_co], frozen=True, tag=True, kw_only=True, array_like=True, gc=False
):
    pass


# --- accounts -------------------------------------------------------------------------


class CreateUser(Cmd[str], frozen=True):
    user_id: str
    name: str


class Deposit(Cmd[int], frozen=True):
    user_id: str
    amount_cc: int
    subaccount: int = 0


class Withdraw(Cmd[int], frozen=True):
    user_id: str
    amount_cc: int
    subaccount: int = 0


class RegisterApiKey(Cmd[str], frozen=True):
    """Record an API key (its public half) so the key survives restarts with the journal."""

    api_key_id: str
    user_id: str
    name: str
    public_key_pem: str
    key_type: str
    scopes: list[str]
    subaccount: int | None = None


class RevokeApiKey(Cmd[str], frozen=True):
    api_key_id: str
    user_id: str


class SetUserTier(Cmd[str], frozen=True):
    """Set the rate-limit tier of a user (basic ... prestige, or unlimited; ``default``
    returns the user to the server's default tier)."""

    user_id: str
    tier: str


class CreateSubaccount(Cmd[int], frozen=True):
    user_id: str


class TransferCash(Cmd[str], frozen=True):
    """Move cash between two subaccounts of one user (idempotent by ``transfer_id``)."""

    user_id: str
    from_subaccount: int
    to_subaccount: int
    amount_cc: int
    transfer_id: str


# --- catalog and lifecycle --------------------------------------------------------------


class AddSeries(Cmd[bool], frozen=True):
    ticker: str
    fee_type: str
    fee_multiplier_e4: int
    meta: dict[str, object] = {}


class AddEvent(Cmd[bool], frozen=True):
    event_ticker: str
    series_ticker: str
    mutually_exclusive: bool = False
    meta: dict[str, object] = {}


class AddMarket(Cmd[bool], frozen=True):
    ticker: str
    event_ticker: str
    open_ts_ns: int
    close_ts_ns: int
    price_level_structure: str = "linear_cent"
    fractional: bool = False
    settlement_timer_s: int = 0
    market_type: Literal["binary", "scalar"] = "binary"
    meta: dict[str, object] = {}


class SetMarketState(Cmd[str], frozen=True):
    ticker: str
    action: Literal["pause", "resume", "close"]


class DetermineMarket(Cmd[str], frozen=True):
    """Set the outcome; payout follows after the market's settlement timer (or at once)."""

    ticker: str
    result: Literal["yes", "no", "scalar", "void"]
    value_cc: int | None = None  # YES payout per contract for scalar results
    settle_now: bool = False


class FinalizeMarket(Cmd[str], frozen=True):
    ticker: str


class SetExchangeState(Cmd[bool], frozen=True):
    paused: bool


class Tick(Cmd[int], frozen=True):
    """Advance time: open and close markets, expire orders, finalize determined markets."""


# --- trading -------------------------------------------------------------------------


class PlaceOrder(Cmd[OrderUpdate], frozen=True):
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


class CancelOrder(Cmd[OrderUpdate], frozen=True):
    user_id: str
    order_id: str
    subaccount: int | None = None


class AmendOrder(Cmd[Amended], frozen=True):
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


class DecreaseOrder(Cmd[OrderUpdate], frozen=True):
    user_id: str
    order_id: str
    reduce_by_c: int | None = None
    reduce_to_c: int | None = None
    subaccount: int | None = None


class CancelAll(Cmd[list[str]], frozen=True):
    user_id: str
    subaccount: int | None = None
    ticker: str | None = None


class CreateOrderGroup(Cmd[str], frozen=True):
    user_id: str
    subaccount: int = 0
    contracts_limit_c: int | None = None


class OrderGroupAction(Cmd[str], frozen=True):
    user_id: str
    group_id: str
    action: Literal["reset", "trigger", "delete"]


class UpdateOrderGroupLimit(Cmd[str], frozen=True):
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


class Batch(Cmd[Sequence[Outcome[T_co]]], Generic[T_co], frozen=True):
    """Several commands applied one after another; each succeeds or fails on its own."""

    items: list[Single]

    @classmethod
    def of(cls, items: Sequence[Cmd[T]]) -> Batch[T]:
        """Return a batch of ``items``, typed by what they return (``T``)."""
        listed = list(items)
        # Batches do not nest: the journal's decoder reads a batch's items as Singles.
        if any(type(item) is Batch for item in listed):
            raise TypeError("a Batch cannot hold a Batch")
        # Every other Cmd subclass is a Single; the items' result type is what types
        # the batch's (the constructor cannot see it: ``items`` is declared for decoding).
        return cast("Batch[T]", cls(items=listed))  # type: ignore[arg-type]


Command = Single | Batch[object]

_encoder = msgspec.msgpack.Encoder()
_decoder: msgspec.msgpack.Decoder[Command] = msgspec.msgpack.Decoder(Command)


def encode_command(command: Command) -> bytes:
    """Encode a command for the journal."""
    return _encoder.encode(command)


def decode_command(payload: bytes) -> Command:
    """Decode a journaled command."""
    return _decoder.decode(payload)
