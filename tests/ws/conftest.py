from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The real-server harness lives beside the end-to-end tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))

from server_harness import Server
from ws_helpers import catalog_server


@pytest.fixture(scope="session")
def ws_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with catalog_server(tmp_path_factory.mktemp("ws") / "data") as server:
        yield server
