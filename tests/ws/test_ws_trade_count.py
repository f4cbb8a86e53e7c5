"""WS ``trade.count``: a tutorials' courtesy field, sent only under ``--compat tutorials``.

The AsyncAPI's ``trade`` message has no ``count`` (only ``count_fp``, a fixed-point
string); docs/compat-tutorials.md promises the whole-contract ``count`` in compat mode and
nothing else changes. A subscriber to ``trade`` in each mode watches the same trade: three
contracts at $0.40, so ``count_fp`` is "3.00" in both and ``count`` is 3 only in compat.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.server_harness import CATALOG
from tests.inprocess import running_exchange
from tests.ws.inprocess_api import Api

T1 = "KXTEST-26DEC-T1"


@pytest.mark.parametrize("compat", [False, True], ids=["default", "compat-tutorials"])
def test_trade_count_only_under_compat(tmp_path: Path, compat: bool) -> None:
    with running_exchange(
        tmp_path / "data", catalog=CATALOG, rate_limits=False, compat_tutorials=compat
    ) as server:
        api = Api(server)
        maker, taker = api.user("tcm"), api.user("tct")
        client = server.websocket()  # the public trade channel needs no key
        client.command("subscribe", {"channels": ["trade"], "market_ticker": T1})
        assert api.order(maker, T1, "bid", "0.40", "3").status_code == 201
        sold = api.order(taker, T1, "ask", "0.40", "3", time_in_force="immediate_or_cancel")
        assert sold.status_code == 201, sold.text
        (trade,) = [m["msg"] for m in client.barrier() if m["type"] == "trade"]
        client.close()
    assert (trade["market_ticker"], trade["count_fp"], trade["yes_price_dollars"]) == (
        T1,
        "3.00",
        "0.4000",
    )
    if compat:
        assert trade["count"] == 3
    else:
        assert "count" not in trade
