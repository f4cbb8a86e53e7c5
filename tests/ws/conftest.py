from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The real-server harness lives beside the end-to-end tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))

from server_harness import CATALOG, Server


@pytest.fixture(scope="session")
def ws_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("ws") / "data", extra=["--rate-limits", "off"])
    srv.start()
    srv.admin("POST", "/catalog", CATALOG)
    yield srv
    srv.close()
