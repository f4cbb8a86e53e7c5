"""``--host prod|demo`` on the WebSocket commands reaches Kalshi's feed host, not its REST host.

Kalshi serves the WebSocket feed from its own origin (CONTRACT §1.1):
``wss://external-api-ws.kalshi.com/trade-api/ws/v2`` in production and
``wss://external-api-ws.demo.kalshi.co/trade-api/ws/v2`` in the demo. The expected
addresses below are written from the contract, not read from ``augury.client.hosts``.
No test reaches the internet: the WebSocket client is replaced by a spy that records the
address it would dial and stops the command there (and ``record``'s REST fee lookup is
stubbed out).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from augury.cli.main import app
from augury.client.cli import data as data_cli
from augury.client.cli import people as people_cli
from augury.client.creds import CredentialStore
from augury.client.signing import generate_private_key_pem
from augury.client.ws import WsClient

PROD_WS = "wss://external-api-ws.kalshi.com/trade-api/ws/v2"
DEMO_WS = "wss://external-api-ws.demo.kalshi.co/trade-api/ws/v2"


class _Stop(Exception):
    """Raised by the spy once it has seen the address."""


@pytest.fixture
def dialled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []

    class Spy(WsClient):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            seen.append(self.host.ws_url)
            raise _Stop

    monkeypatch.setattr(people_cli, "WsClient", Spy)
    monkeypatch.setattr(data_cli, "WsClient", Spy)
    # record looks the markets' fees up over REST first; that host is not reachable here.
    monkeypatch.setattr(data_cli, "market_fees", lambda _client, tickers: {})
    return seen


def _home(tmp_path: Path, host: str) -> Path:
    home = tmp_path / "home"
    CredentialStore(home).add("main", "key-1", generate_private_key_pem("ed25519"), host)
    return home


def _invoke(home: Path, *args: str) -> None:
    done = CliRunner().invoke(app, [*args, "--creds-root", str(home)])
    assert isinstance(done.exception, _Stop), f"{done.output}\n{done.exception!r}"


@pytest.mark.parametrize(("host", "expected"), [("prod", PROD_WS), ("demo", DEMO_WS)])
def test_book_watch_dials_the_named_hosts_websocket(
    tmp_path: Path, dialled: list[str], host: str, expected: str
) -> None:
    home = _home(tmp_path, "local")
    _invoke(home, "book", "KX-T1", "--watch", "--host", host)
    assert dialled == [expected]


@pytest.mark.parametrize(("host", "expected"), [("prod", PROD_WS), ("demo", DEMO_WS)])
def test_record_dials_the_named_hosts_websocket(
    tmp_path: Path, dialled: list[str], host: str, expected: str
) -> None:
    home = _home(tmp_path, "local")
    _invoke(
        home, "record", "--tickers", "KX-T1", "--out", str(tmp_path / "r.parquet"), "--host", host
    )
    assert dialled == [expected]


def test_the_profiles_host_is_used_when_no_host_is_given(
    tmp_path: Path, dialled: list[str]
) -> None:
    home = _home(tmp_path, "demo")
    _invoke(home, "book", "KX-T1", "--watch")
    _invoke(home, "record", "--tickers", "KX-T1", "--out", str(tmp_path / "r.parquet"))
    assert dialled == [DEMO_WS, DEMO_WS]


def test_a_url_host_maps_http_to_ws_on_the_same_origin(tmp_path: Path, dialled: list[str]) -> None:
    home = _home(tmp_path, "local")
    _invoke(home, "book", "KX-T1", "--watch", "--host", "https://augury.example:8443")
    assert dialled == ["wss://augury.example:8443/trade-api/ws/v2"]
