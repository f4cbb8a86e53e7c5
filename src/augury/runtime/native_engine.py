"""The native engine behind the ``Exchange`` interface: ``augury_native.Core`` (Rust) plus
read-only views shaped like the Python engine's objects.

Commands go in as the journal encodes them (``commands.encode_command``, decision 0022),
each with the time of its envelope; outcomes come back
as one MessagePack document that msgspec decodes, in C, into the very event classes of
``augury.engine.events`` (``augury_core::outcome`` in native/core describes the layout); a
batch's document is an ``augury_native.Outcomes`` buffer over room the binding reuses once
the object is freed (decision 0059), read in place.
``apply_encoded_batch`` is the hot path: a batch of journal payloads in, outcomes out, with
no Python object built per command until the caller decodes the outcomes it needs.

Reads: ``markets``, ``orders``, ``ledger``, ``users``, ``api_keys``, ``series``, ``events``,
``groups``, ``expiring``, ``market_due`` (the due index) and ``collateral`` are mappings
whose values are built on access from the native state *as of that access* (a snapshot,
unlike the Python engine's live objects): a reader that holds one across an ``await`` sees
the state it read, never a torn one. Orders are real ``augury.engine.orders.Order``
objects (rebuilt from their slots); markets, accounts and positions are small view objects
with the same attribute names.

Invariants: this module changes nothing but through ``Core.apply*``; every view is
read-only; the state digest and the engine-neutral snapshot come from the native side.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

import msgspec

from augury.domain.enums import FeeType, MarketStatus, OrderStatus
from augury.domain.grid import GRIDS, PriceGrid
from augury.domain.rejects import Reject, RejectReason
from augury.engine import commands as c
from augury.engine.events import Event, OrderUpdate
from augury.engine.exchange import ApiKeyInfo, Outcome, UserInfo
from augury.engine.groups import OrderGroup
from augury.engine.market import EventInfo, SeriesInfo
from augury.engine.orders import Order, _rebuild_order
from augury.engine.results import Amended, refused
from augury.ledger.accounts import Account, Position
from augury.ledger.fees import FeeSchedule

if TYPE_CHECKING:
    from typing_extensions import Buffer

try:  # The extension is optional: without a Rust toolchain the Python engine runs.
    import augury_native
except ImportError:  # pragma: no cover - exercised on machines without the build
    augury_native = None

__all__ = ["NativeExchange", "available", "decode_outcomes"]

R = TypeVar("R")


def available() -> bool:
    """Return whether the native extension is installed."""
    return augury_native is not None


class _Wire(msgspec.Struct, array_like=True, gc=False):
    reason: str | None
    message: str | None
    kind: int
    value: msgspec.Raw
    events: list[Event]


_one = msgspec.msgpack.Decoder(_Wire)
_many = msgspec.msgpack.Decoder(list[_Wire])
_order = msgspec.msgpack.Decoder(OrderUpdate)
_pair = msgspec.msgpack.Decoder(tuple[OrderUpdate, OrderUpdate])
_plain = msgspec.msgpack.Decoder()
_meta = msgspec.msgpack.Decoder(dict[str, object])
_REASONS = {r.value: r for r in RejectReason}


def _outcome(wire: _Wire, ts_ns: int) -> Outcome[object]:
    if wire.reason is not None:
        return refused(Reject(_REASONS[wire.reason], wire.message or ""), ts_ns)
    kind = wire.kind
    value: object
    if kind == 0:
        value = _plain.decode(wire.value)
    elif kind == 1:
        value = _order.decode(wire.value)
    elif kind == 2:
        old, new = _pair.decode(wire.value)
        value = Amended(old, new)
    elif kind == 4:
        # The value is one of the command's own events (the Python engine returns that
        # very object too): no second copy was written.
        value = wire.events[_plain.decode(wire.value)]
    else:
        items = [_outcome(item, ts_ns) for item in _many.decode(wire.value)]
        events = [event for item in items for event in item.events]
        return Outcome(events, None, items, ts_ns)
    return Outcome(wire.events, None, value, ts_ns)


def decode_outcomes(payload: Buffer, times: list[int] | int) -> list[Outcome[object]]:
    """Decode the outcomes of ``Core.apply_batch`` (all at one time; an
    ``augury_native.Outcomes`` buffer, read in place) or ``Core.apply_prefix`` (a time per
    record; bytes) into ``Outcome`` objects."""
    wires = _many.decode(payload)
    if isinstance(times, int):
        return [_outcome(wire, times) for wire in wires]
    return [_outcome(wire, ts_ns) for wire, ts_ns in zip(wires, times, strict=False)]


def _order_from(values: tuple[Any, ...]) -> Order:
    slots = list(values)
    slots[27] = OrderStatus(slots[27])  # status
    return _rebuild_order(tuple(slots))


class _MarketView:
    """A market as of the moment it was read (attribute names of ``engine.market.Market``)."""

    __slots__ = (
        "_core",
        "_meta_raw",
        "book_seq",
        "close_ts_ns",
        "created_ns",
        "determined_ns",
        "event_ticker",
        "fees",
        "fractional",
        "grid",
        "last_price_cc",
        "last_trade_ns",
        "lot_c",
        "market_type",
        "open_interest_c",
        "open_ts_ns",
        "result",
        "settled_ns",
        "settlement_timer_s",
        "settlement_value_cc",
        "status",
        "ticker",
        "updated_ns",
        "volume_c",
    )

    def __init__(self, core: Any, row: tuple[Any, ...]) -> None:
        self._core = core
        (
            self.ticker,
            self.event_ticker,
            grid_name,
            fee_type,
            multiplier,
            self.fractional,
            self.lot_c,
            self.open_ts_ns,
            self.close_ts_ns,
            self.settlement_timer_s,
            self.market_type,
            self._meta_raw,
            status,
            self.result,
            self.settlement_value_cc,
            self.determined_ns,
            self.settled_ns,
            self.book_seq,
            self.volume_c,
            self.open_interest_c,
            self.last_price_cc,
            self.last_trade_ns,
            self.created_ns,
            self.updated_ns,
        ) = row
        self.grid: PriceGrid = GRIDS[grid_name]
        self.fees = FeeSchedule(FeeType(fee_type), multiplier)
        self.status = MarketStatus(status)

    @property
    def meta(self) -> dict[str, object]:
        return _meta.decode(self._meta_raw)

    @property
    def book(self) -> _BookView:
        return _BookView(self._core, self.ticker)

    @property
    def tradable(self) -> bool:
        return self.status is MarketStatus.ACTIVE

    @property
    def before_close(self) -> bool:
        return self.status in (MarketStatus.INITIALIZED, MarketStatus.ACTIVE, MarketStatus.INACTIVE)


class _BookView:
    """One market's book, read from the native side on each call."""

    __slots__ = ("_core", "ticker")

    def __init__(self, core: Any, ticker: str) -> None:
        self._core = core
        self.ticker = ticker

    @property
    def best_bid(self) -> int:
        return int(self._core.book_best(self.ticker)[0])

    @property
    def best_ask(self) -> int:
        return int(self._core.book_best(self.ticker)[1])

    @property
    def size(self) -> int:
        return int(self._core.book_best(self.ticker)[2])

    @property
    def bids(self) -> _LevelsView:
        return _LevelsView(self._core, self.ticker, True)

    @property
    def asks(self) -> _LevelsView:
        return _LevelsView(self._core, self.ticker, False)

    def levels(self, is_bid: bool) -> Iterator[tuple[int, int]]:
        return iter(self._core.book_levels(self.ticker, is_bid))

    def orders_at(self, is_bid: bool, idx: int) -> Iterator[Order]:
        return iter([_order_from(v) for v in self._core.book_orders_at(self.ticker, is_bid, idx)])

    def resting(self) -> Iterator[Order]:
        return iter([_order_from(v) for v in self._core.book_resting(self.ticker)])

    def queue_position(self, order: Order) -> int:
        ahead = self._core.queue_position(order.order_id)
        if ahead is None:
            raise AssertionError("order is not resting in this book")
        return int(ahead)


