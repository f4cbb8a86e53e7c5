"""Contract paths Augury does not trade on: served empty, refused by name, or pointed home.

The list of refused endpoints is checked against the SDK 3.34 digest: together with the
routes the app serves it must be exactly the digest's 118 endpoints.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from augury.api.routes.unserved import UNSERVED
from tests.api.test_contract_walk import served_routes
from tests.inprocess import InProcessExchange, running_exchange

DIGEST = Path(__file__).resolve().parents[1] / "fixtures/kalshi-python-sync-3.34.0-digest.json"
API = "/trade-api/v2"


def _template(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


@pytest.fixture(scope="module")
def exchange(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessExchange]:
    with running_exchange(tmp_path_factory.mktemp("unserved") / "data") as running:
        yield running


def test_served_and_refused_endpoints_are_the_whole_contract(tmp_path: Path) -> None:
    digest = {
        (e["method"], _template(e["path"])) for e in json.loads(DIGEST.read_text())["endpoints"]
    }
    refused = {(method, _template(API + path)) for method, path, _ in UNSERVED}
    served = {(m, p) for m, p in served_routes(tmp_path) if p.startswith(API)}
    assert len(digest) == 118
    assert digest - served == refused  # every contract endpoint is served or refused
    assert not refused & served
    summaries = {
        (e["method"], e["path"].removeprefix(API)): e["summary"]
        for e in json.loads(DIGEST.read_text())["endpoints"]
    }
    assert all(summaries[(m, p)] == summary for m, p, summary in UNSERVED)


@pytest.mark.parametrize(("method", "path", "summary"), UNSERVED)
def test_unserved_endpoints_answer_501_naming_the_feature(
    exchange: InProcessExchange, method: str, path: str, summary: str
) -> None:
    concrete = re.sub(r"\{[^}]+\}", "X1", path)
    answer = exchange.call(method, API + concrete, body={} if method != "GET" else None)
    assert answer.status_code == 501
    error = answer.json()["error"]
    assert error["code"] == "not_implemented"
    assert summary in error["message"]
    assert f"{method} {API}{path}" in error["message"]
    assert "not offered by Augury" in error["message"]


def test_fee_changes_and_multivariate_are_empty_lists(exchange: InProcessExchange) -> None:
    assert exchange.call("GET", f"{API}/series/fee_changes").json() == {"series_fee_change_arr": []}
    assert exchange.call("GET", f"{API}/events/fee_changes?limit=5").json() == {
        "event_fee_changes": [],
        "cursor": "",
    }
    assert exchange.call("GET", f"{API}/events/multivariate").json() == {"events": [], "cursor": ""}
    bad = exchange.call("GET", f"{API}/events/multivariate?series_ticker=A&collection_ticker=B")
    assert bad.status_code == 400
    assert exchange.call("GET", f"{API}/events/fee_changes?limit=1001").status_code == 400


def test_an_unknown_path_names_the_nearest_real_one(exchange: InProcessExchange) -> None:
    answer = exchange.call("GET", f"{API}/markets/KXTEST-1/orderbok")
    assert answer.status_code == 404
    error = answer.json()["error"]
    assert error["code"] == "not_found"
    assert error["details"] == f"no such path; nearest_path: GET {API}/markets/{{ticker}}/orderbook"
    assert (
        "nearest_path: GET /trade-api/v2/portfolio/balance"
        in exchange.call("GET", f"{API}/portfolio/balanse").json()["error"]["details"]
    )
