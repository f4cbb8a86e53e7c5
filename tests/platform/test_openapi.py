"""``/api/openapi.json`` against the issue's contract table, row by row.

``contract_table.md`` is the table of issue 12 as written; every method of every row must
be in the served document (path parameters match whatever their names), and every
operation in the document must be served (a request to it is not 404/405).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.inprocess import InProcessExchange
from tests.platform.world import serve

TABLE = Path(__file__).with_name("contract_table.md")


def contract_rows() -> list[tuple[str, str]]:
    rows = []
    for line in TABLE.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[1].startswith("/api/"):
            continue
        methods, path = cells[0], cells[1].split("?")[0]
        for method in methods.split("/"):
            rows.append((method, path))
    return rows


def _shape(path: str) -> str:
    return re.sub(r"(\[[^\]]+\]|{[^}]+})", "{}", path)


@pytest.fixture(scope="module")
def ex(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessExchange]:
    with serve(tmp_path_factory.mktemp("openapi")) as exchange:
        yield exchange


def test_the_table_is_the_issues_table() -> None:
    rows = contract_rows()
    assert len(rows) == 38  # 29 rows; the five with several methods add 9
    assert ("GET", "/api/events/[slug]") in rows


@pytest.mark.parametrize(("method", "path"), contract_rows())
def test_every_row_is_documented(ex: InProcessExchange, method: str, path: str) -> None:
    document = ex.browser().call("GET", "/api/openapi.json").json()
    documented = {(m.upper(), _shape(p)) for p, ops in document["paths"].items() for m in ops}
    assert (method, _shape(path)) in documented


def test_every_documented_operation_is_served_and_has_schemas(ex: InProcessExchange) -> None:
    b = ex.browser()
    b.signup("openapi@example.com")
    document = b.call("GET", "/api/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    schemas = document["components"]["schemas"]
    for path, operations in document["paths"].items():
        concrete = re.sub(r"{[^}]+}", "x", path)
        for method, operation in operations.items():
            response = b.call(method.upper(), concrete, csrf=True)
            assert response.status_code not in (404, 405) or response.json()["error"] not in (
                "not found",
                "method not allowed",
            ), (method, path)
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None:
                assert body["schema"]["$ref"].rsplit("/", 1)[1] in schemas
