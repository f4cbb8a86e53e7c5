"""The read side: one typed query port (``Queries``) that every reader uses.

``attach(runtime)`` starts the live index from the recovered engine state, subscribes it
to the sequencer (first, so every later sink and every route reads it current) and
returns the port over it and the runtime's history read models. See ``port`` for what
can be asked, ``views`` for the answers, ``index`` for how the indexes follow events.
"""

from __future__ import annotations

from augury.queries.index import LiveIndex
from augury.queries.port import (
    MAX_CANDLES,
    DayStats,
    HistorySource,
    InvalidCursorError,
    Queries,
    ReadSideUnavailable,
)
from augury.queries.seed import seed_index
from augury.queries.views import (
    ApiKeyView,
    BalanceView,
    BookView,
    EventView,
    GroupView,
    MarketView,
    Page,
    PositionView,
    QueuePosition,
    SeriesView,
    TopOfBook,
    UserView,
)
from augury.runtime.boot import Runtime

__all__ = [
    "MAX_CANDLES",
    "ApiKeyView",
    "BalanceView",
    "BookView",
    "DayStats",
    "EventView",
    "GroupView",
    "HistorySource",
    "InvalidCursorError",
    "LiveIndex",
    "MarketView",
    "Page",
    "PositionView",
    "Queries",
    "QueuePosition",
    "ReadSideUnavailable",
    "SeriesView",
    "TopOfBook",
    "UserView",
    "attach",
    "seed_index",
]


def attach(runtime: Runtime) -> Queries:
    """Seed a live index from the runtime's state, subscribe it, return the port.

    Call it before anything else subscribes to the sequencer and before any command is
    submitted (right after ``Runtime.start``), so the index starts from the state the
    sequencer continues from and every later sink sees it updated first.
    """
    # Seeded from the Python engine's objects whichever engine runs (on the native one, a
    # copy through the engine-neutral snapshot): from here on only events keep it current.
    index = seed_index(runtime.specification_state())
    runtime.sequencer.subscribe(index.on_applied)
    return Queries(index, runtime.history)
