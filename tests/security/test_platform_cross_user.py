"""Another user's resource ids answer exactly like ids that do not exist (404, same body)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from tests.inprocess import Browser, InProcessExchange
from tests.platform.world import FAST, serve

RAIN = "KXPF-RAIN-Y"


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[InProcessExchange, Browser, dict[str, Any]]]:
    settings = replace(FAST, webhooks_allow_private=True)
    with serve(tmp_path_factory.mktemp("xuser"), platform=settings) as ex:
        owner, other = ex.browser(), ex.browser()
        owner.signup("owner@example.com", dollars=100)
        other.signup("other@example.com", dollars=100)
        ids: dict[str, Any] = {}
        order = {
            "optionId": RAIN,
            "side": "YES",
            "action": "BUY",
            "quantity": 1,
            "limitPriceCents": 10,
        }
        ids["order"] = owner.call("POST", "/api/limit-orders", order).json()["order"]["id"]
        owner.call("POST", "/api/me/tokens", {"name": "t"})
        ids["token"] = owner.call("GET", "/api/me/tokens").json()["tokens"][0]["id"]
        ids["webhook"] = owner.call(
            "POST", "/api/me/webhooks", {"url": "http://127.0.0.1:9/x"}
        ).json()["webhook"]["id"]
        ids["note"] = owner.call("POST", "/api/me/trade-notes", {"body": "mine"}).json()["note"][
            "id"
        ]
        ids["api_key"] = owner.call("POST", "/api/me/api-keys", {}).json()["apiKey"]["id"]
        # The owner holds a position with a protection; the other user holds none there.
        seller = ex.browser()
        seller.signup("seller@example.com", dollars=100)
        seller.call(
            "POST",
            "/api/limit-orders",
            {"optionId": RAIN, "side": "NO", "action": "BUY", "quantity": 1, "limitPriceCents": 50},
        )
        owner.call(
            "POST",
            "/api/trades",
            {"optionId": RAIN, "side": "YES", "action": "BUY", "quantity": 1, "priceCents": 50},
        )
        assert (
            owner.call(
                "POST", f"/api/positions/{RAIN}/protections", {"stopLossProbBps": 100}
            ).status_code
            == 201
        )
        ex.admin("POST", f"/users/{owner.user['id']}/deposit", {"amount": "1"})
        yield ex, other, ids


CASES = [
    ("DELETE", "/api/limit-orders/{order}", "order", None),
    ("DELETE", "/api/me/tokens/{token}", "token", None),
    ("DELETE", "/api/me/webhooks/{webhook}", "webhook", None),
    ("DELETE", "/api/me/trade-notes/{note}", "note", None),
    ("DELETE", "/api/me/api-keys/{api_key}", "api_key", None),
]


@pytest.mark.parametrize(("method", "template", "kind", "body"), CASES)
def test_someone_elses_id_is_indistinguishable_from_an_unknown_one(
    world: tuple[InProcessExchange, Browser, dict[str, Any]],
    method: str,
    template: str,
    kind: str,
    body: Any,
) -> None:
    ex, other, ids = world
    before = ex.state()[1]
    theirs = other.call(method, template.format(**{kind: ids[kind]}), body)
    unknown_id = "9" * 12 if kind == "note" else ids[kind][:-4] + "0000"
    unknown = other.call(method, template.format(**{kind: unknown_id}), body)
    assert theirs.status_code == 404
    assert (theirs.status_code, theirs.json()) == (unknown.status_code, unknown.json())
    assert ex.state()[1] == before


def test_positions_and_protections_of_others_are_unreachable(
    world: tuple[InProcessExchange, Browser, dict[str, Any]],
) -> None:
    _ex, other, _ = world
    set_theirs = other.call("POST", f"/api/positions/{RAIN}/protections", {"stopLossProbBps": 100})
    set_unknown = other.call("POST", "/api/positions/NOPE/protections", {"stopLossProbBps": 100})
    assert set_theirs.status_code == set_unknown.status_code == 404
    assert set_theirs.json() == set_unknown.json()
    cancel_theirs = other.call("DELETE", f"/api/positions/{RAIN}/protections")
    assert cancel_theirs.status_code == 404
    assert other.call("GET", "/api/positions").json()["positions"] == []


def test_lists_show_only_your_own(world: tuple[InProcessExchange, Browser, dict[str, Any]]) -> None:
    _ex, other, ids = world
    for path, key in (
        ("/api/limit-orders", "orders"),
        ("/api/me/tokens", "tokens"),
        ("/api/me/webhooks", "webhooks"),
        ("/api/me/trade-notes", "notes"),
        ("/api/me/api-keys", "apiKeys"),
        ("/api/trades", "trades"),
        ("/api/deposits", "requests"),
    ):
        assert other.call("GET", path).json()[key] == [], path
    # Their own funding is their only notification; the owner's (id 1) is not theirs.
    mine = other.call("GET", "/api/me/notifications").json()["notifications"]
    assert [(n["kind"], n["data"]["amountCents"]) for n in mine] == [("deposit", 10_000)]
    assert 1 not in {n["id"] for n in mine}
    marked = other.call("POST", "/api/me/notifications", {"id": 1})
    assert marked.status_code == 404
    assert str(ids["order"]) not in other.call("GET", "/api/me/trades/export").text
