"""Run the real ``augury serve`` in a subprocess and talk to it like a user would.

The harness owns a data directory and a port; it can start the server, stop it cleanly,
``kill -9`` it, and make signed admin and trading calls (the same signing code the CLI
uses, over plain httpx) or hand out official-SDK clients.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from augury.api.auth import signing_headers

ROOT = Path(__file__).resolve().parents[2]
AUGURY = Path(sys.executable).parent / "augury"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """One exchange server on a data directory."""

    def __init__(
        self, data: Path, *, extra: list[str] | None = None, db: str | None = None
    ) -> None:
        self.data = data
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.extra = extra or []
        self.db = db
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data.parent / f"{data.name}-server.log"
        self.http = httpx.Client(base_url=self.url, timeout=30)
        # A command the server runs under (e.g. valgrind in bench/rest_cpu.py), and how
        # long a start may take before it counts as failed.
        self.launcher: list[str] = []
        self.start_timeout_s = 60.0

    def start(self) -> None:
        args = [
            *self.launcher,
            str(AUGURY),
            "serve",
            "--data",
            str(self.data),
            "--port",
            str(self.port),
            "--log-level",
            "warning",
            *self.extra,
        ]
        if self.db:
            args += ["--db", self.db]
        engine = os.environ.get("AUGURY_TEST_ENGINE")
        if engine and "--engine" not in self.extra:
            args += ["--engine", engine]  # else the server's default (native where built)
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if (
                    self.http.get("/trade-api/v2/exchange/status").status_code == 200
                    and (self.data / "operator_key_id").exists()
                    and self.admin("GET", "/state").get("last_seq", 0) > 0
                ):
                    return
            except (httpx.HTTPError, json.JSONDecodeError, KeyError):
                pass
            time.sleep(0.05)
        raise RuntimeError("server did not start in time")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            self.proc.wait(timeout=60)
        self.proc = None

    def kill(self) -> None:
        if self.proc is not None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
        self.proc = None

    def signed(
        self,
        method: str,
        path: str,
        key_id: str,
        pem: str,
        body: Any = None,
        params: dict[str, Any] | None = None,
    ) -> httpx.Response:
        ts_ms = int(time.time() * 1000)
        headers = signing_headers(pem, key_id, method, path, ts_ms)
        return self.http.request(method, path, json=body, headers=headers, params=params)

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        key_id = (self.data / "operator_key_id").read_text().strip()
        pem = (self.data / "operator_key.pem").read_text()
        response = self.signed(method, f"/admin/v1{path}", key_id, pem, body)
        if response.status_code >= 400:
            raise RuntimeError(f"admin {method} {path}: {response.status_code} {response.text}")
        return response.json()

    def user(self, name: str, dollars: str, key_type: str = "rsa") -> tuple[str, str]:
        """Create a funded user with a generated key; return (api_key_id, private_pem)."""
        self.admin("POST", "/users", {"name": name, "deposit": dollars})
        key = self.admin("POST", "/keys/generate", {"user": name, "type": key_type})
        return key["api_key_id"], key["private_key"]

    def sdk(self, key_id: str, pem: str) -> Any:
        from kalshi_python_sync import Configuration, KalshiClient

        config = Configuration(host=f"{self.url}/trade-api/v2")
        config.api_key_id = key_id
        config.private_key_pem = pem
        return KalshiClient(config)

    def close(self) -> None:
        self.stop()
        self.http.close()


CATALOG: dict[str, list[dict[str, Any]]] = {
    "series": [
        {
            "ticker": "KXTEST",
            "title": "Test series",
            "category": "Economics",
            "frequency": "daily",
            "fee_type": "quadratic",
            "fee_multiplier": 1,
        },
        {
            "ticker": "KXMAKER",
            "title": "Maker-fee series",
            "category": "Crypto",
            "frequency": "daily",
            "fee_type": "quadratic_with_maker_fees",
            "fee_multiplier": 1,
        },
    ],
    "events": [
        {
            "event_ticker": "KXTEST-26DEC",
            "series_ticker": "KXTEST",
            "title": "Test event",
            "sub_title": "Dec 2026",
            "mutually_exclusive": False,
        },
        {
            "event_ticker": "KXMAKER-26DEC",
            "series_ticker": "KXMAKER",
            "title": "Maker event",
            "sub_title": "Dec 2026",
        },
    ],
    "markets": [
        {
            "ticker": f"KXTEST-26DEC-T{i}",
            "event_ticker": "KXTEST-26DEC",
            "title": f"Above {i}?",
            "yes_sub_title": f"Above {i}",
            "no_sub_title": f"{i} or below",
            "open_time": "2026-01-01T00:00:00Z",
            "close_time": "2030-01-01T00:00:00Z",
            "rules_primary": "Resolves yes if the value is above the strike.",
        }
        for i in (1, 2, 3)
    ]
    + [
        {
            "ticker": "KXMAKER-26DEC-B1",
            "event_ticker": "KXMAKER-26DEC",
            "title": "Maker market",
            "yes_sub_title": "Yes",
            "no_sub_title": "No",
            "open_time": "2026-01-01T00:00:00Z",
            "close_time": "2030-01-01T00:00:00Z",
        },
    ],
}
