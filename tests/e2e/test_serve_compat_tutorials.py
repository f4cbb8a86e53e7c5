"""``augury serve --compat tutorials``, started through its command-line flag.

The in-process tests (``tests/api/test_tutorials.py``) build the app with
``compat_tutorials=True``; this one proves the flag reaches it: a real server started as
``augury serve --compat tutorials`` accepts three of the tutorials' forms a default server
refuses (a signature over the path without ``/trade-api/v2``, ``status=active``,
``GET /markets/{ticker}/trades``), and the CLI refuses ``--compat`` with ``--profile
2026`` as docs/compat-tutorials.md says.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from augury.api.auth import signing_headers
from tests.e2e.server_harness import AUGURY, CATALOG, Server

pytestmark = pytest.mark.process

T1 = "KXTEST-26DEC-T1"


def test_the_compat_flag_reaches_the_server(tmp_path: Path) -> None:
    server = Server(tmp_path / "data", extra=["--compat", "tutorials"])
    server.start()
    try:
        server.admin("POST", "/catalog", CATALOG)
        key_id, pem = server.user("tutor", "100", "ed25519")
        # The tutorials' signature: the path without the /trade-api/v2 prefix.
        headers = signing_headers(pem, key_id, "GET", "/portfolio/balance", int(time.time() * 1000))
        balance = server.http.get("/trade-api/v2/portfolio/balance", headers=headers)
        assert balance.status_code == 200, balance.text
        assert balance.json()["balance"] == 10_000  # $100 in cents
        active = server.http.get("/trade-api/v2/markets?status=active")
        assert active.status_code == 200, active.text
        assert {m["status"] for m in active.json()["markets"]} == {"active"}
        trades = server.http.get(f"/trade-api/v2/markets/{T1}/trades")
        assert (trades.status_code, trades.json()["trades"]) == (200, [])
    finally:
        server.close()


def test_compat_and_the_2026_profile_do_not_combine(tmp_path: Path) -> None:
    args = [str(AUGURY), "serve", "--data", str(tmp_path / "data"), "--port", "0"]
    done = subprocess.run(
        [*args, "--compat", "tutorials", "--profile", "2026"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr  # click's usage error
    assert "no --compat" in done.stderr
    assert not (tmp_path / "data").exists()  # refused before anything was created
