"""Reconciling a create whose response was lost: find the order by its client_order_id.

A create is retried only with the same ``client_order_id`` (``Call.retry_safe``). When an
attempt's outcome is unknown (no HTTP answer, or a 5xx) the order may have been placed;
the exchange then answers the retry with 409 ``order_already_exists``. That 409 means
"your first attempt worked", so the client lists the user's orders on the market
(``GET /portfolio/orders?ticker=...``, every page), finds the one with this
``client_order_id``, checks it is the order that was asked for (market, side, price and
size), and returns it in the create endpoint's own response shape instead of raising.

Single creates (V2 ``POST /portfolio/events/orders``, v1 ``POST /portfolio/orders``) are
reconciled on the 409. A batch (``.../orders/batched``) answers 201 with each item's outcome
inside, so a retried batch says which items an earlier attempt placed: those items carry the
``order_already_exists`` error. ``BatchRepair`` lists the user's orders once per (market,
subaccount) of such items, and each item whose order is found (and is the order asked for)
is answered as a created one, in the batch response's own item shape. A 409 on a *first*
attempt, single or batched, is a real conflict (the id is taken by an earlier order) and
is returned or raised as before.

Everything here is pure; ``Client`` and ``AsyncClient`` only run the listing calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import msgspec

from augury.client import endpoints as ep
from augury.client.call import Call
from augury.client.errors import ApiError, ConflictError, TransportError
from augury.client.models import wire
from augury.client.units import UnitError, count_c, dollars_cc

__all__ = [
    "MAX_PAGES",
    "BatchRepair",
    "Listing",
    "Lookup",
    "batch_repair",
    "lookup_for",
    "outcome_unknown",
]

V2_CREATE: Final = "/portfolio/events/orders"
V1_CREATE: Final = "/portfolio/orders"
V2_BATCH: Final = "/portfolio/events/orders/batched"
V1_BATCH: Final = "/portfolio/orders/batched"
_EXISTS: Final = "order_already_exists"
MAX_PAGES: Final = 50  # a listing longer than this is not searched (the 409 is raised)
_PAGE: Final = 200


def outcome_unknown(error: Exception) -> bool:
    """Whether a failed attempt may still have been carried out by the server."""
    return isinstance(error, TransportError) or (
        isinstance(error, ApiError) and error.status >= 500
    )


@dataclass(frozen=True, slots=True)
class Lookup:
    """How to find and check the order a lost create placed."""

    call: Call[Any]
    client_order_id: str
    ticker: str
    subaccount: int | None
    body: dict[str, Any]

    def page(self, cursor: str | None) -> Call[wire.GetOrdersResponse]:
        """The listing call for one page of the user's orders on the market."""
        return Listing(self.ticker, self.subaccount).page(cursor)

    @property
    def v2(self) -> bool:
        """Whether the create is a V2 one (book side, dollar price, fixed-point count)."""
        return self.call.template in (V2_CREATE, V2_BATCH)

    def asked_for(self, order: wire.Order) -> bool:
        """Whether ``order`` is the order this create asked for."""
        if order.client_order_id != self.client_order_id or order.ticker != self.ticker:
            return False
        try:
            return self._same_v2(order) if self.v2 else self._same_v1(order)
        except (UnitError, TypeError, ValueError):
            return False

    def response(self, order: wire.Order) -> Any | None:
        """The create's response for ``order``, or None if it is not the order asked for."""
        if not self.asked_for(order):
            return None
        if not self.v2:
            return wire.CreateOrderResponse(order=order)
        return wire.CreateOrderV2Response(
            order_id=order.order_id,
            fill_count=order.fill_count_fp,
            remaining_count=order.remaining_count_fp,
            ts_ms=_created_ms(order),
            client_order_id=order.client_order_id,
        )

    def _same_v2(self, order: wire.Order) -> bool:
        body = self.body
        return (
            order.book_side == body.get("side")
            and dollars_cc(order.yes_price_dollars) == dollars_cc(str(body.get("price")))
            and count_c(order.initial_count_fp) == count_c(str(body.get("count")))
        )

    def _same_v1(self, order: wire.Order) -> bool:
        body = self.body
        if order.side != body.get("side") or order.action != body.get("action"):
            return False
        count = body.get("count")
        return count is None or count_c(order.initial_count_fp) == int(count) * 100


