"""The platform's entry points for the server: the ``/api`` app and the admin routes.

``api.app`` mounts ``PLATFORM_API`` at ``/api`` and ``admin_routes`` at
``/admin/v1/platform``, and drives ``Platform``'s lifecycle from its lifespan.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from augury.platform.endpoints import account, markets, me, portfolio, profile, trading
from augury.platform.routing import Endpoint, PlatformApi
from augury.platform.service import Platform

__all__ = ["ENDPOINTS", "PLATFORM_API", "Platform", "admin_routes"]

ENDPOINTS: list[Endpoint] = [
    *account.ENDPOINTS,
    *markets.ENDPOINTS,
    *trading.ENDPOINTS,
    *portfolio.ENDPOINTS,
    *me.ENDPOINTS,
    *profile.ENDPOINTS,
]

PLATFORM_API = PlatformApi(ENDPOINTS)

admin_routes: list[BaseRoute] = []
