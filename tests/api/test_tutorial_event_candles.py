"""Event candlesticks at 5 and 15 minutes: refused by default, folded under compat.

docs/compat-tutorials.md: candle ``period_interval`` 5 or 15 is refused as Kalshi refuses
it (400, "ask for 1 and aggregate 5 of them"); under ``--compat tutorials`` 1-minute
candles are folded into 5 or 15 minutes, "market and event candles". The market endpoint
is covered by ``test_tutorials.py``; this is the event endpoint.

The world is ``test_tutorials``'s: the clock starts at 1,790,000,000 s, a 3-contract trade
at $0.40 happens 30 s later in market T1, and nothing trades in the event's other
markets. Hand-computed: a period ends on a multiple of its length, so the trade's
5-minute period ends at ceil(1,790,000,030 / 300) x 300 = 1,790,000,100 and its
15-minute period at ceil(1,790,000,030 / 900) x 900 = 1,790,000,100 as well. Everything
that happened in the world happened in that period, so each market has at most one
candle, and T1's carries the whole trade.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.api.test_tutorials import API, T1, S, World, tutorial_worlds

EVENT_PATH = f"{API}/series/KXTEST/events/KXTEST-26DEC/candlesticks"
PERIOD_END = 1_790_000_100


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[bool, World]]:
    with tutorial_worlds(tmp_path_factory.mktemp("event-candles")) as made:
        yield made


def _event_candles(world: World, period: int) -> httpx.Response:
    end = world.clock.now_ns() // S
    query = f"start_ts={end - 3600}&end_ts={end}&period_interval={period}"
    answer: httpx.Response = world.get(f"{EVENT_PATH}?{query}")
    return answer


@pytest.mark.parametrize("period", [5, 15])
def test_event_candles_refused_by_default(worlds: dict[bool, World], period: int) -> None:
    answer = _event_candles(worlds[False], period)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_parameters"
    assert f"aggregate {period}" in error["details"]
    assert "augury serve --compat tutorials" in error["details"]


@pytest.mark.parametrize("period", [5, 15])
def test_event_candles_folded_under_compat(worlds: dict[bool, World], period: int) -> None:
    answer = _event_candles(worlds[True], period)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    by_market = dict(zip(body["market_tickers"], body["market_candlesticks"], strict=True))
    assert T1 in by_market
    (candle,) = by_market[T1]
    assert candle["end_period_ts"] == PERIOD_END
    assert candle["volume_fp"] == "3.00"
    price = candle["price"]
    assert (price["open_dollars"], price["close_dollars"]) == ("0.4000", "0.4000")
    assert (price["high_dollars"], price["low_dollars"]) == ("0.4000", "0.4000")
    for ticker, candles in by_market.items():
        assert all(c["end_period_ts"] % (period * 60) == 0 for c in candles), ticker
        if ticker != T1:
            assert all(c["volume_fp"] == "0.00" for c in candles), ticker
