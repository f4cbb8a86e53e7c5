"""A read side that stopped following the sequencer answers 503, never a stale answer.

docs/ARCHITECTURE.md: if the live index fails to follow a command, every read of it is
refused until a restart; the app maps that to Kalshi's ``service_unavailable``.
"""

from __future__ import annotations

from pathlib import Path

from augury.api.context import Context
from tests.inprocess import running_exchange

MARKETS = "/trade-api/v2/markets"


def test_a_failed_index_answers_503_until_restart(tmp_path: Path) -> None:
    with running_exchange(tmp_path / "data", rate_limits=False) as exchange:
        assert exchange.call("GET", MARKETS).status_code == 200
        context: Context = exchange.app.state.context
        context.queries._index.failed = RuntimeError("an index bug")
        response = exchange.call("GET", MARKETS)
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "service_unavailable"
    with running_exchange(tmp_path / "data") as exchange:
        assert exchange.call("GET", MARKETS).status_code == 200
