"""Account API limits: ``GET /account/limits`` and ``GET /account/endpoint_costs``.

Both answer from the tables the rate limiter enforces (``augury.api.ratelimit``), so what a
client reads is what it is billed: the caller's effective tier and its two bucket budgets,
and every endpoint whose price differs from the 10-token default (per item for batches).
Paths are published as live Kalshi writes them, path parameters as ``:name``
(``/trade-api/v2/portfolio/events/orders/:order_id``): clients compile these strings
into their own limiters. ``grants`` is always empty: Augury has no volume-earned or
manually granted usage levels, only the tier the operator sets. With rate limits off,
every caller is reported ``unlimited`` with the int32 maximum as both budgets.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from augury.api.context import json_response
from augury.api.ratelimit import API_PREFIX, DEFAULT_COST, ENDPOINT_COSTS, RateLimiter
from augury.api.routes.orders import ctx
from augury.api.schemas import account as wa

__all__ = ["limiter", "routes"]


def limiter(request: Request) -> RateLimiter:
    """Return the app's rate limiter (built by ``create_app``)."""
    found: RateLimiter = request.app.state.limiter
    return found


async def get_limits(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "read")
    the_limiter = limiter(request)
    user = context.exchange.users.get(record.user_id)
    tier = the_limiter.effective_tier(user.tier if user is not None else None)
    read = the_limiter.spec(tier, "read")
    write = the_limiter.spec(tier, "write")
    return json_response(
        wa.GetAccountApiLimitsResponse(
            usage_tier=tier,
            read=wa.BucketLimit(refill_rate=read.refill_rate, bucket_capacity=read.bucket_capacity),
            write=wa.BucketLimit(
                refill_rate=write.refill_rate, bucket_capacity=write.bucket_capacity
            ),
            grants=[],
        )
    )


def _colon_params(template: str) -> str:
    """``/orders/{order_id}`` -> ``/orders/:order_id`` (live Kalshi's notation)."""
    return re.sub(r"\{([a-z_]+)\}", r":\1", template)


async def get_endpoint_costs(_request: Request) -> Response:
    return json_response(
        wa.GetAccountEndpointCostsResponse(
            default_cost=DEFAULT_COST,
            endpoint_costs=[
                wa.EndpointTokenCost(
                    method=entry.method,
                    path=API_PREFIX + _colon_params(entry.path),
                    cost=entry.cost,
                )
                for entry in ENDPOINT_COSTS
                if entry.cost != DEFAULT_COST
            ],
        )
    )


routes = [
    Route("/account/limits", get_limits, methods=["GET"]),
    Route("/account/endpoint_costs", get_endpoint_costs, methods=["GET"]),
]
