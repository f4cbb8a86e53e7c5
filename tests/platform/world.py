"""The platform tests' exchange: the one in-process harness with their catalogue.

``serve(tmp)`` is ``tests.inprocess.running_exchange`` with the platform's settings made
cheap (``FAST`` argon2, so a test can register many accounts), rate limits off, the
engine ``AUGURY_TEST_ENGINE`` names, plain calls from 10.9.9.9 to ``http://augury`` (the
origin the CSRF checks see), and ``CATALOG`` loaded. Browser-like callers come from
``exchange.browser()``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from augury.platform.settings import PlatformSettings
from tests.inprocess import InProcessExchange, running_exchange

# Cheap argon2 so a test can register many accounts; production uses the defaults.
FAST = PlatformSettings(argon2_time_cost=1, argon2_memory_kib=64, argon2_parallelism=1)
S = 1_000_000_000

CATALOG: dict[str, Any] = {
    "series": [
        {
            "ticker": "KXPF",
            "title": "Platform series",
            "category": "Economics",
            "fee_type": "quadratic",
            "fee_multiplier": 1,
        },
    ],
    "events": [
        {
            "event_ticker": "KXPF-RATES",
            "series_ticker": "KXPF",
            "title": "Fed rate in December",
            "sub_title": "Dec 2026",
        },
        {
            "event_ticker": "KXPF-RAIN",
            "series_ticker": "KXPF",
            "title": "Rain in London tomorrow?",
            "sub_title": "Tomorrow",
        },
    ],
    "markets": [
        {
            "ticker": "KXPF-RATES-T4",
            "event_ticker": "KXPF-RATES",
            "title": "Above 4%?",
            "yes_sub_title": "Above 4%",
            "open_time": "2026-01-01T00:00:00Z",
            "close_time": "2030-01-01T00:00:00Z",
            "rules_primary": "Resolves yes if the upper bound of the target range exceeds 4%.",
        },
        {
            "ticker": "KXPF-RATES-T5",
            "event_ticker": "KXPF-RATES",
            "title": "Above 5%?",
            "yes_sub_title": "Above 5%",
            "open_time": "2026-01-01T00:00:00Z",
            "close_time": "2030-01-01T00:00:00Z",
            "rules_primary": "Resolves yes if the upper bound of the target range exceeds 5%.",
        },
        {
            "ticker": "KXPF-RAIN-Y",
            "event_ticker": "KXPF-RAIN",
            "title": "Rain?",
            "yes_sub_title": "Rain",
            "open_time": "2026-01-01T00:00:00Z",
            "close_time": "2030-01-01T00:00:00Z",
            "rules_primary": "Resolves yes if the Met Office records precipitation at Heathrow.",
        },
    ],
}


@contextmanager
def serve(
    tmp: Path, platform: PlatformSettings = FAST, catalog: dict[str, Any] | None = None, **kw: Any
) -> Iterator[InProcessExchange]:
    """Run an in-process exchange with the catalog loaded.

    The engine is ``AUGURY_TEST_ENGINE`` (``native`` or ``python``) when set, else the
    default (native where built), unless the caller passes ``engine=``.
    """
    kw.setdefault("engine", os.environ.get("AUGURY_TEST_ENGINE") or None)
    with running_exchange(
        tmp,
        catalog=catalog or CATALOG,
        base_url="http://augury",
        peer=("10.9.9.9", 1234),
        platform=platform,
        rate_limits=False,
        **kw,
    ) as exchange:
        yield exchange
