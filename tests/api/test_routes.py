"""The hot V2 order routes are tried first, and moving them there shadows nothing."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import Mount, Route

from augury.api.app import create_app
from augury.api.routes import orders
from augury.api.settings import Settings


def _api_routes(tmp_path: Path) -> list[Route]:
    app = create_app(Settings(data_dir=tmp_path / "data"))
    mount = next(r for r in app.router.routes if isinstance(r, Mount) and r.path == "/trade-api/v2")
    routes = [r for r in mount.routes if isinstance(r, Route)]
    assert len(routes) == len(mount.routes)
    return routes


def test_order_routes_come_first(tmp_path: Path) -> None:
    routes = _api_routes(tmp_path)
    assert routes[: len(orders.routes)] == orders.routes


def test_no_other_route_overlaps_the_order_routes(tmp_path: Path) -> None:
    # Starlette takes the first full match, so the move is only safe while no other route
    # can match a path under /portfolio/events/orders: none starts with a parameter or
    # lies under that prefix, and no order route matches another route's sample path.
    prefix = "/portfolio/events/orders"
    others = _api_routes(tmp_path)[len(orders.routes) :]
    for route in others:
        assert not route.path.startswith("/{"), route.path
        assert not route.path.startswith(prefix), route.path
        sample = route.path.replace("{", "").replace("}", "")
        for hot in orders.routes:
            assert not hot.path_regex.match(sample), (hot.path, route.path)
