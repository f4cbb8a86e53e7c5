"""The platform on PostgreSQL: the same flows, its tables in the store's own database.

Runs when AUGURY_TEST_POSTGRES_URL is set; each test gets its own schema.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from augury.platform.backup import restore
from tests.platform.world import serve

PG_URL = os.environ.get("AUGURY_TEST_POSTGRES_URL")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(PG_URL is None, reason="AUGURY_TEST_POSTGRES_URL is not set"),
]


def _schema_url() -> Iterator[str]:
    assert PG_URL is not None
    schema = f"t_{secrets.token_hex(6)}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    separator = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from _schema_url()


@pytest.fixture
def pg_url2() -> Iterator[str]:
    yield from _schema_url()


def test_accounts_trades_notes_and_a_restore_on_postgres(
    tmp_path: Path, pg_url: str, pg_url2: str
) -> None:
    with serve(tmp_path / "a", db_url=pg_url) as ex:
        maker, taker = ex.browser(), ex.browser()
        maker.signup("pg-maker@example.com", dollars=100)
        taker.signup("pg-taker@example.com", dollars=100)
        token = taker.new_token()
        offer = {
            "optionId": "KXPF-RAIN-Y",
            "side": "NO",
            "action": "BUY",
            "quantity": 2,
            "limitPriceCents": 40,
        }
        assert maker.call("POST", "/api/limit-orders", offer).status_code == 201
        trade = {
            "optionId": "KXPF-RAIN-Y",
            "side": "YES",
            "action": "BUY",
            "quantity": 2,
            "priceCents": 60,
        }
        assert taker.call("POST", "/api/trades", trade).status_code == 201
        assert taker.call("POST", "/api/me/trade-notes", {"body": "pg"}).status_code == 201
        deadline = time.monotonic() + 10
        while not taker.call("GET", "/api/me/notifications").json()["notifications"]:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        backup = ex.call("GET", "/admin/v1/platform/backup", ex.operator)
        assert backup.status_code == 200
        (tmp_path / "b.db").write_bytes(backup.content)
    restore(tmp_path / "b.db", pg_url2)
    with serve(
        tmp_path / "b", db_url=pg_url2, catalog={"series": [], "events": [], "markets": []}
    ) as ex:
        api = ex.browser()
        api.token = token
        (position,) = api.call("GET", "/api/positions").json()["positions"]
        assert position["quantity"] == 2
        assert [n["body"] for n in api.call("GET", "/api/me/trade-notes").json()["notes"]] == ["pg"]
        # Restored ids continue past the copied rows.
        assert api.call("POST", "/api/me/trade-notes", {"body": "next"}).status_code == 201