def lookup_for(call: Call[Any], error: Exception, earlier_unknown: bool) -> Lookup | None:
    """Return the lookup to run when ``error`` says a lost create of ``call`` exists."""
    if not earlier_unknown or call.method != "POST":
        return None
    if call.template not in (V2_CREATE, V1_CREATE) or call.body is None:
        return None
    if not isinstance(error, ConflictError) or error.code != "order_already_exists":
        return None
    if len(call.client_order_ids) != 1 or not call.client_order_ids[0]:
        return None
    body = msgspec.json.decode(call.body)
    if not isinstance(body, dict) or not isinstance(body.get("ticker"), str):
        return None
    subaccount = body.get("subaccount")
    return Lookup(
        call=call,
        client_order_id=call.client_order_ids[0],
        ticker=body["ticker"],
        subaccount=subaccount if isinstance(subaccount, int) else None,
        body=body,
    )


def _created_ms(order: wire.Order) -> int:
    return int(order.created_time.timestamp() * 1000) if order.created_time is not None else 0


@dataclass(frozen=True, slots=True)
class Listing:
    """One (market, subaccount) whose orders hold some of a batch's lost creates."""

    ticker: str
    subaccount: int | None

    def page(self, cursor: str | None) -> Call[wire.GetOrdersResponse]:
        """The listing call for one page of the user's orders on the market."""
        return ep.get_orders(
            ticker=self.ticker, subaccount=self.subaccount, limit=_PAGE, cursor=cursor
        )


class BatchRepair:
    """The items of a retried batch create that an earlier, lost attempt placed.

    ``lookups`` maps an item's index (request and response order are the same) to the
    lookup of its order; ``listings`` are the listings to run. The client feeds every
    listed order to ``offer`` and takes ``result()``: the batch response with each found
    item answered as created. An item whose order is not found, or is not the order asked
    for, keeps its ``order_already_exists`` error.
    """

    __slots__ = ("_found", "_result", "listings", "lookups")

    def __init__(self, result: Any, lookups: dict[int, Lookup]) -> None:
        self._result = result
        self.lookups = lookups
        self._found: dict[int, wire.Order] = {}
        keys = dict.fromkeys((lk.ticker, lk.subaccount) for lk in lookups.values())
        self.listings = [Listing(ticker, sub) for ticker, sub in keys]

    def offer(self, order: wire.Order) -> None:
        """Record ``order`` against the item it answers, if any."""
        for index, lookup in self.lookups.items():
            if index not in self._found and lookup.asked_for(order):
                self._found[index] = order
                return

    def done(self, listing: Listing) -> bool:
        """Whether every item the listing can answer has been found."""
        return all(
            index in self._found
            for index, lk in self.lookups.items()
            if (lk.ticker, lk.subaccount) == (listing.ticker, listing.subaccount)
        )

    def result(self) -> Any:
        """The batch response, its found items answered as created."""
        if not self._found:
            return self._result
        items = list(self._result.orders)
        for index, order in self._found.items():
            if isinstance(self._result, wire.BatchCreateOrdersV2Response):
                items[index] = wire.BatchCreateOrdersV2ResponseOrdersInner(
                    order_id=order.order_id,
                    client_order_id=order.client_order_id,
                    fill_count=order.fill_count_fp,
                    remaining_count=order.remaining_count_fp,
                    ts_ms=_created_ms(order),
                )
            else:
                items[index] = wire.BatchCreateOrdersIndividualResponse(
                    client_order_id=order.client_order_id, order=order
                )
        return type(self._result)(orders=items)


def batch_repair(call: Call[Any], result: Any, earlier_unknown: bool) -> BatchRepair | None:
    """Return the repair to run on a batch create's ``result``, or None if none is due."""
    if not earlier_unknown or call.method != "POST" or call.body is None:
        return None
    if call.template not in (V2_BATCH, V1_BATCH):
        return None
    if not isinstance(result, (wire.BatchCreateOrdersV2Response, wire.BatchCreateOrdersResponse)):
        return None
    body = msgspec.json.decode(call.body)
    asked = body.get("orders") if isinstance(body, dict) else None
    if not isinstance(asked, list) or len(asked) != len(result.orders):
        return None  # not answered item for item: nothing can be matched safely
    answers: list[
        wire.BatchCreateOrdersV2ResponseOrdersInner | wire.BatchCreateOrdersIndividualResponse
    ] = list(result.orders)
    lookups: dict[int, Lookup] = {}
    for index, (item, answer) in enumerate(zip(asked, answers, strict=True)):
        error = answer.error
        if error is None or error.code != _EXISTS or not isinstance(item, dict):
            continue
        coid, ticker = item.get("client_order_id"), item.get("ticker")
        if not isinstance(coid, str) or not coid or not isinstance(ticker, str):
            continue
        sub = item.get("subaccount")
        lookups[index] = Lookup(
            call=call,
            client_order_id=coid,
            ticker=ticker,
            subaccount=sub if isinstance(sub, int) else None,
            body=item,
        )
    return BatchRepair(result, lookups) if lookups else None
