"""The hot V2 order routes are tried first, outside the API mount, and shadow nothing."""

from __future__ import annotations

import json
from pathlib import Path

from starlette.routing import BaseRoute, Match, Mount, Route

from augury.api.app import create_app
from augury.api.ratelimit import API_PREFIX
from augury.api.routes import orders
from augury.api.settings import Settings

DIGEST = Path(__file__).parents[1] / "fixtures" / "kalshi-python-sync-3.34.0-digest.json"


def _top_routes(tmp_path: Path) -> list[BaseRoute]:
    return list(create_app(Settings(data_dir=tmp_path / "data")).router.routes)


def _mounted_api_routes(tmp_path: Path) -> list[Route]:
    mount = next(r for r in _top_routes(tmp_path) if isinstance(r, Mount) and r.path == API_PREFIX)
    routes = [r for r in mount.routes if isinstance(r, Route)]
    assert len(routes) == len(mount.routes)
    return routes


def _contract_order_writes() -> set[tuple[str, str]]:
    """(method, full path) of every V2 order write, read from the SDK 3.34 digest."""
    digest = json.loads(DIGEST.read_text())
    return {
        (e["method"], e["path"])
        for e in digest["endpoints"]
        if e["path"].startswith("/trade-api/v2/portfolio/events/orders")
    }


def _first_full_match(routes: list[BaseRoute], method: str, path: str) -> int:
    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    for index, route in enumerate(routes):
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return index
    raise AssertionError(f"nothing serves {method} {path}")


def test_order_routes_come_first_under_their_full_path(tmp_path: Path) -> None:
    # The expectation is the contract's list of V2 order writes (seven, among them
    # cancel-all), not the app's own route list: each is answered by a top-level Route
    # placed before any Mount, so an order write never enters the API mount.
    writes = _contract_order_writes()
    assert len(writes) == 7
    top = _top_routes(tmp_path)
    first_mount = next(i for i, r in enumerate(top) if isinstance(r, Mount))
    assert all(isinstance(r, Route) for r in top[:first_mount])
    served = {
        (method, r.path)
        for r in top[:first_mount]
        if isinstance(r, Route)
        for method in r.methods or ()
    }
    assert served - {("HEAD", path) for _, path in writes} == writes
    for method, template in sorted(writes):
        path = template.replace("{order_id}", "ord-1")
        assert _first_full_match(top, method, path) < first_mount, (method, path)


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
