"""The synchronous client: ``Client(host, signer=...)``, then ``client.send(call)``.

``send`` signs (whenever a key is configured, as the official SDK does), waits for the
client-side rate limiter when one is installed, serves public GETs from the TTL cache when
one is given, and retries by the ``RetryPolicy``. Every endpoint Augury serves is a
function in ``augury.client.endpoints`` returning a ``Call``; the methods below are short
names for the ones a trader uses most.

Example::

    client = Client("demo", signer=Signer.from_pem(key_id, pem))
    book = client.orderbook("KXFED-26DEC-T4.25")
    client.create_order(order_v2("KXFED-26DEC-T4.25", "bid", 5600, 1000))
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from augury.client import endpoints as ep
from augury.client._core import RequestObserver, build_request, decode, retry_step
from augury.client.cache import TtlCache
from augury.client.call import Call
from augury.client.clock import NS_PER_S, Clock, Sleep, SystemClock
from augury.client.errors import ApiError, TransportError, UnsafeRetryError
from augury.client.hosts import Host, resolve
from augury.client.models import wire
from augury.client.ratelimit import ClientRateLimiter
from augury.client.reconcile import (
    MAX_PAGES,
    BatchRepair,
    Lookup,
    batch_repair,
    lookup_for,
    outcome_unknown,
)
from augury.client.retry import DEFAULT, RetryPolicy
from augury.client.signing import Signer

__all__ = ["Client"]

T = TypeVar("T")


class Client:
    """A Kalshi Trade API v2 client for Augury or Kalshi (sync)."""

    def __init__(
        self,
        host: str | Host = "local",
        *,
        signer: Signer | None = None,
        retry: RetryPolicy = DEFAULT,
        limiter: ClientRateLimiter | None = None,
        cache: TtlCache | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout_s: float = 10.0,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        rand: Callable[[], float] | None = None,
        observer: RequestObserver | None = None,
    ) -> None:
        system = SystemClock()
        self.host = resolve(host)
        self.signer = signer
        self.retry = retry
        self.limiter = limiter
        self.cache = cache
        self.clock: Clock = clock or system
        self.sleep: Sleep = sleep or system.sleep
        self.rand = rand or random.random
        self.observer = observer
        self.http = httpx.Client(transport=transport, timeout=timeout_s)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    def send(self, call: Call[T]) -> T:
        """Execute a call: cache, rate limit, sign, send, decode, retry."""
        cacheable = self.cache is not None and TtlCache.cacheable(call)
        if cacheable and self.cache is not None:
            hit, value = self.cache.get(call)
            if hit:
                return value  # type: ignore[no-any-return]
        attempt = 0
        unknown = False  # an earlier attempt may have been carried out
        while True:
            try:
                result = self._attempt(call)
            except (ApiError, TransportError) as error:
                lookup = lookup_for(call, error, unknown)
                if lookup is not None:
                    found = self._find_created(lookup)
                    if found is not None:
                        return found  # type: ignore[no-any-return]
                    raise
                unknown = unknown or outcome_unknown(error)
                step = retry_step(self.retry, call, attempt, error, self.rand)
                if not step.retry:
                    if unknown and not call.retry_safe:
                        raise UnsafeRetryError(
                            f"{call.method} {call.template} without client_order_id failed "
                            f"with an unknown outcome (the order may exist): {error}"
                        ) from error
                    raise
                self.sleep(step.delay_s)
                attempt += 1
                continue
            repair = batch_repair(call, result, unknown)
            if repair is not None:
                return self._repair_batch(repair)  # type: ignore[no-any-return]
            if cacheable and self.cache is not None:
                self.cache.put(call, result)
            return result

    def _find_created(self, lookup: Lookup) -> Any | None:
        """List the market's orders for the lost create (see ``augury.client.reconcile``)."""
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            page = self.send(lookup.page(cursor))
            for order in page.orders:
                if order.client_order_id == lookup.client_order_id:
                    return lookup.response(order)
            if not page.cursor:
                return None
            cursor = page.cursor
        return None

    def _repair_batch(self, repair: BatchRepair) -> Any:
        """Find a retried batch's lost creates (see ``augury.client.reconcile``)."""
        for listing in repair.listings:
            cursor: str | None = None
            for _ in range(MAX_PAGES):
                page = self.send(listing.page(cursor))
                for order in page.orders:
                    repair.offer(order)
                if repair.done(listing) or not page.cursor:
                    break
                cursor = page.cursor
        return repair.result()

    def _attempt(self, call: Call[T]) -> T:
        if self.limiter is not None:
            wait_s = self.limiter.reserve(call)
            if wait_s > 0:
                self.sleep(wait_s)
        start_ns = self.clock.now_ns()
        request = build_request(self.http, self.host, call, self.signer, start_ns // 1_000_000)
        try:
            response = self.http.send(request)
        except httpx.TransportError as exc:
            self._observe(call, None, start_ns)
            raise TransportError(f"{call.method} {call.template}: {exc}") from exc
        self._observe(call, response.status_code, start_ns)
        return decode(call, response)

    def _observe(self, call: Call[Any], status: int | None, start_ns: int) -> None:
        if self.observer is not None:
            seconds = (self.clock.now_ns() - start_ns) / NS_PER_S
            self.observer.on_request(call.method, call.template, status, seconds)

    def install_rate_limiter(self, *, margin_permille: int = 50) -> ClientRateLimiter:
        """Seed a client-side limiter from ``/account/limits`` and ``/account/endpoint_costs``."""
        self.limiter = None
        limits = self.send(ep.get_account_api_limits())
        costs = self.send(ep.get_account_endpoint_costs())
        self.limiter = ClientRateLimiter.from_wire(
            limits, costs, self.clock, margin_permille=margin_permille
        )
        # The two seeding reads were billed by the server before the limiter existed.
        self.limiter.reserve(ep.get_account_api_limits())
        self.limiter.reserve(ep.get_account_endpoint_costs())
        return self.limiter

    # Short names for the calls a trader makes most.

    def exchange_status(self) -> wire.ExchangeStatus:
        """``GET /exchange/status``."""
        return self.send(ep.get_exchange_status())

    def markets(
        self,
        *,
        status: str | None = None,
        series_ticker: str | None = None,
        event_ticker: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> wire.GetMarketsResponse:
        """``GET /markets`` (one page)."""
        return self.send(
            ep.get_markets(
                status=status,
                series_ticker=series_ticker,
                event_ticker=event_ticker,
                limit=limit,
                cursor=cursor,
            )
        )

    def market(self, ticker: str) -> wire.Market:
        """``GET /markets/{ticker}``."""
        return self.send(ep.get_market(ticker)).market

    def orderbook(self, ticker: str, depth: int | None = None) -> wire.OrderbookCountFp:
        """``GET /markets/{ticker}/orderbook``: YES bids and NO bids, ascending."""
        return self.send(ep.get_market_orderbook(ticker, depth=depth)).orderbook_fp

    def balance(self) -> wire.GetBalanceResponse:
        """``GET /portfolio/balance``."""
        return self.send(ep.get_balance())

    def positions(self, *, ticker: str | None = None) -> wire.GetPositionsResponse:
        """``GET /portfolio/positions`` (one page)."""
        return self.send(ep.get_positions(ticker=ticker))

    def orders(
        self, *, ticker: str | None = None, status: str | None = None
    ) -> wire.GetOrdersResponse:
        """``GET /portfolio/orders`` (one page)."""
        return self.send(ep.get_orders(ticker=ticker, status=status))

    def fills(self, *, ticker: str | None = None) -> wire.GetFillsResponse:
        """``GET /portfolio/fills`` (one page)."""
        return self.send(ep.get_fills(ticker=ticker))

    def create_order(self, order: wire.CreateOrderV2Request) -> wire.CreateOrderV2Response:
        """``POST /portfolio/events/orders`` (build ``order`` with ``orders.order_v2``)."""
        return self.send(ep.create_order_v2(order))

    def cancel_order(self, order_id: str) -> wire.CancelOrderV2Response:
        """``DELETE /portfolio/events/orders/{order_id}``."""
        return self.send(ep.cancel_order_v2(order_id))

    def cancel_all(self) -> None:
        """``DELETE /portfolio/events/orders``: cancel every resting order."""
        self.send(ep.cancel_all_orders())
