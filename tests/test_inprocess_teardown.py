"""The in-process harness's start-up and teardown are bounded: a hang fails, it does not hang.

The app's lifespan is wrapped so that its exit never finishes: once awaiting forever (the
cancellation reaches it and the loop ends) and once blocking the event loop in
synchronous code (nothing reaches it; the harness leaves the loop thread behind and says
so). Either way leaving the block raises ``ShutdownHung`` naming what hung, instead of
waiting forever as anyio's own portal exit would. The same two hangs on the way in (before
the real start-up) raise ``StartupHung``; a start-up that fails raises its own error.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import anyio
import pytest
from starlette.applications import Starlette

from augury.api.app import create_app
from augury.api.settings import Settings
from augury.runtime.clock import Clock
from tests import inprocess
from tests.inprocess import ShutdownHung, StartupHung, running_exchange

Hang = Callable[[], Awaitable[None]]


def _hanging(hang: Hang, *, on_entry: bool) -> Callable[[Settings, Clock | None], Starlette]:
    """``create_app`` whose lifespan runs ``hang`` before its real start-up (``on_entry``)
    or after its real shutdown has finished."""

    def build(settings: Settings, clock: Clock | None = None) -> Starlette:
        app = create_app(settings, clock)
        inner = app.router.lifespan_context

        @contextlib.asynccontextmanager
        async def lifespan(served: Starlette) -> AsyncIterator[None]:
            if on_entry:
                await hang()
            async with inner(served):
                yield
            if not on_entry:
                await hang()

        app.router.lifespan_context = lifespan
        return app

    return build


def test_a_shutdown_that_never_finishes_is_cancelled_and_fails_the_test(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inprocess, "create_app", _hanging(anyio.sleep_forever, on_entry=False))
    # The hang is in leaving the block, so the block is inside ``raises``.
    with (
        pytest.raises(ShutdownHung) as hung,
        running_exchange(tmp_path / "data", teardown_timeout_s=0.5) as exchange,
    ):
        assert exchange.request("GET", "/trade-api/v2/exchange/status").status_code == 200
    message = str(hung.value)
    assert "did not finish within 0.5 s" in message, message
    assert "left behind" not in message, message  # the cancellation reached the hang


def test_a_shutdown_that_blocks_the_loop_is_left_behind_and_fails_the_test(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()

    async def block() -> None:
        release.wait()  # synchronous on purpose: the event loop itself is stuck

    monkeypatch.setattr(inprocess, "create_app", _hanging(block, on_entry=False))
    monkeypatch.setattr(inprocess, "CANCEL_GRACE_S", 0.2)
    try:
        with (
            pytest.raises(ShutdownHung, match="left behind"),
            running_exchange(tmp_path / "data", teardown_timeout_s=0.5),
        ):
            pass
    finally:
        release.set()  # the abandoned loop thread runs on and ends


def test_a_healthy_shutdown_returns_and_the_directory_starts_again(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with running_exchange(data, teardown_timeout_s=0.5) as exchange:
        exchange.admin("POST", "/users", {"name": "kept", "deposit": "5"})
        before = exchange.state()
    with running_exchange(data) as again:
        assert again.state() == before


def test_a_start_up_that_never_finishes_is_cancelled_and_fails_the_test(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inprocess, "create_app", _hanging(anyio.sleep_forever, on_entry=True))
    entered = False
    with (
        pytest.raises(StartupHung) as hung,
        running_exchange(tmp_path / "data", startup_timeout_s=0.5),
    ):
        entered = True
    assert not entered
    message = str(hung.value)
    assert "did not start within 0.5 s" in message, message
    assert "left behind" not in message, message  # the cancellation reached the hang


def test_a_start_up_that_blocks_the_loop_is_left_behind_and_fails_the_test(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()

    async def block() -> None:
        release.wait()  # synchronous on purpose: the event loop itself is stuck
        # Released: end here rather than run the real start-up (store open, migrations)
        # on the abandoned thread while the next test starts its own.
        raise RuntimeError("released")

    monkeypatch.setattr(inprocess, "create_app", _hanging(block, on_entry=True))
    monkeypatch.setattr(inprocess, "CANCEL_GRACE_S", 0.2)
    try:
        with (
            pytest.raises(StartupHung, match="left behind"),
            running_exchange(tmp_path / "data", startup_timeout_s=0.5),
        ):
            pass
    finally:
        release.set()  # the abandoned loop thread runs on and ends


def test_a_start_up_that_fails_raises_its_own_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def fail() -> None:
        raise RuntimeError("the store is unreadable")

    monkeypatch.setattr(inprocess, "create_app", _hanging(fail, on_entry=True))
    with (
        pytest.raises(RuntimeError, match="the store is unreadable"),
        running_exchange(tmp_path / "data", startup_timeout_s=5.0),
    ):
        pass
