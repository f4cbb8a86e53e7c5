"""Journal records in layouts that older builds wrote, decoded into today's commands.

An encoded command is an array in field order, and ``ts_ns`` (keyword-only, from the base)
comes last; so when a field is added to a command, its older records no longer decode.
``Deposit`` and ``Withdraw`` gained ``transfer_id`` (the platform's idempotent cash
requests): their records written before that are ``[tag, user_id, amount_cc, subaccount,
ts_ns]``. ``decode_legacy`` reads such a record (alone or inside a ``Batch``) with the old
shapes and returns the command it meant, with ``transfer_id=None``, so a journal written
before the change replays exactly as it did.

``commands.decode_command`` calls it only when the current layout fails, so today's
records pay nothing. A layout change that this module does not know stays undecodable,
and recovery names the record (decision 0015).
"""

from __future__ import annotations

from typing import Any

import msgspec

from augury.engine import commands as c

__all__ = ["decode_legacy"]


class _OldDeposit(msgspec.Struct, frozen=True, tag="Deposit", array_like=True, kw_only=True):
    user_id: str
    amount_cc: int
    subaccount: int
    ts_ns: int


class _OldWithdraw(msgspec.Struct, frozen=True, tag="Withdraw", array_like=True, kw_only=True):
    user_id: str
    amount_cc: int
    subaccount: int
    ts_ns: int


# msgspec orders keyword-only fields after the others; declared like this, the old
# structs lay out as [tag, user_id, amount_cc, subaccount, ts_ns], as the old commands did.
_OLD_FIELDS = ("user_id", "amount_cc", "subaccount", "ts_ns")
assert _OldDeposit.__struct_fields__ == _OLD_FIELDS

_decode_item = msgspec.msgpack.Decoder(_OldDeposit | _OldWithdraw)


def _upgrade(item: Any) -> c.Single:
    if isinstance(item, _OldDeposit):
        return c.Deposit(
            ts_ns=item.ts_ns,
            user_id=item.user_id,
            amount_cc=item.amount_cc,
            subaccount=item.subaccount,
        )
    if isinstance(item, _OldWithdraw):
        return c.Withdraw(
            ts_ns=item.ts_ns,
            user_id=item.user_id,
            amount_cc=item.amount_cc,
            subaccount=item.subaccount,
        )
    result: c.Single = item
    return result


def _decode_one(raw: Any) -> c.Single:
    """Decode one item (already a msgpack-decoded list) in either layout."""
    packed = msgspec.msgpack.encode(raw)
    tag = raw[0] if isinstance(raw, list) and raw else None
    if tag in ("Deposit", "Withdraw") and len(raw) == len(_OLD_FIELDS) + 1:
        return _upgrade(_decode_item.decode(packed))
    command = c.decode_command_strict(packed)
    assert not isinstance(command, c.Batch), "a batch inside a batch"
    return command


def decode_legacy(payload: bytes) -> c.Command | None:
    """Return the command an older layout encoded, or None if this is not one.

    Args:
        payload: a journal record that the current layout failed to decode.
    """
    try:
        raw = msgspec.msgpack.decode(payload)
    except msgspec.DecodeError:
        return None
    if not isinstance(raw, list) or not raw:
        return None
    try:
        if raw[0] == "Batch" and len(raw) == 3 and isinstance(raw[1], list):
            # Batch: [tag, items, ts_ns]
            items = [_decode_one(item) for item in raw[1]]
            return c.Batch(ts_ns=raw[2], items=items)
        if raw[0] in ("Deposit", "Withdraw") and len(raw) == len(_OLD_FIELDS) + 1:
            return _upgrade(_decode_item.decode(payload))
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
    return None
