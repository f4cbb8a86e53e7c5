"""Commands: everything that can change the exchange, as immutable values, and their
journal encoding.

A command is the unit of the journal. A command carries no time: the sequencer takes one
time per batch from its clock and hands it with the command, as its envelope, to the
journal (``(seq, ts_ns, payload)``) and to ``Exchange.apply(command, ts_ns)``; the engine
never reads a clock. Replaying the same commands with the same times in the same order
rebuilds the same state byte for byte.

Each command names the type of its result: ``PlaceOrder`` is a ``Cmd[OrderUpdate]``, so
applying it gives an ``Outcome[OrderUpdate]`` (``engine/results.py`` lists them all).
Build a ``Batch`` with ``Batch.of(items)``, which types its result from its items.

Journal records (docs/decisions/0022-versioned-journal-records.md is the specification):
a payload is the msgpack array ``["<Type>/<version>", field, field, ...]``, the fields
in the order the class declares them, every one present. The tag names the command type
and the version of its field layout; changing a command's fields means a new version (a
new tag) while the old layout stays decodable. ``decode_command`` also reads the records
written before tags carried versions (``engine/legacy_records.py``). The fields of every
version are pinned by ``tests/engine/test_records.py`` against the decision record.

Commands are already syntactically valid when they get here (the API layer parsed strings
into integer units); the engine checks everything that depends on state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, Literal, TypeVar, cast, get_args

import msgspec

from augury.engine import legacy_records as v0
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


class CreateUser(Cmd[str], frozen=True, tag="CreateUser/1"):
    user_id: str
    name: str


class Deposit(Cmd[int], frozen=True, tag="Deposit/1"):
    """Bring cash in. A ``transfer_id`` makes it idempotent: the same id is refused the
    second time (``already_exists``), as for ``TransferCash``."""

    user_id: str
    amount_cc: int
    subaccount: int = 0
    transfer_id: str | None = None


class Withdraw(Cmd[int], frozen=True, tag="Withdraw/1"):
    """Send cash out; ``transfer_id`` as for ``Deposit``."""

    user_id: str
    amount_cc: int
    subaccount: int = 0
    transfer_id: str | None = None


class RegisterApiKey(Cmd[str], frozen=True, tag="RegisterApiKey/1"):
    """Record an API key (its public half) so the key survives restarts with the journal."""

    api_key_id: str
    user_id: str
    name: str
    public_key_pem: str
    key_type: str
    scopes: list[str]
    subaccount: int | None = None


class RevokeApiKey(Cmd[str], frozen=True, tag="RevokeApiKey/1"):
    api_key_id: str
    user_id: str


class SetUserTier(Cmd[str], frozen=True, tag="SetUserTier/1"):
    """Set the rate-limit tier of a user (basic ... prestige, or unlimited; ``default``
    returns the user to the server's default tier)."""

    user_id: str
    tier: str


class CreateSubaccount(Cmd[int], frozen=True, tag="CreateSubaccount/1"):
    user_id: str


class TransferCash(Cmd[str], frozen=True, tag="TransferCash/1"):
    """Move cash between two subaccounts of one user (idempotent by ``transfer_id``)."""

    user_id: str
    from_subaccount: int
    to_subaccount: int
    amount_cc: int
    transfer_id: str


# --- catalog and lifecycle --------------------------------------------------------------


class AddSeries(Cmd[bool], frozen=True, tag="AddSeries/1"):
    ticker: str
    fee_type: str
    fee_multiplier_e4: int
    meta: dict[str, object] = {}


class AddEvent(Cmd[bool], frozen=True, tag="AddEvent/1"):
    event_ticker: str
    series_ticker: str
    mutually_exclusive: bool = False
    meta: dict[str, object] = {}


class AddMarket(Cmd[bool], frozen=True, tag="AddMarket/1"):
    ticker: str
    event_ticker: str
    open_ts_ns: int
    close_ts_ns: int
    price_level_structure: str = "linear_cent"
    fractional: bool = False
    settlement_timer_s: int = 0
    market_type: Literal["binary", "scalar"] = "binary"
    meta: dict[str, object] = {}


class SetMarketState(Cmd[str], frozen=True, tag="SetMarketState/1"):
    ticker: str
    action: Literal["pause", "resume", "close"]


class DetermineMarket(Cmd[str], frozen=True, tag="DetermineMarket/1"):
    """Set the outcome; payout follows after the market's settlement timer (or at once)."""

    ticker: str
    result: Literal["yes", "no", "scalar", "void"]
    value_cc: int | None = None  # YES payout per contract for scalar results
    settle_now: bool = False


class FinalizeMarket(Cmd[str], frozen=True, tag="FinalizeMarket/1"):
    ticker: str


class SetExchangeState(Cmd[bool], frozen=True, tag="SetExchangeState/1"):
    paused: bool


class Tick(Cmd[int], frozen=True, tag="Tick/1"):
    """Advance time: open and close markets, expire orders, finalize determined markets."""


# --- trading -------------------------------------------------------------------------


class PlaceOrder(Cmd[OrderUpdate], frozen=True, tag="PlaceOrder/1"):
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


class CancelOrder(Cmd[OrderUpdate], frozen=True, tag="CancelOrder/1"):
    user_id: str
    order_id: str
    subaccount: int | None = None


class AmendOrder(Cmd[Amended], frozen=True, tag="AmendOrder/1"):
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


class DecreaseOrder(Cmd[OrderUpdate], frozen=True, tag="DecreaseOrder/1"):
    user_id: str
    order_id: str
    reduce_by_c: int | None = None
    reduce_to_c: int | None = None
    subaccount: int | None = None


class CancelAll(Cmd[list[str]], frozen=True, tag="CancelAll/1"):
    user_id: str
    subaccount: int | None = None
    ticker: str | None = None


class CreateOrderGroup(Cmd[str], frozen=True, tag="CreateOrderGroup/1"):
    user_id: str
    subaccount: int = 0
    contracts_limit_c: int | None = None


class OrderGroupAction(Cmd[str], frozen=True, tag="OrderGroupAction/1"):
    user_id: str
    group_id: str
    action: Literal["reset", "trigger", "delete"]


class UpdateOrderGroupLimit(Cmd[str], frozen=True, tag="UpdateOrderGroupLimit/1"):
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


class Batch(Cmd[Sequence[Outcome[T_co]]], Generic[T_co], frozen=True, tag="Batch/1"):
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
# One decoder for every version: the tags ("PlaceOrder/1", version 0's "PlaceOrder") differ.
_decoder: msgspec.msgpack.Decoder[Command | v0.LegacyCommand] = msgspec.msgpack.Decoder(
    Command | v0.LegacyCommand
)
# Each version-1 command type by name, as a constructor taking its fields by keyword.
_SINGLES: dict[str, Callable[..., Single]] = {kind.__name__: kind for kind in get_args(Single)}


def encode_command(command: Command) -> bytes:
    """Encode a command as a journal record's payload (the current version)."""
    return _encoder.encode(command)


def decode_command(payload: bytes) -> Command:
    """Decode a journal record's payload, of any version, as the current command.

    Raises:
        msgspec.DecodeError: not a record of any known version (for example one written
            by a newer build, which this build cannot apply).
    """
    decoded = _decoder.decode(payload)
    if isinstance(decoded, v0.Record):
        return _upgrade(decoded)
    return decoded


def _upgrade(old: v0.Record) -> Command:
    # A version-0 command has the same fields as the version-1 command of its name.
    if isinstance(old, v0.Batch):
        return Batch.of([_SINGLES[type(item).__name__](**v0.fields(item)) for item in old.items])
    assert isinstance(old, v0.LegacySingle)
    return _SINGLES[type(old).__name__](**v0.fields(old))
