"""Issue 10, "Low": malformed input that answered 500 must be a 400, and digits are ASCII.

- A body that is not UTF-8 made the JSON decoder raise ``UnicodeDecodeError`` (500).
- JSON nested 1,000 deep made it raise ``RecursionError`` (500) in the admin API.
- ``cursor=9223372036854775808`` on deposits, withdrawals and transfers reached SQLite,
  which cannot hold it (500).
- Counts and amounts took Unicode digits and spaces (``"１"``, ``" 1"``): Kalshi's parser
  takes ASCII digits only, and so does ours now, in bodies and in query integers.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.security.input_server import V2_ORDERS, Exchange, order_body

# A real server in a subprocess (tests.security.input_server).
pytestmark = [pytest.mark.filterwarnings("ignore::ResourceWarning"), pytest.mark.process]

NOT_UTF8 = b'{"ticker": "\xff\xfe", "side": "bid"}'
DEEP = b'{"name": ' + b"[" * 1_000 + b"]" * 1_000 + b"}"


@pytest.fixture(scope="module")
def ex(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exchange]:
    exchange = Exchange(tmp_path_factory.mktemp("low") / "data")
    yield exchange
    exchange.close()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", V2_ORDERS),
        ("POST", f"{V2_ORDERS}/batched"),
        ("POST", "/trade-api/v2/portfolio/orders"),
        ("POST", "/trade-api/v2/portfolio/subaccounts/transfer"),
        ("POST", "/trade-api/v2/api_keys/generate"),
        ("POST", "/trade-api/v2/portfolio/order_groups/create"),
    ],
)
def test_a_body_that_is_not_utf8_is_a_400(ex: Exchange, method: str, path: str) -> None:
    response = ex.raw(method, path, NOT_UTF8)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "invalid_parameters"


@pytest.mark.parametrize("path", ["/admin/v1/users", "/admin/v1/catalog", "/admin/v1/keys"])
def test_admin_bodies_not_utf8_or_deeply_nested_are_a_400(ex: Exchange, path: str) -> None:
    for body in (NOT_UTF8, DEEP):
        response = ex.raw("POST", path, body, user=None)
        assert response.status_code == 400, response.text
        assert response.json()["error"]["code"] == "invalid_parameters"


def test_deeply_nested_catalog_metadata_is_a_400(ex: Exchange) -> None:
    meta: object = 1
    for _ in range(40):
        meta = {"m": meta}
    before = ex.state()["last_seq"]
    catalog = {"series": [{"ticker": "KXDEEP", "title": "deep", "tags": meta}]}
    response = ex.admin_raw("POST", "/catalog", catalog)
    assert response.status_code == 400, response.text
    assert ex.state()["last_seq"] == before


@pytest.mark.parametrize(
    "path",
    [
        "/trade-api/v2/portfolio/deposits",
        "/trade-api/v2/portfolio/withdrawals",
        "/trade-api/v2/portfolio/subaccounts/transfers",
        "/trade-api/v2/portfolio/orders",
        "/trade-api/v2/portfolio/fills",
    ],
)
def test_a_cursor_beyond_64_bits_is_a_400(ex: Exchange, path: str) -> None:
    for cursor in ("9223372036854775808", "9223372036854775808.1", "１"):
        response = ex.call("GET", path, params={"cursor": cursor})
        assert response.status_code == 400, response.text
        assert response.json()["error"]["code"] == "invalid_parameters"


@pytest.mark.parametrize("count", ["１", " 1", "1 ", "١", "1_0", "+1", "1\n"])
def test_counts_take_ascii_digits_only(ex: Exchange, count: str) -> None:
    before = ex.state()["last_seq"]
    response = ex.call("POST", V2_ORDERS, order_body(count=count))
    assert response.status_code == 400, response.text
    assert ex.state()["last_seq"] == before


@pytest.mark.parametrize("amount", ["１00", " 100", "100 "])
def test_amounts_take_ascii_digits_only(ex: Exchange, amount: str) -> None:
    response = ex.admin_raw("POST", "/users/alice/deposit", {"amount": amount})
    assert response.status_code == 400, response.text
    response = ex.call("POST", V2_ORDERS, order_body(price=f"0.{amount.strip()}"[:6] + " "))
    assert response.status_code == 400, response.text


@pytest.mark.parametrize("value", ["１", " 1", "١", "1_0"])
def test_query_integers_take_ascii_digits_only(ex: Exchange, value: str) -> None:
    for path, name in (
        ("/trade-api/v2/portfolio/balance", "subaccount"),
        ("/trade-api/v2/portfolio/orders", "limit"),
        ("/trade-api/v2/markets", "limit"),
    ):
        response = ex.call("GET", path, params={name: value})
        assert response.status_code == 400, (path, response.text)


def test_plain_ascii_values_still_work(ex: Exchange) -> None:
    assert ex.call("POST", V2_ORDERS, order_body(count="2.00")).status_code == 201
    assert ex.call("GET", "/trade-api/v2/portfolio/balance", params={"subaccount": "0"}).is_success
    deposit = ex.admin_raw("POST", "/users/alice/deposit", {"amount": "100"})
    assert deposit.status_code == 200, deposit.text
