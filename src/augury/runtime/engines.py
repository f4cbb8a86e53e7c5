"""Engine selection: the native (Rust) engine where it is built, else the Python engine.

Only ``runtime`` knows which implementation is in use (docs/decisions/0036): the native
one is wrapped by ``NativeExchange``, which has the Python ``Exchange``'s interface, so
the sequencer, recovery, the read side and the demo take either. ``resolve`` turns a
requested engine (``--engine native|python``, or none: the default) into the one that runs:
the native engine is the default wherever the extension is built, and a server without it
says so once at startup and runs the Python engine. Asking for ``native`` where it is not
built is an error, not a silent fallback.
"""

from __future__ import annotations

import logging
from typing import Final, cast

from augury.engine.exchange import Exchange
from augury.engine.state import load_snapshot, make_snapshot, snapshot_body
from augury.runtime import native_engine

__all__ = [
    "ENGINES",
    "EngineUnavailable",
    "load_exchange",
    "new_exchange",
    "resolve",
    "specification_state",
]

ENGINES: Final = ("native", "python")
log = logging.getLogger(__name__)
_said_fallback = False


class EngineUnavailable(RuntimeError):
    """The native engine was asked for but the extension is not built."""


def resolve(requested: str | None) -> str:
    """Return the engine to run for a request (``None`` picks the default)."""
    global _said_fallback
    if requested not in (None, *ENGINES):
        raise ValueError(f"unknown engine {requested!r}; choose native or python")
    if requested == "python":
        return "python"
    if native_engine.available():
        return "native"
    if requested == "native":
        raise EngineUnavailable("the native engine is not built (make install builds it)")
    if not _said_fallback:
        _said_fallback = True
        log.warning(
            "native engine not built (no Rust toolchain at install): running the Python engine"
        )
    return "python"


def new_exchange(engine: str, instance_id: str) -> Exchange:
    """A fresh exchange of an engine (the native one behind the same interface)."""
    if engine == "native":
        return cast(Exchange, native_engine.NativeExchange(instance_id))
    return Exchange(instance_id)


def load_exchange(engine: str, payload: bytes) -> Exchange:
    """Rebuild an exchange of an engine from a verified snapshot (either engine wrote it).

    Raises:
        SnapshotFormatError: the snapshot is in another state format.
    """
    if engine == "native":
        return cast(Exchange, native_engine.NativeExchange.load(snapshot_body(payload)))
    return load_snapshot(payload)


def specification_state(exchange: Exchange) -> Exchange:
    """The state as the Python engine's objects, for a reader that seeds itself from memory
    once (the read side's index): the exchange itself on the Python engine; on the native
    one, a copy rebuilt from the engine-neutral snapshot document, so the reader never
    depends on the native engine's views. Call it between sequencer batches.
    """
    if getattr(exchange, "core", None) is None:
        return exchange
    return load_snapshot(make_snapshot(exchange))
