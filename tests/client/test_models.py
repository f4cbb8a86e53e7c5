"""The generated models and endpoint calls match the digest, and cover every served route."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.routing import Mount, Route

from augury.api.app import create_app
from augury.api.routes.unserved import UNSERVED
from augury.api.settings import Settings
from augury.api.tutorials import routes as tutorial_routes
from tests.client import model_codegen

pytestmark = pytest.mark.process


def test_generated_files_are_up_to_date() -> None:
    for path, text in model_codegen.generated().items():
        assert path.read_text() == text, f"{path} drifted: run python -m tests.client.model_codegen"


def _server_routes(tmp_path: Path) -> set[tuple[str, str]]:
    app = create_app(Settings(data_dir=tmp_path / "data"))
    found: set[tuple[str, str]] = set()
    for route in app.router.routes:
        routes = route.routes if isinstance(route, Mount) else [route]
        prefix = route.path if isinstance(route, Mount) else ""
        for inner in routes:
            if not isinstance(inner, Route):
                continue
            path = (prefix + inner.path).removeprefix("/trade-api/v2")
            if (prefix + inner.path).startswith("/trade-api/v2"):
                found |= {(m, path) for m in inner.methods or () if m != "HEAD"}
    return found


LEGACY = {
    ("POST", "/portfolio/orders"),
    ("POST", "/portfolio/orders/batched"),
    ("DELETE", "/portfolio/orders/batched"),
    ("DELETE", "/portfolio/orders/{order_id}"),
    ("POST", "/portfolio/orders/{order_id}/amend"),
    ("POST", "/portfolio/orders/{order_id}/decrease"),
}


def _refusing_routes() -> set[tuple[str, str]]:
    """Routes that exist only to refuse: contract endpoints answered 501, and the forms of
    old tutorials (refused with a fix unless ``--compat tutorials``). No client call is owed."""
    refused = {(method, path) for method, path, _summary in UNSERVED}
    for route in tutorial_routes:
        if isinstance(route, Route):
            refused |= {(m, route.path) for m in route.methods or () if m != "HEAD"}
    return refused


def test_every_kalshi_route_the_server_serves_has_a_client_call(tmp_path: Path) -> None:
    served = _server_routes(tmp_path) - _refusing_routes()
    covered = set(model_codegen.SERVED) | LEGACY
    assert served - covered == set()
    assert covered - served == set()
