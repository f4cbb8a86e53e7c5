"""``augury.client``: a Kalshi Trade API v2 client and the trader's toolkit around it.

It imports nothing from the exchange's server side (``tests/client/test_client_isolation``
enforces it), so it works the same against Augury and against Kalshi, and could ship as a
distribution of its own. Layers:

- ``hosts`` (prod/demo/local/URL), ``signing`` (RSA-PSS, Ed25519), ``errors``;
- ``call`` + ``endpoints`` (one function per endpoint, generated) + ``models.wire``;
- ``sync.Client`` / ``aio.AsyncClient`` with ``retry`` policies, the client-side
  ``ratelimit`` limiter, the ``cache`` and ``pagination``;
- ``ws`` (WebSocket client with local books), ``creds`` (per-user credential store),
  ``bots``, ``fills`` (the one fill model), ``paper``, ``record``, ``replay``,
  ``backtest``, ``monitor``, and the people CLI in ``client.cli``.
"""

from augury.client.aio import AsyncClient
from augury.client.errors import (
    ApiError,
    BadRequestError,
    ClientError,
    ConflictError,
    DecodeError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
    UnauthorizedError,
    UnprocessableError,
    UnsafeRetryError,
)
from augury.client.hosts import DEMO, LOCAL, PROD, Host, resolve
from augury.client.orders import order_v1, order_v2
from augury.client.retry import CONSERVATIVE, DEFAULT, PATIENT, RetryPolicy
from augury.client.signing import Signer
from augury.client.sync import Client

__all__ = [
    "CONSERVATIVE",
    "DEFAULT",
    "DEMO",
    "LOCAL",
    "PATIENT",
    "PROD",
    "ApiError",
    "AsyncClient",
    "BadRequestError",
    "Client",
    "ClientError",
    "ConflictError",
    "DecodeError",
    "ForbiddenError",
    "Host",
    "NotFoundError",
    "RateLimitedError",
    "RetryPolicy",
    "ServerError",
    "Signer",
    "TransportError",
    "UnauthorizedError",
    "UnprocessableError",
    "UnsafeRetryError",
    "order_v1",
    "order_v2",
    "resolve",
]
