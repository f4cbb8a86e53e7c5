"""Every command in docs/TOOLKIT.md runs, in order, against a real server it starts.

The ```sh blocks are joined into one bash script (``set -euo pipefail``) and run in a temp
directory holding a copy of ``examples/``, with the toolkit's ``augury`` on PATH, a private
credential store, and the page's port 8000 replaced by a free one. The page's "From
Python" block runs as a script of its own (the venv's interpreter) just before the last
shell block (step 6 stops the server), against the same server and credential store.
The test then checks what the page promises: credentials stored privately, a recording
with the market's fees, a paper bot's decisions, the reports, and the Python order.
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

from augury.client.recording import count_events, read_fees
from augury.client.sim.fees import FeeSchedule
from tests.e2e.server_harness import free_port

pytestmark = pytest.mark.process

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "TOOLKIT.md"


def commands() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", DOC.read_text(), flags=re.S)


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)


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
    blocks = commands()
    assert blocks[-1].startswith("kill $MAKER")  # step 6 stops the server
    [from_python] = python_blocks()
    (tmp_path / "from_python.py").write_text(from_python)
    run_python = f"{sys.executable} from_python.py > from_python.out\n"
    script = "set -euo pipefail\n" + ("".join(blocks[:-1]) + run_python + blocks[-1]).replace(
        "8000", port
    )
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
    # examples/toolkit-catalog.yaml: series KXTOOL, quadratic fees, multiplier 1.
    assert read_fees(tmp_path / "market.parquet") == {"KXTOOL-30JAN-T50": FeeSchedule()}
    assert report["fee_schedules"] == {"KXTOOL-30JAN-T50": "quadratic x1"}
    assert "data:image/png;base64," in (tmp_path / "report.html").read_text()
    assert len((tmp_path / "my-fills.jsonl").read_text().splitlines()) >= 1
    # The Python block placed an order as "me" (a fresh client_order_id from order_v2).
    order_id, client_order_id = (tmp_path / "from_python.out").read_text().split()
    assert order_id
    assert len(client_order_id) == 36
    maker = [json.loads(line) for line in (tmp_path / "maker.jsonl").read_text().splitlines()]
    assert maker[-1]["decision"] == "stop"
