"""The seed integration API end to end: the real server, a client written from the contract.

``augury serve`` runs in a subprocess; accounts and tokens are made through the platform
(``/api``) and money and market states through the operator's ``/admin/v1``, as an
operator would. Everything seed-side goes through ``contract_client`` (which knows only
docs/seed-api.md), and every expected number is worked out by hand from the contract and
Kalshi's fee rule: a taker selling 4 YES at the resting 0.56 bid pays
ceil_to_cent(0.07 x 4 x 0.56 x 0.44) = $0.07 in total, as 0.0690 in fees plus the
balance floored to the cent.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.e2e.server_harness import CATALOG, Server
from tests.seed.contract_client import ContractError, SeedClient, SeedSocket

pytestmark = pytest.mark.process

T1, T2, T3 = "KXTEST-26DEC-T1", "KXTEST-26DEC-T2", "KXTEST-26DEC-T3"
MAKER = "KXMAKER-26DEC-B1"
PASSWORD = "correct horse battery"
D = Decimal


def join(
    server: Server, email: str, dollars: str, scopes: list[str] | None = None
) -> tuple[str, str]:
    """A platform account with a token; returns (account id, token)."""
    with httpx.Client(base_url=server.url, timeout=30) as http:
        made = http.post("/api/auth/register", json={"email": email, "password": PASSWORD})
        assert made.status_code == 201, made.text
        login = http.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        account: str = login.json()["user"]["id"]
        minted = http.post(
            "/api/me/tokens",
            json={"name": "seed", "scopes": scopes or ["read", "write"]},
            headers={"X-CSRF-Token": login.json()["csrfToken"]},
        )
        assert minted.status_code == 201, minted.text
    if dollars != "0":
        server.admin("POST", f"/users/{account}/deposit", {"amount": dollars})
    return account, minted.json()["secret"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("seed-e2e") / "data")
    srv.start()
    srv.admin("POST", "/catalog", CATALOG)
    yield srv
    srv.close()


_OPEN: list[SeedClient] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().close()


def seed(server: Server, token: str | None) -> SeedClient:
    made = SeedClient(server.url, token)
    _OPEN.append(made)
    return made


def refused(call: Any) -> ContractError:
    with pytest.raises(ContractError) as caught:
        call()
    return caught.value


def test_trading_journey(server: Server) -> None:
    alice_id, alice_token = join(server, "alice-seed@example.org", "100")
    bob_id, bob_token = join(server, "bob-seed@example.org", "100")
    alice, bob = seed(server, alice_token), seed(server, bob_token)

    assert alice.account(alice_id) == {
        "account_id": alice_id,
        "currency": "USD",
        "balance": D("100"),
        "available_balance": D("100"),
        "reserved_balance": D("0"),
    }
    listing = alice.markets(status="active")
    assert [m["ticker"] for m in listing["markets"]] == [MAKER, T1, T2, T3]
    assert (listing["total"], listing["limit"], listing["offset"]) == (4, 100, 0)
    page = alice.markets(status="active", limit=2, offset=1)
    assert [m["ticker"] for m in page["markets"]] == [T1, T2]
    assert alice.markets(status="settled")["markets"] == []
    fresh = alice.market(T1)
    assert (fresh["status"], fresh["yes_bid"], fresh["yes_ask"], fresh["last_price"]) == (
        "active",
        None,
        None,
        None,
    )

    bid = alice.place(T1, "buy", 10, D("0.56"))
    assert (bid["status"], bid["side"], bid["price"], bid["size"]) == ("open", "buy", D("0.56"), 10)
    assert (bid["filled_size"], bid["remaining_size"], bid["average_fill_price"]) == (0, 10, None)
    held = alice.account(alice_id)
    assert held["balance"] == D("100")
    assert held["reserved_balance"] + held["available_balance"] == D("100")
    assert held["reserved_balance"] >= D("5.60")  # 10 x 0.56 and its worst-case fee

    sold = bob.place(T1, "sell", 4, "0.50")  # prices may be decimal strings too
    assert (sold["status"], sold["filled_size"], sold["remaining_size"]) == ("filled", 4, 0)
    assert sold["average_fill_price"] == D("0.56")  # the maker's price
    assert bob.account(bob_id)["balance"] == D("98.17")  # 100 - 4 x 0.44 - 0.07
    assert bob.positions(bob_id) == [
        {
            "ticker": T1,
            "size": -4,
            "cost_basis": D("1.76"),
            "realized_pnl": D("0"),
            "fees_paid": D("0.069"),
            "market_status": "active",
        }
    ]
    (alice_position,) = alice.positions(alice_id)
    assert (alice_position["size"], alice_position["cost_basis"]) == (4, D("2.24"))

    detail = alice.order(bid["order_id"])
    assert (detail["order"]["filled_size"], detail["order"]["remaining_size"]) == (4, 6)
    assert [(f["price"], f["size"], f["side"], f["is_taker"]) for f in detail["fills"]] == [
        (D("0.56"), 4, "buy", False)
    ]
    (bob_fill,) = bob.fills()
    assert (bob_fill["order_id"], bob_fill["size"], bob_fill["fee"]) == (
        sold["order_id"],
        4,
        D("0.069"),
    )
    assert bob.fills(ticker=T2) == []
    quote = alice.market(T1)
    assert (quote["yes_bid"], quote["last_price"], quote["volume"]) == (D("0.56"), D("0.56"), 4)

    # Someone else's order and account answer exactly like unknown ones.
    for call in (lambda: bob.order(bid["order_id"]), lambda: bob.order("no-such-order")):
        assert (refused(call).status, refused(call).code) == (404, "ORDER_NOT_FOUND")
    assert refused(lambda: bob.cancel(bid["order_id"])).code == "ORDER_NOT_FOUND"
    for account in (alice_id, "nobody-at-all"):
        error = refused(lambda account=account: bob.account(account))
        assert (error.status, error.code) == (404, "ACCOUNT_NOT_FOUND")

    canceled = alice.cancel(bid["order_id"])
    assert (canceled["status"], canceled["filled_size"]) == ("canceled", 4)
    assert alice.account(alice_id)["reserved_balance"] == D("0")
    assert alice.account(alice_id)["balance"] == D("97.76")
    assert refused(lambda: alice.cancel(bid["order_id"])).code == "ORDER_NOT_FOUND"


def test_refusals_carry_the_contract_codes(server: Server) -> None:
    carol_id, carol_token = join(server, "carol-seed@example.org", "1")
    carol = seed(server, carol_token)
    before = carol.account(carol_id)

    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"price": D("1.5")}, 400, "INVALID_ORDER"),
        ({"price": D("0")}, 400, "INVALID_ORDER"),
        ({"price": D("0.555")}, 400, "INVALID_ORDER"),  # not on the cent grid
        ({"size": 0}, 400, "INVALID_ORDER"),
        ({"size": D("0.5")}, 400, "INVALID_ORDER"),  # whole contracts on this market
        ({"side": "hold"}, 400, "INVALID_ORDER"),
        ({"type": "market"}, 400, "INVALID_ORDER"),
        ({"time_in_force": "ioc"}, 400, "INVALID_ORDER"),
        ({"ticker": "KXNOPE-1"}, 404, "MARKET_NOT_FOUND"),
        ({"size": 10}, 400, "INSUFFICIENT_BALANCE"),  # $5 of YES with $1
    ]
    for change, status, code in cases:
        body = {
            "ticker": T2,
            "side": "buy",
            "type": "limit",
            "size": 2,
            "price": D("0.50"),
            "time_in_force": "gtc",
            **change,
        }
        error = refused(lambda body=body: carol.raw_order(body))
        assert (error.status, error.code) == (status, code), change
    assert refused(lambda: carol.market("KXNOPE-1")).code == "MARKET_NOT_FOUND"
    assert refused(lambda: carol.markets(status="open")).code == "INVALID_REQUEST"
    assert refused(lambda: carol.markets(limit=101)).code == "INVALID_REQUEST"
    assert carol.account(carol_id) == before  # no refusal moved any money

    reader_id, reader_token = join(server, "reader-seed@example.org", "10", ["read"])
    reader = seed(server, reader_token)
    assert reader.account(reader_id)["balance"] == D("10")
    error = refused(lambda: reader.place(T2, "buy", 1, D("0.10")))
    assert (error.status, error.code) == (403, "FORBIDDEN")

    for token in (None, "pred_" + "0" * 40, "not-a-token"):
        nobody = seed(server, token)
        error = refused(nobody.markets)
        assert (error.status, error.code) == (401, "INVALID_API_KEY")


def test_market_states_and_order_rate(server: Server) -> None:
    _, dave_token = join(server, "dave-seed@example.org", "100")
    dave = seed(server, dave_token)
    server.admin("POST", f"/markets/{T3}/close")
    error = refused(lambda: dave.place(T3, "buy", 1, D("0.20")))
    assert (error.status, error.code) == (409, "MARKET_CLOSED")
    assert T3 in [m["ticker"] for m in dave.markets(status="closed")["markets"]]
    server.admin("POST", f"/markets/{T3}/settle", {"result": "yes"})
    settled = dave.market(T3)
    assert (settled["status"], settled["result"]) == ("settled", "yes")

    # The refused order on the closed market counted: it was answered, not rate limited.
    for _ in range(9):
        dave.place(MAKER, "buy", 1, D("0.01"))
    error = refused(lambda: dave.place(MAKER, "buy", 1, D("0.01")))
    assert (error.status, error.code) == (429, "RATE_LIMIT_EXCEEDED")
    assert error.retry_after is not None
    assert 1 <= error.retry_after <= 60
    assert error.retry_after_header == str(error.retry_after)
    assert dave.market(MAKER)["status"] == "active"  # market data is counted apart


def test_websocket_updates(server: Server) -> None:
    erin_id, erin_token = join(server, "erin-seed@example.org", "100")
    _, frank_token = join(server, "frank-seed@example.org", "100")
    erin, frank = seed(server, erin_token), seed(server, frank_token)
    with SeedSocket(server.url) as socket:
        assert socket.auth(erin_token) == {"type": "authenticated", "account_id": erin_id}
        assert socket.subscribe("account") == {"type": "subscribed", "channel": "account"}
        first = socket.until("account_update")["data"]
        assert first == erin.account(erin_id)
        assert socket.subscribe("market", T2)["ticker"] == T2
        assert socket.until("market_update")["data"]["ticker"] == T2
        assert socket.subscribe("orders")["channel"] == "orders"

        resting = erin.place(T2, "buy", 5, D("0.40"))
        created = socket.until("order_update")["data"]
        assert (created["order_id"], created["status"], created["remaining_size"]) == (
            resting["order_id"],
            "open",
            5,
        )
        frank.place(T2, "sell", 2, D("0.40"))
        seen = socket.collect(
            {
                "order_update": lambda m: m["data"]["order_id"] == resting["order_id"],
                "market_update": lambda m: m["data"]["last_price"] is not None,
                "account_update": lambda m: m["data"]["balance"] != first["balance"],
            }
        )
        filled = seen["order_update"]["data"]
        assert (filled["filled_size"], filled["remaining_size"], filled["status"]) == (2, 3, "open")
        market = seen["market_update"]["data"]
        assert (market["last_price"], market["volume"], market["yes_bid"]) == (
            D("0.40"),
            2,
            D("0.40"),
        )
        # 2 x 0.40 paid by the maker; no maker fee on a quadratic series.
        assert seen["account_update"]["data"]["balance"] == D("99.20")

        socket.send({"type": "subscribe", "channel": "market", "ticker": "KXNOPE-1"})
        assert socket.until("error")["error"]["code"] == "MARKET_NOT_FOUND"
        socket.send({"type": "subscribe", "channel": "weather"})
        assert socket.until("error")["error"]["code"] == "INVALID_REQUEST"
