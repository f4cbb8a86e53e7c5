"""Issue 10, "High - Sizes" (the string fields): bounded, refused unjournaled, never echoed.

Before: a 20 MB ticker was journaled (the engine then refused it as an unknown market), so
every such request added its whole size to the store forever; ``client_order_id``,
``order_group_id``, order ids, key names, tiers and cursors had no bound either. Now each
string has a length and charset (Kalshi's own where known: ``client_order_id`` is at most
64 of ``A-Za-z0-9_-:+=/``, tickers at most 200 characters): an oversize one is a 400 (or a
413 from the transport limits, when the body itself is too large) that repeats neither
the value nor more than a few hundred bytes, and the journal does not move. A refused
command that is in domain (an unknown 200-character ticker) is journaled as one record of
bounded size.

Transport limits (body, header and nesting sizes) are tested by the harden-net suite.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.security.input_server import M1, V2_ORDERS, Exchange, order_body

# A real server in a subprocess (tests.security.input_server).
pytestmark = [pytest.mark.filterwarnings("ignore::ResourceWarning"), pytest.mark.process]

BIG = "A" * 300_000  # far beyond every string bound, and under any sane body limit


@pytest.fixture(scope="module")
def ex(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exchange]:
    exchange = Exchange(tmp_path_factory.mktemp("sizes") / "data")
    yield exchange
    exchange.close()


def _refused_small(ex: Exchange, response: Any, before: int) -> None:
    assert response.status_code in (400, 413), response.text[:500]
    assert len(response.content) < 1_000  # the value is not repeated
    assert ex.state()["last_seq"] == before


@pytest.mark.parametrize(
    "fields",
    [
        {"ticker": BIG},
        {"client_order_id": BIG},
        {"order_group_id": BIG},
        {"client_order_id": "has space"},
        {"client_order_id": "x" * 65},
        {"ticker": "bad/ticker"},
    ],
    ids=["ticker", "client_order_id", "order_group_id", "coid-charset", "coid-65", "ticker-/"],
)
def test_v2_create_oversize_strings_are_refused_unjournaled(
    ex: Exchange, fields: dict[str, str]
) -> None:
    before = ex.state()["last_seq"]
    _refused_small(ex, ex.call("POST", V2_ORDERS, order_body(**fields)), before)


def test_v2_batch_item_with_oversize_client_id_is_answered_without_echo(ex: Exchange) -> None:
    before = ex.state()["last_seq"]
    # Inside the 64 KiB body limit (a larger body is a 413 before any parsing), so the item
    # itself is what is refused.
    oversize = "A" * 60_000
    response = ex.call(
        "POST",
        f"{V2_ORDERS}/batched",
        {"orders": [order_body(client_order_id=oversize), order_body(client_order_id="ok-1")]},
    )
    assert response.status_code == 201, response.text[:300]
    assert len(response.content) < 2_000
    first, second = response.json()["orders"]
    assert first["error"]["code"] == "invalid_parameters"
    assert "client_order_id" not in first or first["client_order_id"] is None
    assert second["client_order_id"] == "ok-1"
    assert ex.state()["last_seq"] == before + 1  # the one batch of the accepted item


def test_v1_oversize_strings_are_refused_unjournaled(ex: Exchange) -> None:
    body = {"ticker": M1, "side": "yes", "action": "buy", "count": 1, "yes_price": 10}
    for fields in ({"ticker": BIG}, {"client_order_id": BIG}, {"order_group_id": BIG}):
        before = ex.state()["last_seq"]
        response = ex.call("POST", "/trade-api/v2/portfolio/orders", {**body, **fields})
        _refused_small(ex, response, before)


def test_oversize_order_ids_in_paths_and_batches_are_refused(ex: Exchange) -> None:
    long_id = "o" * 5_000
    before = ex.state()["last_seq"]
    for method, path, body in (
        ("DELETE", f"{V2_ORDERS}/{long_id}", None),
        ("POST", f"{V2_ORDERS}/{long_id}/decrease", {"reduce_by": "1"}),
        ("DELETE", f"{V2_ORDERS}/batched", {"orders": [{"order_id": long_id}]}),
        ("DELETE", "/trade-api/v2/portfolio/orders/batched", {"ids": [long_id]}),
    ):
        _refused_small(ex, ex.call(method, path, body), before)


def test_amend_with_oversize_strings_is_refused(ex: Exchange) -> None:
    order_id = ex.call("POST", V2_ORDERS, order_body()).json()["order_id"]
    amend = {"ticker": M1, "side": "bid", "price": "0.10", "count": "1"}
    for fields in ({"ticker": BIG}, {"updated_client_order_id": BIG}, {"client_order_id": BIG}):
        before = ex.state()["last_seq"]
        response = ex.call("POST", f"{V2_ORDERS}/{order_id}/amend", {**amend, **fields})
        _refused_small(ex, response, before)


def test_key_names_tiers_and_cursors_are_bounded(ex: Exchange) -> None:
    before = ex.state()["last_seq"]
    response = ex.call("POST", "/trade-api/v2/api_keys/generate", {"name": BIG})
    _refused_small(ex, response, before)
    response = ex.admin_raw("POST", "/users/alice/tier", {"tier": BIG})
    _refused_small(ex, response, before)
    for path in ("/portfolio/orders", "/portfolio/fills", "/portfolio/deposits"):
        response = ex.call("GET", f"/trade-api/v2{path}", params={"cursor": "9" * 2_000})
        _refused_small(ex, response, before)


def test_a_refused_command_in_domain_journals_one_small_record(ex: Exchange) -> None:
    before = ex.state()["last_seq"]
    response = ex.call("POST", V2_ORDERS, order_body(ticker="Z" * 200))
    assert response.status_code == 404  # market_not_found, decided by the engine
    assert ex.state()["last_seq"] == before + 1
    assert ex.last_record_size() < 2_048


def test_what_clients_send_is_still_accepted(ex: Exchange) -> None:
    for coid in ("8c35ecb3-328f-4f52-8c7c-0f4b9862f8d1", "bot:1+2=3/x_y-z", "c" * 64):
        response = ex.call("POST", V2_ORDERS, order_body(client_order_id=coid))
        assert response.status_code == 201, response.text
