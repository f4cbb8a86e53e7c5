"""The WebSocket command protocol, in-process: replies, idempotency, every error code.

Error texts are written out literally here (not imported) because clients compare them
verbatim (CONTRACT §8.6). The handshake and the transport (compression, denial responses
over a real socket) are tested against a real server in ``test_ws_protocol.py``.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.server_harness import CATALOG
from tests.inprocess import InProcessExchange, InProcessWebSocket, Key, running_exchange

_names = itertools.count(1)

TEXT = {
    1: "Unable to process message",
    2: "Params required",
    3: "Channels required",
    4: "Subscription IDs required",
    5: "Unknown command",
    7: "Unknown subscription ID",
    8: "Unknown channel name",
    9: "Authentication required",
    11: "Invalid parameter",
    12: "Exactly one subscription ID is required",
    13: "Unsupported action",
    14: "Market Ticker required",
    15: "Action required",
    16: "Market not found",
    19: "shard_factor must be > 0",
    20: "shard_factor is required when shard_key is set",
    21: "shard_key must be >= 0 and < shard_factor",
    22: "shard_factor must be <= 100",
    24: "Index IDs required",
    25: "Subscription buffer overflow",
    26: "Subscription market limit exceeded",
    27: "Too many requests",
    28: "Underlying tickers required",
}
M1, M2, M3 = "KXTEST-26DEC-T1", "KXTEST-26DEC-T2", "KXTEST-26DEC-T3"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessExchange]:
    data = tmp_path_factory.mktemp("ws-commands")
    with running_exchange(data, catalog=CATALOG, rate_limits=False) as exchange:
        yield exchange


def _user(server: InProcessExchange, prefix: str) -> Key:
    return server.user(f"{prefix}{next(_names)}", "100000", key_type="ed25519")


def _no_ids(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in m.items() if k != "id"} for m in messages]


def _raw_error(client: InProcessWebSocket, frame: str) -> dict[str, Any]:
    client.send_text(frame)
    return client.recv()


def test_every_error_code(server: InProcessExchange) -> None:
    c = server.websocket(_user(server, "pr"))
    cases: list[tuple[int, str, dict[str, Any] | None]] = [
        (2, "subscribe", None),
        (2, "unsubscribe", None),
        (2, "update_subscription", None),
        (3, "subscribe", {}),
        (3, "subscribe", {"channels": []}),
        (1, "subscribe", {"channels": "ticker"}),
        (8, "subscribe", {"channels": ["ticker", "nope"]}),
        (14, "subscribe", {"channels": ["orderbook_delta"]}),
        (14, "subscribe", {"channels": ["orderbook_delta"], "market_tickers": []}),
        (16, "subscribe", {"channels": ["orderbook_delta"], "market_ticker": "NOPE-1"}),
        (11, "subscribe", {"channels": ["ticker"], "market_ticker": 5}),
        (11, "subscribe", {"channels": ["ticker"], "market_tickers": "X"}),
        (11, "subscribe", {"channels": ["ticker"], "use_yes_price": "yes"}),
        (
            11,
            "subscribe",
            {"channels": ["orderbook_delta"], "market_id": "00000000-0000-0000-0000-000000000000"},
        ),
        (
            16,
            "subscribe",
            {"channels": ["ticker"], "market_id": "00000000-0000-0000-0000-000000000000"},
        ),
        (11, "subscribe", {"channels": ["cfbenchmarks_value"], "index_ids": "BRTI"}),
        (19, "subscribe", {"channels": ["communications"], "shard_factor": 0}),
        (20, "subscribe", {"channels": ["communications"], "shard_key": 1}),
        (21, "subscribe", {"channels": ["communications"], "shard_factor": 3, "shard_key": 3}),
        (22, "subscribe", {"channels": ["communications"], "shard_factor": 101}),
        (
            26,
            "subscribe",
            {"channels": ["ticker"], "market_tickers": [f"T{i}" for i in range(10_001)]},
        ),
        (4, "unsubscribe", {}),
        (4, "unsubscribe", {"sids": []}),
        (1, "unsubscribe", {"sids": ["a"]}),
        (7, "unsubscribe", {"sids": [99]}),
        (15, "update_subscription", {"sid": 1}),
        (12, "update_subscription", {"action": "add_markets"}),
        (12, "update_subscription", {"action": "add_markets", "sids": [1, 2]}),
        (12, "update_subscription", {"action": "add_markets", "sid": 1, "sids": [1]}),
        (11, "update_subscription", {"action": "add_markets", "sid": "1"}),
        (7, "update_subscription", {"action": "add_markets", "sid": 99}),
        (5, "explode", {}),
    ]
    for code, cmd, params in cases:
        msg = c.error(cmd, params)
        assert (msg["code"], msg["msg"]) == (code, TEXT[code]), (cmd, params, msg)
    # A refused subscribe changed nothing.
    listed = c.send("list_subscriptions")
    assert (c.until(listed))[-1]["msg"] == []
    assert (c.error("subscribe", {"channels": ["orderbook_delta"], "market_ticker": "NOPE-1"}))[
        "market_ticker"
    ] == "NOPE-1"

    # Envelope errors: not JSON, not an object, mistyped id/params, missing cmd.
    reply = _raw_error(c, "{not json")
    assert reply == {"type": "error", "msg": {"code": 1, "msg": TEXT[1]}}
    assert (_raw_error(c, "[1, 2]"))["msg"]["code"] == 1
    assert (_raw_error(c, '{"id": "7", "cmd": "subscribe"}'))["msg"]["code"] == 1
    reply = _raw_error(c, '{"id": 8, "cmd": "subscribe", "params": "x"}')
    assert (reply["id"], reply["msg"]["code"]) == (8, 1)
    reply = _raw_error(c, '{"id": 9}')
    assert (reply["id"], reply["msg"]["code"]) == (9, 5)

    # Subscription-scoped errors.
    c.command("subscribe", {"channels": ["ticker"], "market_ticker": M1})  # sid 1
    c.command("subscribe", {"channels": ["market_lifecycle_v2"]})  # sid 2
    c.command("subscribe", {"channels": ["cfbenchmarks_value", "pyth_value"]})  # 3, 4
    sub_cases: list[tuple[int, dict[str, Any]]] = [
        (13, {"sid": 1, "action": "explode"}),
        (13, {"sid": 1, "action": "get_snapshot"}),
        (13, {"sid": 2, "action": "add_markets", "market_ticker": M1}),
        (13, {"sid": 1, "action": "indexlist"}),
        (14, {"sid": 1, "action": "add_markets"}),
        (14, {"sid": 1, "action": "delete_markets", "market_tickers": []}),
        (
            26,
            {"sid": 1, "action": "add_markets", "market_tickers": [f"T{i}" for i in range(10_000)]},
        ),
        (24, {"sid": 3, "action": "subscribe_indices"}),
        (28, {"sid": 4, "action": "subscribe_underlyings"}),
    ]
    for code, params in sub_cases:
        msg = c.error("update_subscription", params)
        assert (msg["code"], msg["msg"]) == (code, TEXT[code]), (params, msg)
    c.close()


def test_update_rate_limit_is_code_27(server: InProcessExchange) -> None:
    c = server.websocket()
    c.command("subscribe", {"channels": ["ticker"], "market_ticker": M1})
    params = {"sid": 1, "action": "add_markets", "market_ticker": M2}
    frames = [
        json.dumps({"id": i, "cmd": "update_subscription", "params": params}) for i in range(2, 402)
    ]
    for frame in frames:
        c.send_text(frame)
    replies = [c.recv() for _ in frames]
    codes = [r["msg"]["code"] for r in replies if r["type"] == "error"]
    assert codes, "400 updates in a burst must hit the 100/s per-subscription limit"
    assert set(codes) == {27}
    assert {r["type"] for r in replies} == {"ok", "error"}
    c.close()


def test_replies_and_idempotent_subscribe(server: InProcessExchange) -> None:
    c = server.websocket(_user(server, "rp"))
    got = c.command(
        "subscribe",
        {"channels": ["orderbook_delta", "ticker"], "market_ticker": M1, "market_tickers": [M2]},
    )
    assert [(g["type"], g.get("msg", {}).get("market_ticker")) for g in got] == [
        ("subscribed", None),
        ("orderbook_snapshot", M1),
        ("orderbook_snapshot", M2),
        ("subscribed", None),
    ]
    assert got[0] == {
        "id": 1,
        "type": "subscribed",
        "msg": {"channel": "orderbook_delta", "sid": 1},
    }
    # Subscribing again is idempotent: same sid, only the new market gets a snapshot.
    got = c.command("subscribe", {"channels": ["orderbook_delta"], "market_tickers": [M2, M3]})
    assert [(g["type"], g.get("sid") or g["msg"].get("sid")) for g in got] == [
        ("subscribed", 1),
        ("orderbook_snapshot", 1),
    ]
    assert got[1]["msg"]["market_ticker"] == M3
    assert got[1]["seq"] == 3
    # update_subscription: ok with the full list; with sids=[x] too.
    got = c.command(
        "update_subscription", {"sids": [1], "action": "delete_markets", "market_ticker": M2}
    )
    assert _no_ids(got) == [{"sid": 1, "seq": 3, "type": "ok", "msg": {"market_tickers": [M1, M3]}}]
    # An id of 0 means "no id": the reply carries none.
    c.send_text(json.dumps({"id": 0, "cmd": "list_subscriptions"}))
    listed = c.recv()
    assert listed == {
        "type": "ok",
        "msg": [{"channel": "orderbook_delta", "sid": 1}, {"channel": "ticker", "sid": 2}],
    }
    # skip_ticker_ack leaves the market lists out of ok replies.
    got = c.command(
        "subscribe", {"channels": ["trade"], "market_ticker": M1, "skip_ticker_ack": True}
    )
    got = c.command("update_subscription", {"sid": 3, "action": "add_markets", "market_ticker": M2})
    assert _no_ids(got) == [{"sid": 3, "seq": 1, "type": "ok"}]
    # unsubscribe answers once per sid, with the sid's last seq.
    cmd_id = c.send("unsubscribe", {"sids": [1, 3]})
    got = c.until(cmd_id, "unsubscribed")
    got.append(c.recv())
    assert got == [
        {"id": cmd_id, "sid": 1, "seq": 3, "type": "unsubscribed"},
        {"id": cmd_id, "sid": 3, "seq": 1, "type": "unsubscribed"},
    ]
    listed_id = c.send("list_subscriptions")
    assert (c.until(listed_id))[-1]["msg"] == [{"channel": "ticker", "sid": 2}]
    # The feed-list actions of the index channels answer with (empty) lists and a seq.
    c.command("subscribe", {"channels": ["cfbenchmarks_value"]})  # sid 4
    got = c.command("update_subscription", {"sid": 4, "action": "indexlist"})
    assert _no_ids(got) == [
        {
            "type": "cfbenchmarks_value_indexlist",
            "sid": 4,
            "seq": 1,
            "msg": {"index_ids": []},
        }
    ]
    c.close()