class _Level:
    __slots__ = ("total_c",)

    def __init__(self, total_c: int) -> None:
        self.total_c = total_c


class _LevelsView:
    """One side of a book as a sequence of levels indexed by grid step (``total_c`` only)."""

    __slots__ = ("_core", "is_bid", "ticker")

    def __init__(self, core: Any, ticker: str, is_bid: bool) -> None:
        self._core, self.ticker, self.is_bid = core, ticker, is_bid

    def __getitem__(self, idx: int) -> _Level:
        if idx < 0:
            idx += len(self)
        try:
            return _Level(self._core.level_total(self.ticker, self.is_bid, idx))
        except KeyError:
            raise IndexError(idx) from None

    def __len__(self) -> int:
        return int(self._core.book_best(self.ticker)[2])


class _Mapping(Mapping[Any, Any]):
    """A read-only mapping over native state: ``keys`` lists, ``fetch`` builds a value."""

    __slots__ = ("_fetch", "_keys")

    def __init__(self, keys: Any, fetch: Any) -> None:
        self._keys = keys
        self._fetch = fetch

    def __getitem__(self, key: Any) -> Any:
        value = self._fetch(key)
        if value is None:
            raise KeyError(key)
        return value

    def get(self, key: Any, default: Any = None) -> Any:
        value = self._fetch(key)
        return default if value is None else value

    def __contains__(self, key: object) -> bool:
        return self._fetch(key) is not None

    def __iter__(self) -> Iterator[Any]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())


