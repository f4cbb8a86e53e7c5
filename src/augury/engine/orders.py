"""The live order: a mutable record owned by the engine.

Prices: ``price_cc`` is the YES price the order was placed at; ``outcome_limit_cc`` is what
the order pays per contract of its own outcome (the YES price for bids, ``1 - price`` for
asks). Sizes: ``initial_c`` is the total ever asked for (an amend may change it),
``fill_c`` what filled, ``remaining_c`` what still rests; ``fill_c + remaining_c`` equals
``initial_c`` while the order is resting. ``live`` is true exactly while the order sits in
its market's book.
"""

from __future__ import annotations

from augury.domain.enums import OrderStatus

__all__ = ["Order"]


class Order:
    """One order and everything the engine, the ledger and the wire need to know of it."""

    __slots__ = (
        "cancel_on_pause",
        "client_order_id",
        "created_ns",
        "expiration_ts_ns",
        "fee_acc_fine",
        "fee_lot_cc",
        "fill_c",
        "initial_c",
        "is_bid",
        "key",
        "legacy_action",
        "legacy_side",
        "live",
        "lot_c",
        "maker_fees_cc",
        "maker_fill_cost_fine",
        "order_group_id",
        "order_id",
        "order_type",
        "outcome_limit_cc",
        "post_only",
        "price_cc",
        "price_idx",
        "queue_seq",
        "reduce_only",
        "remaining_c",
        "self_trade_prevention",
        "status",
        "taker_fees_cc",
        "taker_fill_cost_fine",
        "ticker",
        "time_in_force",
        "updated_ns",
    )

    def __init__(
        self,
        order_id: str,
        key: tuple[str, int],
        ticker: str,
        is_bid: bool,
        price_cc: int,
        price_idx: int,
        count_c: int,
        lot_c: int,
        ts_ns: int,
    ) -> None:
        self.order_id = order_id
        self.key = key
        self.ticker = ticker
        self.is_bid = is_bid
        self.price_cc = price_cc
        self.price_idx = price_idx
        self.outcome_limit_cc = price_cc if is_bid else 10_000 - price_cc
        self.initial_c = count_c
        self.remaining_c = count_c
        self.fill_c = 0
        self.lot_c = lot_c
        self.fee_lot_cc = 0
        self.fee_acc_fine = 0
        self.status = OrderStatus.RESTING
        self.time_in_force = "good_till_canceled"
        self.order_type = "limit"
        self.legacy_side = "yes"
        self.legacy_action = "buy" if is_bid else "sell"
        self.client_order_id = ""
        self.order_group_id: str | None = None
        self.self_trade_prevention = "taker_at_cross"
        self.post_only = False
        self.reduce_only = False
        self.cancel_on_pause = False
        self.expiration_ts_ns: int | None = None
        self.created_ns = ts_ns
        self.updated_ns = ts_ns
        self.taker_fill_cost_fine = 0
        self.maker_fill_cost_fine = 0
        self.taker_fees_cc = 0
        self.maker_fees_cc = 0
        self.queue_seq = 0
        self.live = False

    @property
    def user_id(self) -> str:
        return self.key[0]

    @property
    def subaccount(self) -> int:
        return self.key[1]

    @property
    def side(self) -> str:
        return "bid" if self.is_bid else "ask"

    def set_price(self, price_cc: int, price_idx: int) -> None:
        """Move the order to a new YES price (the caller re-queues it)."""
        self.price_cc = price_cc
        self.price_idx = price_idx
        self.outcome_limit_cc = price_cc if self.is_bid else 10_000 - price_cc

    def __reduce__(self) -> tuple[object, tuple[tuple[object, ...]]]:
        # Snapshots pickle hundreds of thousands of orders. The default for a slotted
        # class pickles a {slot name: value} dict per object; a flat tuple of values in
        # ``__slots__`` order is about half the size and much faster to dump and load.
        return (_rebuild_order, (tuple([getattr(self, name) for name in _SLOTS]),))


_SLOTS = Order.__slots__


def _rebuild_order(values: tuple[object, ...]) -> Order:
    order = Order.__new__(Order)
    for name, value in zip(_SLOTS, values, strict=True):
        object.__setattr__(order, name, value)
    return order
