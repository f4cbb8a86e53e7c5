"""The official SDK against the in-process app (``tests.inprocess``), on the wall clock.

The SDK signs with the wall clock, so the app runs on a ``SystemClock`` here; the SDK's
own request building, signing and decoding run unchanged, only urllib3's socket is
replaced. ``tests/e2e/test_sdk_e2e.py`` keeps driving the SDK over a real socket.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from augury.runtime.clock import SystemClock
from tests.e2e.server_harness import CATALOG
from tests.inprocess import InProcessExchange, running_exchange


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessExchange]:
    data = tmp_path_factory.mktemp("sdk") / "data"
    with running_exchange(data, clock=SystemClock(), catalog=CATALOG) as exchange:
        yield exchange
