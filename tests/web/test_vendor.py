"""Every vendored front-end file matches the version and SHA-256 its VENDOR.md records.

A vendored file changed by hand (or replaced by another version without updating the
table) fails here, so the table stays the truth about what the server ships.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TABLES = [
    ROOT / "src" / "augury" / "web" / "static" / "vendor" / "VENDOR.md",
    ROOT / "tests" / "web" / "vendor" / "VENDOR.md",
]
ROW = re.compile(
    r"^\| `(?P<file>[^`]+)` \| `(?P<package>[^`]+)` "
    r"\| (?P<licence>[^|]+) \| `(?P<sha>[0-9a-f]{64})` \|$"
)


def _rows() -> list[tuple[Path, str, str]]:
    rows = []
    for table in TABLES:
        for line in table.read_text().splitlines():
            match = ROW.match(line)
            if match:
                rows.append((table.parent / match["file"], match["package"], match["sha"]))
    return rows


def test_every_vendored_file_is_in_a_table() -> None:
    listed = {path for path, _, _ in _rows()}
    present = {path for table in TABLES for path in table.parent.iterdir() if path.suffix == ".js"}
    assert present == listed


@pytest.mark.parametrize(("path", "package", "sha"), _rows(), ids=lambda v: str(v)[-40:])
def test_vendored_file_matches_its_checksum(path: Path, package: str, sha: str) -> None:
    version = package.rsplit("@", 1)[1]
    assert version in path.name, f"{path.name} does not carry the version of {package}"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == sha
