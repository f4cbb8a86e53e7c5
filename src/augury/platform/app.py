"""The platform's entry point for the server: the ``/api`` app and its endpoint list.

``api.app`` mounts ``PLATFORM_API`` at ``/api`` (and ``platform.admin.routes`` at
``/admin/v1/platform``), and drives ``Platform``'s lifecycle from its lifespan.
"""

from __future__ import annotations

from starlette.responses import Response

from augury.platform.endpoints import (
    account,
    exports,
    markets,
    me,
    money,
    portfolio,
    profile,
    trading,
)
from augury.platform.http import json_reply
from augury.platform.openapi import document
from augury.platform.routing import Call, Endpoint, PlatformApi
from augury.platform.service import Platform

__all__ = ["ENDPOINTS", "PLATFORM_API", "Platform"]

ENDPOINTS: list[Endpoint] = [
    *account.ENDPOINTS,
    *markets.ENDPOINTS,
    *trading.ENDPOINTS,
    *portfolio.ENDPOINTS,
    *me.ENDPOINTS,
    *exports.ENDPOINTS,
    *profile.ENDPOINTS,
    *money.ENDPOINTS,
]


async def openapi_json(call: Call) -> Response:
    return json_reply(_DOCUMENT)


ENDPOINTS.append(
    Endpoint(
        "GET",
        "/api/openapi.json",
        openapi_json,
        "public",
        "This document",
        statuses=(200, 429),
    )
)
_DOCUMENT = document(ENDPOINTS)

PLATFORM_API = PlatformApi(ENDPOINTS)
