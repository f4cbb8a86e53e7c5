"""The hot V2 order routes are tried first, outside the API mount, and shadow nothing."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Mount, Route

from augury.api.app import create_app
from augury.api.ratelimit import API_PREFIX
from augury.api.routes import orders
from augury.api.settings import Settings


def _top_routes(tmp_path: Path) -> list[BaseRoute]:
    return list(create_app(Settings(data_dir=tmp_path / "data")).router.routes)


def _mounted_api_routes(tmp_path: Path) -> list[Route]:
    mount = next(r for r in _top_routes(tmp_path) if isinstance(r, Mount) and r.path == API_PREFIX)
    routes = [r for r in mount.routes if isinstance(r, Route)]
    assert len(routes) == len(mount.routes)
    return routes


def test_order_routes_come_first_under_their_full_path(tmp_path: Path) -> None:
    first = _top_routes(tmp_path)[: len(orders.routes)]
    assert all(isinstance(route, Route) for route in first)
    assert [(r.path, r.endpoint, r.methods) for r in first if isinstance(r, Route)] == [
        (API_PREFIX + r.path, r.endpoint, r.methods) for r in orders.routes
    ]


def test_no_other_route_overlaps_the_order_routes(tmp_path: Path) -> None:
    # Starlette takes the first full match, so serving the order routes first is only safe
    # while no other API route can match a path under /portfolio/events/orders: none starts
    # with a parameter or lies under that prefix, and no order route matches another
    # route's sample path.
    prefix = "/portfolio/events/orders"
    others = _mounted_api_routes(tmp_path)
    assert not {r.path for r in others} & {r.path for r in orders.routes}
    for route in others:
        assert not route.path.startswith("/{"), route.path
        assert not route.path.startswith(prefix), route.path
        sample = route.path.replace("{", "").replace("}", "")
        for hot in orders.routes:
            assert not hot.path_regex.match(sample), (hot.path, route.path)
