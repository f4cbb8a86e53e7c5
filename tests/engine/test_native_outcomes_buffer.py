"""``Core.apply_batch`` hands its outcomes back as a read-only buffer over reused room.

The binding encodes a batch's outcomes into room taken from a small pool and returns an
``augury_native.Outcomes`` object that exports it through the buffer protocol; the room goes
back to the pool when the object is freed (decision 0059). What must hold:

- the bytes are exactly the outcome document: the MessagePack array header (the rule
  written out here) followed by each command's outcome as ``Core.apply`` encodes it alone
  on a twin exchange, batch after batch while the room is reused;
- the buffer is read-only, and whatever still refers to it (a ``memoryview``, the
  ``msgspec.Raw`` parts a decoder keeps) sees the same bytes however many batches run
  after it, because a referenced room is never given back.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from augury.engine import commands as c
from tests.engine.market_setup import gtc_bid, one_market
from tests.engine.native_engine import native_or_skip, new_exchange

USERS = {f"u{i}": 10_000_000 for i in range(8)}


def _core() -> Any:
    native_or_skip()
    exchange = new_exchange("outcomes-buffer", "native")
    for command in one_market(USERS):
        assert exchange.apply(command, 0).reject is None
    return exchange.core


def _batch(k: int, n: int) -> list[bytes]:
    """``n`` placements, bids and crossing asks from rotating users (fills, deltas,
    positions and balances: the large outcomes), the ``k``-th batch of a stream."""
    out = []
    for i in range(n):
        user = f"u{(k * n + i) % len(USERS)}"
        price = 4_000 + 100 * ((k + i) % 7)
        if i % 3 == 2:
            cmd: c.Command = c.PlaceOrder(
                user_id=user,
                ticker="M",
                side="ask",
                price_cc=price - 200,
                count_c=150,
                time_in_force="good_till_canceled",
            )
        else:
            cmd = gtc_bid(user, price, 100 + i % 5)
        out.append(c.encode_command(cmd))
    return out


def _array_header(n: int) -> bytes:
    """MessagePack's array header: fixarray below 16, array16 below 2**16."""
    if n < 16:
        return bytes([0x90 | n])
    return bytes([0xDC]) + n.to_bytes(2, "big")


@pytest.mark.parametrize("n", [3, 100, 300])
def test_a_batch_is_its_commands_outcomes_one_by_one(n: int) -> None:
    batched, single = _core(), _core()
    for k in range(4):
        payloads = _batch(k, n)
        out = batched.apply_batch(payloads, 1_000 + k)
        want = _array_header(n) + b"".join(single.apply(p, 1_000 + k) for p in payloads)
        assert len(out) == len(want)
        assert bytes(out) == want
        assert bytes(memoryview(out)) == want
        del out  # its room is written again by the next batch


def test_the_buffer_is_read_only() -> None:
    out = _core().apply_batch(_batch(0, 80), 1_000)
    view = memoryview(out)
    assert view.readonly
    assert view.format == "B"
    with pytest.raises(TypeError):
        view[0] = 0


def test_a_held_view_keeps_its_bytes_while_later_batches_run() -> None:
    core = _core()
    out = core.apply_batch(_batch(0, 200), 1_000)
    view = memoryview(out)
    kept = bytes(view)
    parts = msgspec.msgpack.decode(out, type=list[msgspec.Raw])
    kept_parts = [bytes(p) for p in parts]
    del out  # only the view and the Raw parts refer to it now
    for k in range(1, 6):
        later = core.apply_batch(_batch(k, 200), 1_000 + k)
        assert bytes(later) != kept
        del later
    assert bytes(view) == kept
    assert [bytes(p) for p in parts] == kept_parts
    assert b"".join(kept_parts) == kept[len(_array_header(200)) :]


def test_a_refused_payload_names_its_index_and_the_core_goes_on() -> None:
    core = _core()
    payloads = _batch(0, 70)
    with pytest.raises(ValueError, match="command 69"):
        core.apply_batch([*payloads[:69], b"\xc1"], 1_000)
    twin = _core()
    for p in payloads[:69]:
        twin.apply(p, 1_000)
    again = core.apply_batch(payloads[69:], 1_001)
    assert bytes(again) == _array_header(1) + twin.apply(payloads[69], 1_001)
