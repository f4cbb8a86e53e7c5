"""Whole-state identity and snapshots of the exchange.

``state_digest`` serialises everything that defines the exchange (accounts, positions,
escrows, markets, books in queue order, live orders, groups, counters) into canonical
msgpack, sorted by key, and hashes it with SHA-256. Two exchanges with the same digest
behave identically for every future command; replaying a journal must reproduce the digest
of the state that wrote it, byte for byte.

Snapshots are the engine-neutral document of ``augury.engine.snapshot`` (written and read
by the Python and the native engine alike, byte for byte the same for the same state) behind
a one-line header that names the state's format, ``augury-state/<SNAPSHOT_FORMAT>``. Every
change to what the engine keeps must bump ``SNAPSHOT_FORMAT``: ``load_snapshot`` then refuses
older snapshots with ``SnapshotFormatError`` and recovery replays the journal instead, which
rebuilds the new fields exactly. A snapshot is trusted only after its SHA-256 checks out (the
store verifies it). ``tests/engine/test_snapshot_fingerprint.py`` pins the document's layout
per format, and fails when it changes without a bump.

Formats: 1 = the headerless pickles written before the header existed; 2 = pickles whose
``Position`` carries ``traded_c``; 3 = pickles with ``Exchange.retired_client_ids`` (client
ids are kept for a bounded time after their order finishes, decision 0016); 4 = the
engine-neutral document (docs/decisions/0037), which carries the retired client ids too.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import msgspec

from augury.engine.exchange import Exchange
from augury.engine.snapshot import dump_state, load_state

__all__ = [
    "SNAPSHOT_FORMAT",
    "SnapshotFormatError",
    "canonical_state",
    "load_snapshot",
    "make_snapshot",
    "snapshot_body",
    "snapshot_format",
    "state_digest",
]

SNAPSHOT_FORMAT = 4
_HEADER_PREFIX = b"augury-state/"
_HEADER = _HEADER_PREFIX + b"%d\n" % SNAPSHOT_FORMAT
_HEADER_MAX = 32  # no header of ours is longer; bounds the search in a foreign payload

_encoder = msgspec.msgpack.Encoder()


class SnapshotFormatError(ValueError):
    """A snapshot written by code with another state format; replay the journal instead."""


def canonical_state(exchange: Exchange) -> dict[str, Any]:
    """Return the exchange's defining state as plain, deterministically ordered data."""
    ledger = exchange.ledger
    return {
        "counters": [exchange.id_counter, exchange.queue_counter, exchange.now_ns],
        "paused": exchange.trading_paused,
        "accounts": sorted(
            [*key, a.available_cc, a.reserved_cc] for key, a in ledger.accounts.items()
        ),
        "positions": sorted(
            [
                *key,
                p.position_c,
                p.exposure_fine,
                p.total_traded_fine,
                p.realized_fine,
                p.fees_paid_cc,
                p.resting_orders,
                p.settled,
                p.traded_c,
            ]
            for key, p in ledger.positions.items()
        ),
        "escrow": sorted(ledger.escrow_cc.items()),
        "fees": ledger.fee_revenue_cc,
        "external": ledger.external_cc,
        "users": sorted(
            [u.user_id, u.name, u.tier, u.subaccounts, u.resting] for u in exchange.users.values()
        ),
        "api_keys": sorted(
            [
                k.api_key_id,
                k.user_id,
                k.name,
                k.key_type,
                k.public_key_pem,
                list(k.scopes),
                k.subaccount,
            ]
            for k in exchange.api_keys.values()
        ),
        "markets": [_market(exchange, ticker) for ticker in sorted(exchange.markets)],
        "groups": sorted(
            [g.group_id, *g.key, g.limit_c, g.triggered, g.window_c, list(g.orders)]
            for g in exchange.groups.values()
        ),
        "reserves": sorted(
            [*key, g.reserve_cc]
            for key, g in exchange.collateral.items()
            if g.orders or g.reserve_cc
        ),
        "client_ids": sorted([*k, v] for k, v in exchange.client_ids.items()),
        # Oldest first: the order decides which id is released next.
        "retired_client_ids": sorted(
            [user, list(retired)] for user, retired in exchange.retired_client_ids.items()
        ),
        "transfers": sorted(exchange.transfer_ids),
        "closed_orders": sorted(exchange.closed_orders.items()),
    }


def _market(exchange: Exchange, ticker: str) -> list[Any]:
    market = exchange.markets[ticker]
    orders = [
        [
            o.order_id,
            *o.key,
            o.side,
            o.price_cc,
            o.initial_c,
            o.fill_c,
            o.remaining_c,
            o.fee_acc_fine,
            o.taker_fees_cc,
            o.maker_fees_cc,
            o.expiration_ts_ns,
            o.queue_seq,
        ]
        for o in market.book.resting()
    ]
    return [
        ticker,
        market.status.value,
        market.result,
        market.settlement_value_cc,
        market.book_seq,
        market.volume_c,
        market.open_interest_c,
        market.last_price_cc,
        orders,
    ]


def state_digest(exchange: Any) -> str:
    """Return the SHA-256 hex digest of the exchange's canonical state (either engine:
    the native one encodes the same document itself, ``canonical_bytes``)."""
    native = getattr(exchange, "canonical_bytes", None)
    if native is not None:
        return hashlib.sha256(native()).hexdigest()
    return hashlib.sha256(_encoder.encode(canonical_state(exchange))).hexdigest()


@contextmanager
def _collector_paused() -> Iterator[None]:
    # (Un)pickling a large exchange allocates millions of objects, each allocation can
    # trigger the cyclic collector, and its full passes walk the whole (growing) heap:
    # measured, the collector was two thirds of the time (dump 4.6 s -> 1.6 s, load
    # 4.4 s -> 1.5 s for 94k resting orders). Nothing cyclic is made garbage meanwhile.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def make_snapshot(exchange: Any) -> bytes:
    """Serialise the whole exchange for a snapshot: the format header, then the document.

    The native engine writes its own document (``dump_state``); the Python engine's is
    written here. Both are the same document for the same state.
    """
    native_dump = getattr(exchange, "dump_state", None)
    if native_dump is not None:
        return _HEADER + bytes(native_dump())
    with _collector_paused():
        return _HEADER + dump_state(exchange)


def snapshot_format(payload: bytes) -> int:
    """Return the state format a snapshot was written in (1: no header, the first one)."""
    if not payload.startswith(_HEADER_PREFIX):
        return 1
    end = payload.find(b"\n", 0, _HEADER_MAX)
    digits = payload[len(_HEADER_PREFIX) : end] if end > 0 else b""
    if not digits.isdigit():
        raise SnapshotFormatError("snapshot header is malformed")
    return int(digits)


def snapshot_body(payload: bytes) -> memoryview:
    """Return the state document of a snapshot in the current format.

    Raises:
        SnapshotFormatError: the snapshot was written in another state format.
    """
    found = snapshot_format(payload)
    if found != SNAPSHOT_FORMAT:
        raise SnapshotFormatError(
            f"snapshot is in state format {found}; this build reads {SNAPSHOT_FORMAT}"
        )
    return memoryview(payload)[len(_HEADER) :]


def load_snapshot(payload: bytes) -> Exchange:
    """Rebuild a Python-engine exchange from a snapshot the store has already verified.

    Raises:
        SnapshotFormatError: the snapshot was written in another state format.
    """
    body = snapshot_body(payload)
    with _collector_paused():
        return load_state(body)
