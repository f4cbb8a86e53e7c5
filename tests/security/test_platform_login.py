"""Login throttling per email and per address; no account enumeration by message."""

from __future__ import annotations

from pathlib import Path

from tests.platform.world import serve


def test_five_failures_lock_the_email_even_for_the_right_password(tmp_path: Path) -> None:
    with serve(tmp_path / "d") as ex:
        ex.browser().register("locked@example.com")
        attacker = ex.browser()
        for _ in range(5):
            assert attacker.login("locked@example.com", "wrong password!").status_code == 401
        from_elsewhere = ex.browser()
        response = from_elsewhere.login("locked@example.com")
        assert response.status_code == 429
        assert int(response.headers["retry-after"]) >= 1
        ex.fake_clock.advance(901 * 1_000_000_000)  # the 15-minute window has passed
        assert from_elsewhere.login("locked@example.com").status_code == 200


def test_twenty_failures_lock_the_address_across_emails(tmp_path: Path) -> None:
    with serve(tmp_path / "d") as ex:
        ex.browser().register("fine@example.com")
        attacker = ex.browser("203.0.113.7")
        for n in range(20):
            assert attacker.login(f"guess{n}@example.com", "wrong password!").status_code == 401
        assert attacker.login("fine@example.com").status_code == 429
        assert ex.browser("203.0.113.8").login("fine@example.com").status_code == 200


def test_unknown_email_and_wrong_password_look_the_same(tmp_path: Path) -> None:
    with serve(tmp_path / "d") as ex:
        ex.browser().register("known@example.com")
        known = ex.browser().login("known@example.com", "not the password")
        unknown = ex.browser().login("nobody@example.com", "not the password")
        assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
