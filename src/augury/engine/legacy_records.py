"""Journal records written before records carried versions (record version 0), frozen.

Until December 2026 a journal payload was the msgpack array ``[TypeName, *fields, ts_ns]``:
the bare class name as the tag (no ``/version``), the command's fields in declaration
order, then the command's time, which the sequencer always set to the time journaled in
the record's row (``(seq, ts_ns, payload)``); a ``Batch`` was ``["Batch", [items...],
ts_ns]`` with version-0 items. The classes below are exactly those layouts, kept forever
so that every store written then still recovers; they must never change
(docs/decisions/0022-versioned-journal-records.md). ``engine.commands.decode_command``
reads them and upgrades each to the version-1 command of the same name with the same
fields (``fields``), applied at its record's time like every command.

This module depends on nothing of the engine, so the codec can import it.
"""

from __future__ import annotations

from typing import Literal

import msgspec

__all__ = ["Batch", "LegacyCommand", "LegacySingle", "Record", "fields"]


class Record(msgspec.Struct, frozen=True, tag=True, kw_only=True, array_like=True, gc=False):
    """A version-0 record; its tag is its class name."""


# Each class: the fields in their version-0 order, then ``ts_ns`` (ignored on upgrade).


class CreateUser(Record, frozen=True, kw_only=True):
    user_id: str
    name: str
    ts_ns: int


class RegisterApiKey(Record, frozen=True, kw_only=True):
    api_key_id: str
    user_id: str
    name: str
    public_key_pem: str
    key_type: str
    scopes: list[str]
    subaccount: int | None = None
    ts_ns: int


class RevokeApiKey(Record, frozen=True, kw_only=True):
    api_key_id: str
    user_id: str
    ts_ns: int


class SetUserTier(Record, frozen=True, kw_only=True):
    user_id: str
    tier: str
    ts_ns: int


# Deposit and Withdraw had two version-0 shapes, told apart by their length: until the
# platform layer (commit 6185f6f) ``[tag, user_id, amount_cc, subaccount, ts_ns]``, then
# ``[tag, user_id, amount_cc, subaccount, transfer_id, ts_ns]``. Read as one layout, the
# fourth field is the time in the short shape (an int, and ``ts_ns`` is missing) and the
# transfer id (a str or nil) in the long one; ``fields`` sorts them out.


class Deposit(Record, frozen=True, kw_only=True):
    user_id: str
    amount_cc: int
    subaccount: int = 0
    transfer_id_or_ts_ns: str | int | None = None
    ts_ns: int | None = None


class Withdraw(Record, frozen=True, kw_only=True):
    user_id: str
    amount_cc: int
    subaccount: int = 0
    transfer_id_or_ts_ns: str | int | None = None
    ts_ns: int | None = None


class CreateSubaccount(Record, frozen=True, kw_only=True):
    user_id: str
    ts_ns: int


class TransferCash(Record, frozen=True, kw_only=True):
    user_id: str
    from_subaccount: int
    to_subaccount: int
    amount_cc: int
    transfer_id: str
    ts_ns: int


class AddSeries(Record, frozen=True, kw_only=True):
    ticker: str
    fee_type: str
    fee_multiplier_e4: int
    meta: dict[str, object] = {}
    ts_ns: int


class AddEvent(Record, frozen=True, kw_only=True):
    event_ticker: str
    series_ticker: str
    mutually_exclusive: bool = False
    meta: dict[str, object] = {}
    ts_ns: int


class AddMarket(Record, frozen=True, kw_only=True):
    ticker: str
    event_ticker: str
    open_ts_ns: int
    close_ts_ns: int
    price_level_structure: str = "linear_cent"
    fractional: bool = False
    settlement_timer_s: int = 0
    market_type: Literal["binary", "scalar"] = "binary"
    meta: dict[str, object] = {}
    ts_ns: int


class SetMarketState(Record, frozen=True, kw_only=True):
    ticker: str
    action: Literal["pause", "resume", "close"]
    ts_ns: int


class DetermineMarket(Record, frozen=True, kw_only=True):
    ticker: str
    result: Literal["yes", "no", "scalar", "void"]
    value_cc: int | None = None
    settle_now: bool = False
    ts_ns: int


class FinalizeMarket(Record, frozen=True, kw_only=True):
    ticker: str
    ts_ns: int


class SetExchangeState(Record, frozen=True, kw_only=True):
    paused: bool
    ts_ns: int


class Tick(Record, frozen=True, kw_only=True):
    ts_ns: int


class PlaceOrder(Record, frozen=True, kw_only=True):
    user_id: str
    ticker: str
    side: Literal["bid", "ask"]
    price_cc: int
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
    legacy_side: Literal["yes", "no"] | None = None
    legacy_action: Literal["buy", "sell"] | None = None
    order_type: Literal["limit", "market"] = "limit"
    buy_max_cost_cc: int | None = None
    ts_ns: int


class CancelOrder(Record, frozen=True, kw_only=True):
    user_id: str
    order_id: str
    subaccount: int | None = None
    ts_ns: int


class AmendOrder(Record, frozen=True, kw_only=True):
    user_id: str
    order_id: str
    ticker: str
    side: Literal["bid", "ask"]
    price_cc: int
    count_c: int
    subaccount: int | None = None
    client_order_id: str | None = None
    updated_client_order_id: str | None = None
    expiration_ts_ns: int | None = None
    ts_ns: int


class DecreaseOrder(Record, frozen=True, kw_only=True):
    user_id: str
    order_id: str
    reduce_by_c: int | None = None
    reduce_to_c: int | None = None
    subaccount: int | None = None
    ts_ns: int


class CancelAll(Record, frozen=True, kw_only=True):
    user_id: str
    subaccount: int | None = None
    ticker: str | None = None
    ts_ns: int


class CreateOrderGroup(Record, frozen=True, kw_only=True):
    user_id: str
    subaccount: int = 0
    contracts_limit_c: int | None = None
    ts_ns: int


class OrderGroupAction(Record, frozen=True, kw_only=True):
    user_id: str
    group_id: str
    action: Literal["reset", "trigger", "delete"]
    ts_ns: int


class UpdateOrderGroupLimit(Record, frozen=True, kw_only=True):
    user_id: str
    group_id: str
    contracts_limit_c: int
    ts_ns: int


LegacySingle = (
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


class Batch(Record, frozen=True, kw_only=True):
    items: list[LegacySingle]
    ts_ns: int


LegacyCommand = LegacySingle | Batch


def fields(old: LegacySingle) -> dict[str, object]:
    """Return a version-0 command's fields by name, without its time."""
    if isinstance(old, Deposit | Withdraw):
        long_shape = old.ts_ns is not None
        return {
            "user_id": old.user_id,
            "amount_cc": old.amount_cc,
            "subaccount": old.subaccount,
            "transfer_id": old.transfer_id_or_ts_ns if long_shape else None,
        }
    return {name: getattr(old, name) for name in old.__struct_fields__ if name != "ts_ns"}
