"""Every command in docs/TOOLKIT.md runs, in order, against a real server it starts.

The ```sh blocks are joined into one bash script (``set -euo pipefail``) and run in a temp
directory holding a copy of ``examples/``, with the toolkit's ``augury`` on PATH, a private
credential store, and the page's port 8000 replaced by a free one. The test then checks
what the page promises: credentials stored privately, a recording, a paper bot's
decisions, and the reports.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from augury.client.recording import count_events
from tests.e2e.server_harness import free_port

pytestmark = pytest.mark.process

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "TOOLKIT.md"


def commands() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", DOC.read_text(), flags=re.S)


def test_the_page_has_the_whole_walk() -> None:
    text = "".join(commands())
    for needed in (
        "augury creds add",
        "augury bot run",
        "--paper",
        "augury record",
        "augury backtest",
        "--html",
        "--compare-live",
        "augury export",
    ):
        assert needed in text


@pytest.mark.slow
def test_every_command_in_the_toolkit_walkthrough_runs(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    port = str(free_port())
    script = "set -euo pipefail\n" + "".join(commands()).replace("8000", port)
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "AUGURY_HOME": str(tmp_path / "home"),
        "NO_COLOR": "1",
        "COLUMNS": "160",
    }
    env.pop("AUGURY_URL", None)
    env.pop("AUGURY_DATA", None)
    proc = subprocess.Popen(
        ["bash", "-c", script],
        cwd=tmp_path,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 0, f"stdout:\n{out[-4000:]}\nstderr:\n{err[-4000:]}"
    creds = tmp_path / "home" / "users"
    pems = list(creds.rglob("*.pem"))
    assert len(pems) == 2
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in pems)
    assert count_events(tmp_path / "market.parquet") > 0
    paper = [json.loads(line) for line in (tmp_path / "paper.jsonl").read_text().splitlines()]
    assert {"start", "place", "stop"} <= {r["decision"] for r in paper}
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["events"] == count_events(tmp_path / "market.parquet")
    assert "data:image/png;base64," in (tmp_path / "report.html").read_text()
    assert len((tmp_path / "my-fills.jsonl").read_text().splitlines()) >= 1
    maker = [json.loads(line) for line in (tmp_path / "maker.jsonl").read_text().splitlines()]
    assert maker[-1]["decision"] == "stop"