class _Row:
    """A plain record with named fields (accounts, positions, users, keys, groups...)."""

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)

    def __repr__(self) -> str:
        return f"_Row({self.__dict__!r})"


class _LedgerView:
    __slots__ = ("_core",)

    def __init__(self, core: Any) -> None:
        self._core = core

    @property
    def accounts(self) -> Mapping[tuple[str, int], Any]:
        core = self._core

        def fetch(key: Any) -> Any:
            if not isinstance(key, tuple) or len(key) != 2:
                return None
            row = core.account(key[0], key[1])
            if row is None:
                return None
            account = Account(key, row[2])
            account.available_cc, account.reserved_cc = row[0], row[1]
            return account

        return _Mapping(lambda: [(u, s) for u, s, *_ in core.accounts()], fetch)

    @property
    def positions(self) -> Mapping[tuple[str, int, str], Any]:
        core = self._core

        def fetch(key: Any) -> Any:
            if not isinstance(key, tuple) or len(key) != 3:
                return None
            row = core.position(*key)
            return None if row is None else _position(row)

        return _Mapping(lambda: [(u, s, t) for u, s, t, *_ in core.positions()], fetch)

    def peek_position(self, key: tuple[str, int], ticker: str) -> Any:
        row = self._core.position(key[0], key[1], ticker)
        return None if row is None else _position(row)

    @property
    def escrow_cc(self) -> dict[str, int]:
        return dict(self._core.escrow())

    @property
    def fee_revenue_cc(self) -> int:
        return int(self._core.ledger_totals()[0])

    @property
    def external_cc(self) -> int:
        return int(self._core.ledger_totals()[1])


def _position(row: tuple[Any, ...]) -> Position:
    (_, _, _, held, exposure, traded_fine, traded_c, realized, fees, resting, settled, updated) = (
        row
    )
    p = Position(updated)
    p.position_c, p.exposure_fine, p.total_traded_fine, p.traded_c = (
        held,
        exposure,
        traded_fine,
        traded_c,
    )
    p.realized_fine, p.fees_paid_cc, p.resting_orders, p.settled = realized, fees, resting, settled
    return p


