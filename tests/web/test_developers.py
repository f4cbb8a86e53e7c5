"""The developer reference is generated from the server's own data, not written by hand."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from augury.platform.app import ENDPOINTS
from augury.web.pages.developers import DIGEST
from tests.inprocess import InProcessExchange
from tests.platform.world import serve

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "kalshi-python-sync-3.34.0-digest.json"


@pytest.fixture(scope="module")
def ex(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessExchange]:
    with serve(tmp_path_factory.mktemp("dev")) as exchange:
        yield exchange


def test_the_packaged_digest_is_the_one_the_schemas_are_tested_against() -> None:
    assert DIGEST.read_bytes() == FIXTURE.read_bytes()


def test_platform_reference_lists_every_declared_endpoint(ex: InProcessExchange) -> None:
    page = ex.browser().call("GET", "/developers/api").text
    shown = set(
        re.findall(r'class="method m-\w+">(\w+)</span> <span class="mono">([^<]+)</span>', page)
    )
    declared = {(e.method, e.path) for e in ENDPOINTS}
    assert shown == declared


def test_kalshi_reference_marks_what_this_server_routes(ex: InProcessExchange) -> None:
    page = ex.browser().call("GET", "/developers/kalshi").text
    rows = re.findall(
        r'<span class="method m-\w+">(\w+)</span> <span class="mono">([^<]+)</span>\s*'
        r'<span class="chip (chip-yes|chip-muted)">',
        page,
    )
    served = {(m, p) for m, p, chip in rows if chip == "chip-yes"}
    assert len(rows) == 118  # every operation in the SDK digest
    assert ("GET", "/trade-api/v2/portfolio/balance") in served
    assert ("POST", "/trade-api/v2/portfolio/events/orders") in served
    # A served operation answers something other than 404 here; a non-served one 404s.
    assert ex.browser().call("GET", "/trade-api/v2/exchange/status").status_code == 200
    unserved = {(m, p) for m, p, chip in rows if chip == "chip-muted"}
    for method, path in sorted(unserved)[:5]:
        concrete = re.sub(r"\{[^}]+\}", "X1", path)
        assert ex.browser().call(method, concrete).status_code in (404, 405)
