"""Account API limits and endpoint costs (CONTRACT §4.12, §10).

Rate limits are two token buckets, read and write, refilled ``refill_rate`` tokens per
second up to ``bucket_capacity``. A request costs ``default_cost`` tokens (10) unless
``endpoint_costs`` lists another price for its method and path.
"""

from augury.api.schemas.base import WireResponse
from augury.api.schemas.enums import ExchangeInstance

__all__ = [
    "ApiUsageLevelGrant",
    "BucketLimit",
    "EndpointTokenCost",
    "GetAccountApiLimitsResponse",
    "GetAccountEndpointCostsResponse",
]


class BucketLimit(WireResponse, kw_only=True):
    refill_rate: int
    bucket_capacity: int


class ApiUsageLevelGrant(WireResponse, kw_only=True):
    exchange_instance: ExchangeInstance
    level: str
    # Unix seconds; absent for a permanent grant.
    expires_ts: int | None = None
    # "volume" (earned) or "manual" (assigned).
    source: str


class GetAccountApiLimitsResponse(WireResponse, kw_only=True):
    usage_tier: str
    read: BucketLimit
    write: BucketLimit
    grants: list[ApiUsageLevelGrant]


class EndpointTokenCost(WireResponse, kw_only=True):
    method: str
    path: str
    cost: int


class GetAccountEndpointCostsResponse(WireResponse, kw_only=True):
    default_cost: int
    endpoint_costs: list[EndpointTokenCost]
