"""A read side that stopped following the sequencer answers 503, never a stale answer.

docs/ARCHITECTURE.md: if the live index fails to follow a command, every read of it is
refused until a restart; the app maps that to Kalshi's ``service_unavailable``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from augury.api.app import create_app
from augury.api.context import Context
from augury.api.settings import Settings

with warnings.catch_warnings():
    # Starlette 1.x prefers the httpx2 package for its test client; httpx works the same.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

MARKETS = "/trade-api/v2/markets"


def test_a_failed_index_answers_503_until_restart(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path / "data", rate_limits=False))
    with TestClient(app) as http:
        assert http.get(MARKETS).status_code == 200
        context: Context = app.state.context
        context.queries._index.failed = RuntimeError("an index bug")
        response = http.get(MARKETS)
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "service_unavailable"
    with TestClient(create_app(Settings(data_dir=tmp_path / "data"))) as http:
        assert http.get(MARKETS).status_code == 200