class NativeExchange:
    """The Rust engine with the Python ``Exchange``'s interface (see the module docstring)."""

    def __init__(self, instance_id: str = "augury", *, core: Any = None) -> None:
        if augury_native is None:
            raise RuntimeError("the native engine is not built (make install builds it)")
        if core is None:
            prefix = hashlib.sha256(instance_id.encode()).hexdigest()[:8]
            k0, k1 = secrets.randbits(64), secrets.randbits(64)
            core = augury_native.Core(instance_id, prefix, k0, k1)
        self.core = core

    # --- commands -------------------------------------------------------------------------

    def apply(self, command: c.Cmd[R], ts_ns: int) -> Outcome[R]:
        """Apply one command at time ``ts_ns`` (encoded as the journal encodes it) and
        decode its outcome."""
        payload = c.encode_command(cast(c.Command, command))
        return cast(Outcome[R], _outcome(_one.decode(self.core.apply(payload, ts_ns)), ts_ns))

    def apply_encoded(self, payload: bytes, ts_ns: int) -> Outcome[object]:
        """Apply one journal payload at time ``ts_ns``."""
        return _outcome(_one.decode(self.core.apply(payload, ts_ns)), ts_ns)

    def apply_encoded_batch(self, payloads: list[bytes], ts_ns: int) -> list[Outcome[object]]:
        """Apply journal payloads in order, all at time ``ts_ns`` (one sequencer batch),
        and decode their outcomes."""
        return decode_outcomes(self.core.apply_batch(payloads, ts_ns), ts_ns)

    # --- identity -------------------------------------------------------------------------

    @property
    def instance_id(self) -> str:
        return str(self.core.instance_id)

    @property
    def id_prefix(self) -> str:
        return str(self.core.id_prefix)

    @property
    def now_ns(self) -> int:
        return int(self.core.now_ns)

    @property
    def trading_paused(self) -> bool:
        return bool(self.core.trading_paused)

    @property
    def id_counter(self) -> int:
        return int(self.core.id_counter)

    @property
    def queue_counter(self) -> int:
        return int(self.core.queue_counter)

    def canonical_bytes(self) -> bytes:
        """The canonical state document (``state.canonical_state`` encoded by msgspec)."""
        return bytes(self.core.canonical_state())

    def audit(self) -> list[str]:
        return list(self.core.audit())

    def dump_state(self) -> bytes:
        """The engine-neutral snapshot document (``augury.engine.snapshot``)."""
        return bytes(self.core.dump_state())

    @classmethod
    def load(cls, document: bytes | memoryview) -> NativeExchange:
        """Rebuild a native exchange from an engine-neutral snapshot document."""
        if augury_native is None:
            raise RuntimeError("the native engine is not built (make install builds it)")
        k0, k1 = secrets.randbits(64), secrets.randbits(64)
        return cls(core=augury_native.Core.load_state(bytes(document), k0, k1))

    # --- reads ----------------------------------------------------------------------------

    @property
    def markets(self) -> Mapping[str, _MarketView]:
        core = self.core

        def fetch(ticker: Any) -> Any:
            if not isinstance(ticker, str):
                return None
            row = core.market(ticker)
            return None if row is None else _MarketView(core, row)

        return _Mapping(core.market_names, fetch)

    @property
    def orders(self) -> Mapping[str, Order]:
        core = self.core

        def fetch(order_id: Any) -> Any:
            if not isinstance(order_id, str):
                return None
            row = core.order(order_id)
            return None if row is None else _order_from(row)

        return _Mapping(core.resting_ids, fetch)

    @property
    def ledger(self) -> _LedgerView:
        return _LedgerView(self.core)

    @property
    def users(self) -> Mapping[str, Any]:
        core = self.core

        def fetch(user_id: Any) -> Any:
            row = core.user(user_id) if isinstance(user_id, str) else None
            if row is None:
                return None
            uid, name, tier, subs, resting, created = row
            user = UserInfo(uid, name, created)
            user.tier, user.subaccounts, user.resting = tier, subs, resting
            return user

        return _Mapping(core.user_ids, fetch)

    @property
    def api_keys(self) -> dict[str, ApiKeyInfo]:
        keys = {}
        for key_id, user_id, name, pem, key_type, scopes, sub, created in self.core.api_keys():
            info = ApiKeyInfo.__new__(ApiKeyInfo)
            info.api_key_id, info.user_id, info.name = key_id, user_id, name
            info.public_key_pem, info.key_type, info.scopes = pem, key_type, tuple(scopes)
            info.subaccount, info.created_ns = sub, created
            keys[key_id] = info
        return keys

    @property
    def series(self) -> dict[str, Any]:
        return {
            t: SeriesInfo(t, FeeType(fee_type), mult, _meta.decode(meta), created)
            for t, fee_type, mult, meta, created in self.core.series_list()
        }

    @property
    def events(self) -> dict[str, EventInfo]:
        out = {}
        for t, series, exclusive, meta, markets, created in self.core.events_list():
            event = out[t] = EventInfo(t, series, exclusive, _meta.decode(meta), created)
            event.markets = list(markets)
        return out

    @property
    def groups(self) -> dict[str, OrderGroup]:
        out = {}
        for (
            gid,
            user,
            sub,
            limit,
            triggered,
            orders,
            window_c,
            window,
            created,
        ) in self.core.groups():
            group = out[gid] = OrderGroup(gid, (user, sub), limit, created)
            group.triggered, group.window_c = triggered, window_c
            group.orders = dict.fromkeys(orders)
            group.window.extend(window)
        return out

    @property
    def expiring(self) -> dict[str, int]:
        return dict(self.core.expiring())

    @property
    def market_due(self) -> dict[str, int]:
        """The market half of the engine's due index: ticker -> time of its next step."""
        return dict(self.core.market_due())

    @property
    def collateral(self) -> dict[tuple[str, int, str, bool], Any]:
        return {
            (user, sub, ticker, is_bid): _Row(reserve_cc=reserve, orders=dict.fromkeys(orders))
            for user, sub, ticker, is_bid, reserve, orders in self.core.collateral()
        }

    def closable(self, key: tuple[str, int], ticker: str, is_bid: bool) -> int:
        return int(self.core.closable(key[0], key[1], ticker, is_bid))
