"""Cursor pagination as iterators, optionally resumable from a file.

Kalshi lists return ``cursor`` (``""`` on the last page). ``pages(send, make_call)`` yields
each page; ``items(send, make_call, field)`` yields the rows. With a :class:`CursorFile`,
the cursor after each fully consumed page is saved by atomic replace (write a temporary
file, fsync, ``os.replace``), so an interrupted walk resumes at the first page it had not
finished: a page is never skipped, and at most the one page in flight is seen twice.
``augury export`` goes further and stores its output size beside the cursor, truncating a
partial page on resume, so its file has every row exactly once.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, Final, Protocol, TypeVar

from augury.client.call import Call

__all__ = ["CursorFile", "CursorState", "apages", "items", "pages"]

_MAX_PAGES: Final = 10_000_000  # a server that loops its cursor cannot keep us forever


class _Page(Protocol):
    @property
    def cursor(self) -> str | None: ...


P = TypeVar("P", bound=_Page)


class CursorState:
    """Where a walk stands: the next cursor, pages and rows done, and any extra fields."""

    def __init__(
        self, cursor: str | None = None, pages: int = 0, rows: int = 0, done: bool = False
    ) -> None:
        self.cursor = cursor
        self.pages = pages
        self.rows = rows
        self.done = done
        self.extra: dict[str, Any] = {}


class CursorFile:
    """A walk's state in a small JSON file, replaced atomically after each page."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> CursorState:
        """Return the saved state, or a fresh one when there is no file."""
        if not self.path.exists():
            return CursorState()
        doc = json.loads(self.path.read_text())
        state = CursorState(doc.get("cursor"), doc["pages"], doc["rows"], doc["done"])
        state.extra = doc.get("extra", {})
        return state

    def save(self, state: CursorState) -> None:
        """Write the state by atomic replace."""
        doc = {
            "cursor": state.cursor,
            "pages": state.pages,
            "rows": state.rows,
            "done": state.done,
            "extra": state.extra,
        }
        tmp = self.path.with_name(self.path.name + ".tmp")
        with tmp.open("w") as handle:
            json.dump(doc, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)


def pages(
    send: Callable[[Call[P]], P],
    make_call: Callable[[str | None], Call[P]],
    resume: CursorFile | None = None,
) -> Iterator[P]:
    """Yield every page of a list endpoint, following ``cursor`` until it is empty.

    Args:
        send: ``client.send``.
        make_call: builds the call for a cursor (``None`` for the first page).
        resume: where to keep the walk's state; the walk continues where it stopped.
    """
    state = resume.load() if resume is not None else CursorState()
    while not state.done and state.pages < _MAX_PAGES:
        page = send(make_call(state.cursor))
        yield page
        state.pages += 1
        state.cursor = page.cursor or None
        state.done = state.cursor is None
        if resume is not None:
            resume.save(state)


def items(
    send: Callable[[Call[P]], P],
    make_call: Callable[[str | None], Call[P]],
    field: str,
    resume: CursorFile | None = None,
) -> Iterator[Any]:
    """Yield the rows under ``field`` (``"markets"``, ``"fills"``...) of every page."""
    for page in pages(send, make_call, resume):
        yield from getattr(page, field)


async def apages(
    send: Callable[[Call[P]], Awaitable[P]],
    make_call: Callable[[str | None], Call[P]],
    resume: CursorFile | None = None,
) -> AsyncIterator[P]:
    """The async twin of :func:`pages`."""
    state = resume.load() if resume is not None else CursorState()
    while not state.done and state.pages < _MAX_PAGES:
        page = await send(make_call(state.cursor))
        yield page
        state.pages += 1
        state.cursor = page.cursor or None
        state.done = state.cursor is None
        if resume is not None:
            resume.save(state)
