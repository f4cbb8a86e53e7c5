"""Event slugs: stable, readable, unique names for events in URLs.

A slug is derived once from the event's title (lower-case ASCII words joined by ``-``,
at most 60 characters; the event ticker when the title has no letters or digits) and kept
in ``platform_event_slugs`` from then on, so it never changes when a title does. A title
already taken gets ``-2``, ``-3``, ... in the order events were created. Assignment runs
on the event loop (one writer: ``ensure`` holds a lock), so two requests cannot hand the
same slug to two events; the table's unique keys back this up.

When: every event gets its slug when the platform starts and whenever the catalogue
changes (``refresh``, run for each applied batch that adds an event), so an order, trade
or position never shows a null ``eventSlug`` for want of someone having listed the events
first. A request waits for a pending refresh (``settled``) before it is handled, so a
reply after the catalogue change always carries the slug.
"""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from collections.abc import Callable

from augury.platform.db import PlatformDb, Tx
from augury.platform.reads import EventView

__all__ = ["Slugs", "slugify"]

log = logging.getLogger(__name__)

_NON_WORD = re.compile(r"[^a-z0-9]+")
MAX_CHARS = 60


def slugify(title: str, fallback: str) -> str:
    """Return the readable base of a slug for ``title``."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = _NON_WORD.sub("-", ascii_title.lower()).strip("-")
    base = words[:MAX_CHARS].rstrip("-") or _NON_WORD.sub("-", fallback.lower()).strip("-")
    return base or "event"


class Slugs:
    """The slug of every event, in memory, persisted as assigned."""

    def __init__(self, db: PlatformDb) -> None:
        self.db = db
        self.by_event: dict[str, str] = {}
        self.by_slug: dict[str, str] = {}
        self.featured: set[str] = set()  # event tickers
        self._lock = asyncio.Lock()
        self._pending: set[asyncio.Task[None]] = set()

    async def load(self) -> None:
        rows = await self.db.read(
            lambda tx: tx.all("SELECT slug, event_ticker, featured FROM platform_event_slugs")
        )
        for slug, event, featured in rows:
            self.by_event[str(event)] = str(slug)
            self.by_slug[str(slug)] = str(event)
            if featured:
                self.featured.add(str(event))

    async def ensure(self, events: list[EventView], now_ns: int) -> None:
        """Give every event in ``events`` a slug (persisted before it is used)."""
        if all(e.event_ticker in self.by_event for e in events):
            return
        async with self._lock:
            fresh: list[tuple[str, str]] = []
            taken = set(self.by_slug)
            for event in sorted(events, key=lambda e: (e.created_ns, e.event_ticker)):
                if event.event_ticker in self.by_event:
                    continue
                base = slugify(event.title, event.event_ticker)
                slug, n = base, 1
                while slug in taken:
                    n += 1
                    slug = f"{base}-{n}"
                taken.add(slug)
                fresh.append((slug, event.event_ticker))

            def insert(tx: Tx) -> None:
                for slug, ticker in fresh:
                    tx.exec(
                        "INSERT INTO platform_event_slugs (slug, event_ticker, featured, "
                        "created_ns) VALUES (?, ?, ?, ?)",
                        (slug, ticker, False, now_ns),
                    )

            await self.db.run(insert)
            for slug, ticker in fresh:
                self.by_event[ticker] = slug
                self.by_slug[slug] = ticker

    def refresh(self, events: Callable[[], list[EventView]], now_ns: Callable[[], int]) -> None:
        """Assign the slugs of new events soon (on the loop; ``settled`` waits for it)."""

        async def run() -> None:
            await self.ensure(events(), now_ns())

        task = asyncio.get_running_loop().create_task(run(), name="slugs-refresh")
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def settled(self) -> None:
        """Wait until every refresh started so far has finished (a failed one is logged;
        the next refresh, or the next start, assigns those slugs)."""
        while self._pending:
            for task in list(self._pending):
                try:
                    await asyncio.shield(task)
                except asyncio.CancelledError:
                    if not task.cancelled():
                        raise
                except Exception:
                    log.exception("assigning event slugs failed")
                self._pending.discard(task)

    async def set_featured(self, slug: str, featured: bool) -> bool:
        """Mark an event featured (or not); False for an unknown slug."""
        event = self.by_slug.get(slug)
        if event is None:
            return False
        await self.db.run(
            lambda tx: tx.exec(
                "UPDATE platform_event_slugs SET featured = ? WHERE slug = ?", (featured, slug)
            )
        )
        (self.featured.add if featured else self.featured.discard)(event)
        return True
