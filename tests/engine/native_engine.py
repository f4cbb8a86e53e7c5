"""Which engines the engine suites run against.

``AUGURY_TEST_ENGINE`` picks the engine the Python-engine suites drive (``python``, the
default, or ``native``); CI runs them once per engine. ``native_or_skip`` skips a test that
needs the native extension when it is not built, unless ``AUGURY_REQUIRE_NATIVE=1`` (set by
``.ci/run``), where a missing extension is a failure, not a skip.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

import msgspec
import pytest

from augury.engine.audit import audit as python_audit
from augury.engine.exchange import Exchange
from augury.engine.state import canonical_state, load_snapshot, snapshot_body
from augury.runtime import native_engine

__all__ = [
    "ENGINE",
    "audit_any",
    "digest_any",
    "load_any",
    "native_or_skip",
    "new_exchange",
]

ENGINE = os.environ.get("AUGURY_TEST_ENGINE", "python")
_encoder = msgspec.msgpack.Encoder()


def native_or_skip() -> None:
    """Skip (or, where the native build is required, fail) without the extension."""
    if native_engine.available():
        return
    if os.environ.get("AUGURY_REQUIRE_NATIVE") == "1":
        pytest.fail("the native extension is required here but is not built")
    pytest.skip("the native extension is not built")


def new_exchange(instance_id: str, engine: str | None = None) -> Any:
    """A fresh exchange of the engine under test (``AUGURY_TEST_ENGINE`` by default)."""
    if (engine or ENGINE) == "native":
        native_or_skip()
        return native_engine.NativeExchange(instance_id)
    return Exchange(instance_id)


def audit_any(exchange: Any) -> list[str]:
    """The auditor's findings for either engine."""
    if isinstance(exchange, Exchange):
        return python_audit(exchange)
    return list(exchange.audit())


def digest_any(exchange: Any) -> str:
    """The canonical state digest of either engine."""
    if isinstance(exchange, Exchange):
        return hashlib.sha256(_encoder.encode(canonical_state(exchange))).hexdigest()
    return hashlib.sha256(exchange.canonical_bytes()).hexdigest()


def load_any(payload: bytes, like: Any) -> Any:
    """Load a snapshot into an exchange of the same engine as ``like``."""
    if isinstance(like, Exchange):
        return load_snapshot(payload)
    return native_engine.NativeExchange.load(snapshot_body(payload))
