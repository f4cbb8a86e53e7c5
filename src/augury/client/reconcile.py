"""Reconciling a create whose response was lost: find the order by its client_order_id.

A create is retried only with the same ``client_order_id`` (``Call.retry_safe``). When an
attempt's outcome is unknown (no HTTP answer, or a 5xx) the order may have been placed;
the exchange then answers the retry with 409 ``order_already_exists``. That 409 means
"your first attempt worked", so the client lists the user's orders on the market
(``GET /portfolio/orders?ticker=...``, every page), finds the one with this
``client_order_id``, checks it is the order that was asked for (market, side, price and
size), and returns it in the create endpoint's own response shape instead of raising.

Only single creates are reconciled (V2 ``POST /portfolio/events/orders`` and v1
``POST /portfolio/orders``): a batch answers 201 with each item's outcome inside, so a
retried batch already says which items exist. A 409 on a *first* attempt is a real
conflict (the id is taken by an earlier order) and is raised as before.

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

__all__ = ["MAX_PAGES", "Lookup", "lookup_for", "outcome_unknown"]

V2_CREATE: Final = "/portfolio/events/orders"
V1_CREATE: Final = "/portfolio/orders"
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
        return ep.get_orders(
            ticker=self.ticker, subaccount=self.subaccount, limit=_PAGE, cursor=cursor
        )

    def response(self, order: wire.Order) -> Any | None:
        """The create's response for ``order``, or None if it is not the order asked for."""
        if order.client_order_id != self.client_order_id or order.ticker != self.ticker:
            return None
        try:
            same = self._same_v2(order) if self.call.template == V2_CREATE else self._same_v1(order)
        except (UnitError, TypeError, ValueError):
            return None
        if not same:
            return None
        if self.call.template == V1_CREATE:
            return wire.CreateOrderResponse(order=order)
        created_ms = (
            int(order.created_time.timestamp() * 1000) if order.created_time is not None else 0
        )
        return wire.CreateOrderV2Response(
            order_id=order.order_id,
            fill_count=order.fill_count_fp,
            remaining_count=order.remaining_count_fp,
            ts_ms=created_ms,
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
