"""Token scopes: read tokens read, write tokens write, no token manages tokens; revoked
and malformed tokens are 401."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.inprocess import Browser, InProcessExchange
from tests.platform.world import serve

WRITES = [
    (
        "POST",
        "/api/trades",
        {
            "optionId": "KXPF-RAIN-Y",
            "side": "YES",
            "action": "BUY",
            "quantity": 1,
            "priceCents": 50,
        },
    ),
    (
        "POST",
        "/api/limit-orders",
        {
            "optionId": "KXPF-RAIN-Y",
            "side": "YES",
            "action": "BUY",
            "quantity": 1,
            "limitPriceCents": 5,
        },
    ),
    ("DELETE", "/api/limit-orders/x", None),
    ("POST", "/api/positions/KXPF-RAIN-Y/protections", {"stopLossProbBps": 10}),
    ("POST", "/api/me/notifications", {"markAllRead": True}),
    ("PATCH", "/api/me/preferences", {"bio": "x"}),
    ("POST", "/api/me/trade-notes", {"body": "x"}),
    ("DELETE", "/api/me/trade-notes/1", None),
    ("POST", "/api/me/webhooks", {"url": "https://example.com/x"}),
    ("DELETE", "/api/me/webhooks/x", None),
    ("POST", "/api/watchlist", {"eventSlug": "rain-in-london-tomorrow"}),
    ("DELETE", "/api/watchlist/x", None),
    ("POST", "/api/deposits", {"amountCents": 1}),
    ("POST", "/api/withdrawals", {"amountCents": 1}),
]
SESSION_ONLY = [
    ("POST", "/api/me/tokens", {"name": "x"}),
    ("DELETE", "/api/me/tokens/x", None),
    ("POST", "/api/me/api-keys", {}),
    ("DELETE", "/api/me/api-keys/x", None),
    ("POST", "/api/auth/logout", None),
    ("POST", "/api/auth/password", {"currentPassword": "a", "newPassword": "b"}),
]
READS = [
    "/api/auth/me",
    "/api/positions",
    "/api/trades",
    "/api/limit-orders",
    "/api/me/notifications",
    "/api/me/preferences",
    "/api/me/trade-notes",
    "/api/me/webhooks",
    "/api/me/tokens",
    "/api/watchlist",
    "/api/me/trades/export",
    "/api/me/positions/export",
    "/api/me/settlements/export",
    "/api/me/cash/export",
]


@pytest.fixture(scope="module")
def tokens(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[InProcessExchange, Browser, Browser]]:
    with serve(tmp_path_factory.mktemp("scopes")) as ex:
        owner = ex.browser()
        owner.signup("scopes@example.com", dollars=10)
        reader, writer = ex.browser(), ex.browser()
        reader.token = owner.new_token(["read"])
        writer.token = owner.new_token(["read", "write"])
        yield ex, reader, writer


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_a_read_token_cannot_write(
    tokens: tuple[InProcessExchange, Browser, Browser], method: str, path: str, body: object
) -> None:
    ex, reader, _ = tokens
    ex.fake_clock.advance(61 * 1_000_000_000)  # a fresh minute of the 60-request budget
    before = ex.state()
    response = reader.call(method, path, body)
    assert response.status_code == 403
    assert response.json() == {"error": "this token lacks the write scope"}
    assert ex.state() == before


@pytest.mark.parametrize(("method", "path", "body"), SESSION_ONLY)
def test_no_token_manages_tokens_or_the_session(
    tokens: tuple[InProcessExchange, Browser, Browser], method: str, path: str, body: object
) -> None:
    _, _, writer = tokens
    response = writer.call(method, path, body)
    assert response.status_code == 403


@pytest.mark.parametrize("path", READS)
def test_a_read_token_reads(tokens: tuple[InProcessExchange, Browser, Browser], path: str) -> None:
    _, reader, _ = tokens
    assert reader.call("GET", path).status_code == 200


def test_a_write_token_writes(tokens: tuple[InProcessExchange, Browser, Browser]) -> None:
    _, _, writer = tokens
    assert writer.call("POST", "/api/me/trade-notes", {"body": "ok"}).status_code == 201


@pytest.mark.parametrize(
    "header",
    [
        "Bearer pred_" + "A" * 40,  # well formed, unknown
        "Bearer pred_short",
        "Bearer " + "x" * 45,
        "Basic dXNlcjpwYXNz",
        "Bearer pred_" + "A" * 39 + "!",
    ],
)
def test_bad_tokens_are_401(
    tokens: tuple[InProcessExchange, Browser, Browser], header: str
) -> None:
    ex, _, _ = tokens
    anon = ex.browser()
    response = anon.call("GET", "/api/auth/me", headers={"Authorization": header})
    assert response.status_code == 401
    # Even on a public endpoint a bad token is refused, never silently ignored.
    assert anon.call("GET", "/api/events", headers={"Authorization": header}).status_code == 401
