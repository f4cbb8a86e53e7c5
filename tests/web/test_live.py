"""The live hub's bounds: a stream that falls behind is closed, streams are capped."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from augury.platform.http import PlatformError
from augury.web import live
from augury.web.live import QUEUE_MAX, STREAMS_PER_VIEWER_MAX, Stream


def _run(make: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run a coroutine on a loop of its own thread (the browser tests' Playwright keeps
    an event loop running in the main thread for the session)."""
    failures: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(make())
        except BaseException as error:
            failures.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failures:
        raise failures[0]


def _closed(stream: Stream) -> bool:
    return stream.closed  # read through a call: mypy would keep a narrowed value


class _Request:
    """Just enough of a request for ``Stream``."""

    client = None


def test_a_slow_stream_is_closed_not_buffered_without_end() -> None:
    async def run() -> None:
        stream = Stream(_Request(), None, "T", "a:x")  # type: ignore[arg-type]
        for i in range(QUEUE_MAX):
            stream.push("book", f"<p>{i}</p>")
        assert not _closed(stream)
        stream.push("book", "<p>one too many</p>")
        assert _closed(stream)
        assert stream.queue.qsize() == QUEUE_MAX  # nothing more was kept
        stream.push("book", "<p>after</p>")
        assert stream.queue.qsize() == QUEUE_MAX

    _run(run)


def test_messages_are_server_sent_events_line_by_line() -> None:
    async def run() -> None:
        stream = Stream(_Request(), None, "T", "a:x")  # type: ignore[arg-type]
        stream.push("tape", "<tr>\n<td>1</td>\n</tr>")
        message = stream.queue.get_nowait()
        assert message == "event: tape\ndata: <tr>\ndata: <td>1</td>\ndata: </tr>\n\n"

    _run(run)


def test_streams_per_viewer_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    hub = live.LiveHub(web=None)  # type: ignore[arg-type]
    monkeypatch.setattr(hub, "_start", lambda request: None)

    class Req:
        client = type("C", (), {"host": "10.0.0.1"})()

    async def run() -> None:
        request: Any = Req()
        for _ in range(STREAMS_PER_VIEWER_MAX):
            hub.open(request, None, None)
        with pytest.raises(PlatformError) as refused:
            hub.open(request, None, None)
        assert refused.value.status == 429
        other: Any = Req()
        other.client = type("C", (), {"host": "10.0.0.2"})()
        hub.open(other, None, None)  # another address is not affected

    _run(run)
