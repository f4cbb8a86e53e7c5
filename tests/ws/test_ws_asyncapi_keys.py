"""WebSocket message keys under ``--profile 2026``, checked against Kalshi's AsyncAPI.

docs/profiles.md says the 2026 profile sends only the current contract and that WebSocket
messages carry no key the AsyncAPI (``tests/fixtures/kalshi-asyncapi-2026-08-22.yaml``, a
byte-identical copy of the shared reference) does not define. This test subscribes to
every channel Augury serves, makes the exchange produce each kind of message (book
changes, a trade, fills, positions, order updates, a market's lifecycle), and checks every
message received, replies included: its type is one the AsyncAPI defines; its keys and the
keys of its ``msg`` object are among that schema's properties (or are one of the four the
newer AsyncAPI added, ``NEWER_ASYNCAPI``); every required key is there. The same walk
under ``--compat tutorials`` finds ``trade.count``, so the check is not vacuous.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from tests.e2e.server_harness import CATALOG
from tests.inprocess import running_exchange
from tests.ws.inprocess_api import Api
from tests.ws.ws_helpers import User

ASYNCAPI = Path(__file__).resolve().parents[1] / "fixtures/kalshi-asyncapi-2026-08-22.yaml"
# Every channel Augury serves besides orderbook_delta, which needs market tickers.
CHANNELS = [
    "ticker",
    "trade",
    "fill",
    "market_positions",
    "user_orders",
    "market_lifecycle_v2",
]

Schema = dict[str, Any]
# Keys the August 2026 AsyncAPI lacks and the newer raw AsyncAPI (Sep/Oct 2026, read but
# not copyable; shared CONTRACT.md section 8.9) requires: ``seq`` on trade and lifecycle
# messages, ``exchange_index`` on ``user_order``. Augury sends them in every profile (they
# are newer contract, not retired); docs/profiles.md says so.
NEWER_ASYNCAPI = {
    "trade: key 'seq'",
    "market_lifecycle_v2: key 'seq'",
    "event_lifecycle: key 'seq'",
    "user_order: msg key 'exchange_index'",
}


@cache
def _spec() -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(ASYNCAPI.read_text())
    return spec


def _resolve(schema: Schema) -> Schema:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = _spec()["components"]["schemas"][name]
    return schema


def _object_parts(schema: Schema) -> tuple[set[str], set[str]]:
    """(properties, required) of an object schema, through ``$ref`` and ``allOf``."""
    schema = _resolve(schema)
    props, required = set(schema.get("properties", {})), set(schema.get("required", []))
    for part in schema.get("allOf", []):
        more_props, more_required = _object_parts(part)
        props |= more_props
        required |= more_required
    return props, required


@cache
def _payloads_by_type() -> dict[str, list[Schema]]:
    """Every outgoing message payload schema, by the constant of its ``type`` property."""
    out: dict[str, list[Schema]] = {}
    for message in _spec()["components"]["messages"].values():
        payload = _resolve(message["payload"])
        kind = _resolve(payload.get("properties", {}).get("type", {}))
        if "const" in kind:
            out.setdefault(kind["const"], []).append(payload)
        for value in kind.get("enum", []):
            out.setdefault(value, []).append(payload)
    return out


def _problems(message: dict[str, Any]) -> list[str]:
    """What in one message the AsyncAPI does not allow ([] when some schema fits it)."""
    candidates = _payloads_by_type().get(message.get("type", ""), [])
    if not candidates:
        return [f"type {message.get('type')!r} is not in the AsyncAPI"]
    best: list[str] | None = None
    for payload in candidates:
        props, required = _object_parts(payload)
        found = [f"key {k!r}" for k in sorted(set(message) - props)]
        found += [f"missing {k!r}" for k in sorted(required - set(message))]
        msg = message.get("msg")
        if isinstance(msg, dict) and "msg" in props:
            msg_props, msg_required = _object_parts(payload["properties"]["msg"])
            if msg_props:
                found += [f"msg key {k!r}" for k in sorted(set(msg) - msg_props)]
            found += [f"msg missing {k!r}" for k in sorted(msg_required - set(msg))]
        if not found:
            return []
        best = found if best is None or len(found) < len(best) else best
    assert best is not None
    return [f"{message['type']}: {p}" for p in best]


def _messages(tmp_path: Path, **settings: Any) -> list[dict[str, Any]]:
    """Every message one subscriber to every channel receives while the market trades."""
    with running_exchange(
        tmp_path / "data", catalog=CATALOG, rate_limits=False, **settings
    ) as server:
        api = Api(server)
        trader, other = api.user("akt"), api.user("ako")
        market, spare = api.markets("AKEYS", 2)
        client = server.websocket(trader)
        got = client.command(
            "subscribe", {"channels": ["orderbook_delta"], "market_tickers": [market, spare]}
        )
        got += client.command("subscribe", {"channels": CHANNELS})
        steps: tuple[tuple[User, str, str, str, str, dict[str, Any]], ...] = (
            (other, market, "bid", "0.40", "3", {}),
            (trader, market, "ask", "0.40", "2", {"time_in_force": "immediate_or_cancel"}),
            (trader, market, "bid", "0.20", "1", {}),
        )
        for who, ticker, side, price, count, extra in steps:
            server.fake_clock.advance(1_000_000)  # a fresh signing time for each write
            answer = api.order(who, ticker, side, price, count, **extra)
            assert answer.status_code == 201, answer.text
        api.admin("POST", f"/markets/{market}/settle", {"result": "no"})
        api.admin("POST", f"/markets/{spare}/close")
        got += client.barrier()
        got += client.command("unsubscribe", {"sids": [1]})
        client.close()
    return got


def test_ws_messages_under_the_2026_profile_are_the_asyncapis(tmp_path: Path) -> None:
    got = _messages(tmp_path, profile="2026")
    kinds = {m["type"] for m in got}
    for kind in (
        "subscribed",
        "orderbook_snapshot",
        "orderbook_delta",
        "ticker",
        "trade",
        "fill",
        "market_position",
        "user_order",
        "market_lifecycle_v2",
        "unsubscribed",
    ):
        assert kind in kinds, (kind, sorted(kinds))
    problems = {p for m in got for p in _problems(m)}
    assert sorted(problems - NEWER_ASYNCAPI) == []


def test_the_walk_finds_a_key_outside_the_asyncapi(tmp_path: Path) -> None:
    got = _messages(tmp_path, compat_tutorials=True)
    assert "trade: msg key 'count'" in {p for m in got for p in _problems(m)}
