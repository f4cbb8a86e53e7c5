"""No route can delete or revoke the operator key (issue 10, "Medium").

Revoking the operator key locked the operator out of the admin API until a restart. The
user API's own delete refuses it (``test_admin_edges``); here every other way in is
tried, against the in-process server with the platform on:

- the admin API's revoke by id (``DELETE /admin/v1/keys/{id}``): 403, while any user's
  key is revoked by it (and then refused by the trading API);
- another user's ``DELETE /trade-api/v2/api_keys/{operator key id}``: 404, as any key
  that is not the caller's;
- a platform account's ``DELETE /api/me/api-keys/{operator key id}``: 404;
- and a ``RevokeApiKey`` of it sent straight to the sequencer, as a future route that
  forgot the check would: the engine rejects it (``invalid_parameters``), so no route can.

After each, the operator key still works (``GET /admin/v1/state``) and the journal's
state is unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from augury.api.context import OPERATOR_USER
from augury.engine import commands as c
from tests.inprocess import InProcessExchange, Key
from tests.platform.world import serve

ADMIN = "/admin/v1"


@pytest.fixture(scope="module")
def ex(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessExchange]:
    with serve(tmp_path_factory.mktemp("operator-key")) as exchange:
        yield exchange


def _user_key(ex: InProcessExchange, name: str) -> Key:
    ex.admin("POST", "/users", {"name": name, "deposit": "10"})
    key = ex.admin("POST", "/keys/generate", {"user": name, "type": "ed25519"})
    return Key(key["api_key_id"], key["private_key"])


def _operator_still_works(ex: InProcessExchange, before: tuple[int, str]) -> None:
    assert ex.call("GET", f"{ADMIN}/state", ex.operator).status_code == 200
    assert ex.state() == before  # nothing was journaled


def test_the_admin_api_revokes_a_users_key_but_never_the_operators(ex: InProcessExchange) -> None:
    key = _user_key(ex, "leaky")
    balance = "/trade-api/v2/portfolio/balance"
    assert ex.call("GET", balance, key).status_code == 200
    revoked = ex.call("DELETE", f"{ADMIN}/keys/{key[0]}", ex.operator)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json() == {"api_key_id": key[0], "user_id": "leaky", "revoked": True}
    assert ex.call("GET", balance, key).status_code == 401
    again = ex.call("DELETE", f"{ADMIN}/keys/{key[0]}", ex.operator)
    assert again.status_code == 404

    before = ex.state()
    refused = ex.call("DELETE", f"{ADMIN}/keys/{ex.operator[0]}", ex.operator)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    _operator_still_works(ex, before)


def test_a_user_key_cannot_reach_the_operator_key_or_the_revoke_route(
    ex: InProcessExchange,
) -> None:
    key = _user_key(ex, "mallory")
    before = ex.state()
    path = f"/trade-api/v2/api_keys/{ex.operator[0]}"
    assert ex.call("DELETE", path, key).status_code == 404
    # The admin route itself wants the admin scope.
    assert ex.call("DELETE", f"{ADMIN}/keys/{ex.operator[0]}", key).status_code == 403
    _operator_still_works(ex, before)


def test_a_platform_account_cannot_delete_the_operator_key(ex: InProcessExchange) -> None:
    browser = ex.browser()
    browser.signup("not-the-operator@example.com")
    before = ex.state()
    response = browser.call("DELETE", f"/api/me/api-keys/{ex.operator[0]}")
    assert response.status_code == 404, response.text
    _operator_still_works(ex, before)


def test_the_engine_rejects_revoking_the_operator_key_whoever_asks(ex: InProcessExchange) -> None:
    sequencer = ex.app.state.context.runtime.sequencer
    revoke = c.RevokeApiKey(api_key_id=ex.operator[0], user_id=OPERATOR_USER)
    outcome = ex.portal.call(sequencer.submit, revoke)
    assert outcome.reject is not None
    assert outcome.reject.reason.value == "invalid_parameters"
    assert "operator key" in outcome.reject.message
    assert ex.app.state.context.queries.api_key(ex.operator[0]) is not None
    assert ex.call("GET", f"{ADMIN}/state", ex.operator).status_code == 200
