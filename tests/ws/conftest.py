from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.server_harness import Server
from tests.ws.ws_helpers import catalog_server


@pytest.fixture(scope="session")
def ws_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with catalog_server(tmp_path_factory.mktemp("ws") / "data") as server:
        yield server
