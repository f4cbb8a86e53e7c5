"""Suite-wide rules, enforced while the tests run.

A test that starts another process (a server, the CLI, a writer to kill) carries
``@pytest.mark.process``, so ``make test-fast`` (``-m "not slow and not process"``) can
leave it out. The marker is not left to memory: an audit hook sees every
``subprocess.Popen`` and fails the test that starts one unmarked. (``os.fork`` is
allowed: forking a snapshot writer is the product's own behaviour, tested in-process.)
"""

from __future__ import annotations

import sys
from collections.abc import Generator
from typing import Any

import pytest

_running: pytest.Item | None = None  # the test being set up, run or torn down


class UnmarkedProcessError(AssertionError):
    """A test without ``@pytest.mark.process`` started a process."""


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event != "subprocess.Popen" or _running is None:
        return
    if _running.get_closest_marker("process") is None:
        raise UnmarkedProcessError(
            f"{_running.nodeid} starts a process ({args[0]!r}): mark it @pytest.mark.process"
        )


sys.addaudithook(_audit)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    global _running
    _running = item
    try:
        return (yield)
    finally:
        _running = None
