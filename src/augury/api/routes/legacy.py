"""Retired v1 order writes under ``/portfolio/orders``, for 2024-2025 bots (decision 0005).

Kalshi retired these six endpoints in June 2026; Augury serves them with their old request
and response shapes unless ``augury serve --v1-orders off``, in which case every one of
them answers ``400 deprecated_v1_order_endpoint`` ("Please switch to the V2 endpoint"),
checked before authentication (the status and that order are our choice; decision 0005).
Reads (``GET /portfolio/orders…``) were never retired and are not served here.

Invariants:

- A request is translated into exactly the engine command a V2 client would send for the
  same intent (``legacy_mapping``); the engine never sees the v1 vocabulary except the
  ``legacy_side``/``legacy_action``/``order_type`` it echoes back in responses.
- Responses wrap full ``Order`` objects rendered by ``wire.order_wire``, which carries the
  integer-cent and whole-contract fields these clients read (``yes_price``,
  ``fill_count``, ``remaining_count``…).
- ``reduced_by`` is measured from the book change the cancel itself caused (the order's
  negative ``BookDelta``), so a fill racing the cancel cannot be counted as cancelled.
- Success statuses follow the legacy spec: 201 for the two creates, 200 otherwise.
"""

from __future__ import annotations

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from augury.api import bounds
from augury.api.auth import ApiKeyRecord
from augury.api.context import Context, json_response
from augury.api.errors import ApiError, from_reject
from augury.api.routes.legacy_mapping import (
    BatchCreateOrdersRequest,
    CreateOrderRequest,
    amend_command,
    decrease_command,
    place_command,
    subaccount_or_any,
)
from augury.api.routes.markets import int_param
from augury.api.routes.orders import MAX_BATCH, ctx, echoed_client_id, path_order_id, reduced_c
from augury.api.schemas import errors as we
from augury.api.schemas import legacy as lw
from augury.api.schemas.base import legacy_contracts
from augury.api.schemas.codec import RequestDecodeError, decode_request
from augury.api.tutorials import amend_defaults
from augury.api.wire import order_wire
from augury.domain.units import count_c_to_str
from augury.engine import commands as c
from augury.engine.events import OrderUpdate
from augury.engine.exchange import Outcome

__all__ = ["DEPRECATED_CODE", "DEPRECATED_MESSAGE", "DEPRECATED_STATUS", "routes"]

DEPRECATED_STATUS = 400
DEPRECATED_CODE = "deprecated_v1_order_endpoint"
DEPRECATED_MESSAGE = "Please switch to the V2 endpoint"


def _served(request: Request) -> Context:
    """Return the context, or answer Kalshi's retirement error when v1 writes are off."""
    context = ctx(request)
    if not context.settings.v1_orders:
        raise ApiError(DEPRECATED_STATUS, DEPRECATED_CODE, DEPRECATED_MESSAGE)
    return context


def _error_item(error: ApiError) -> we.ErrorResponse:
    return we.ErrorResponse(code=error.code, message=error.message, details=error.details)


def _query_subaccount(request: Request, record: ApiKeyRecord) -> int | None:
    return subaccount_or_any(record, int_param(request, "subaccount", None, 0, 63))


async def create_order(request: Request) -> Response:
    context = _served(request)
    record = context.principal(request, "write")
    req = decode_request(await request.body(), CreateOrderRequest)
    command = place_command(req, record, context.exchange, context.clock.now_ns())
    outcome = await context.submit(command)
    return json_response(lw.CreateOrderResponse(order=order_wire(outcome.value)), 201)


async def batch_create(request: Request) -> Response:
    context = _served(request)
    record = context.principal(request, "write")
    req = decode_request(await request.body(), BatchCreateOrdersRequest)
    if not 0 < len(req.orders) <= MAX_BATCH:
        raise ApiError(400, "invalid_parameters", f"a batch holds 1 to {MAX_BATCH} orders")
    # Items that fail to translate are answered without reaching the engine; the rest go
    # in one Batch command, where each item succeeds or fails on its own.
    now_ns = context.clock.now_ns()
    items: list[c.PlaceOrder] = []
    failures: dict[int, ApiError] = {}
    for i, item in enumerate(req.orders):
        try:
            items.append(place_command(item, record, context.exchange, now_ns))
        except RequestDecodeError as exc:
            failures[i] = ApiError(400, "invalid_parameters", str(exc), exc.field)
        except ApiError as error:
            failures[i] = error
    outcome = await context.submit(c.Batch.of(items)) if items else None
    results: list[Outcome[OrderUpdate]] = list(outcome.value) if outcome is not None else []
    out: list[lw.BatchCreateOrdersIndividualResponse] = []
    for i, item in enumerate(req.orders):
        failure = failures.get(i)
        if failure is None:
            result = results.pop(0)
            if result.reject is None:
                update: OrderUpdate = result.value
                out.append(
                    lw.BatchCreateOrdersIndividualResponse(
                        client_order_id=update.client_order_id or None,
                        order=order_wire(update),
                    )
                )
                continue
            failure = from_reject(result.reject)
        out.append(
            lw.BatchCreateOrdersIndividualResponse(
                client_order_id=echoed_client_id(item.client_order_id),
                error=_error_item(failure),
            )
        )
    return json_response(lw.BatchCreateOrdersResponse(orders=out), 201)


async def cancel_order(request: Request) -> Response:
    context = _served(request)
    record = context.principal(request, "write")
    outcome = await context.submit(
        c.CancelOrder(
            user_id=record.user_id,
            order_id=path_order_id(request),
            subaccount=_query_subaccount(request, record),
        )
    )
    reduced = reduced_c(outcome)
    return json_response(
        lw.CancelOrderResponse(
            order=order_wire(outcome.value),
            reduced_by_fp=count_c_to_str(reduced),
            reduced_by=legacy_contracts(reduced),
        )
    )


def _cancel_targets(
    req: lw.BatchCancelOrdersRequest, record: ApiKeyRecord
) -> list[tuple[str, int | None]]:
    if (req.ids is None) == (req.orders is None):
        raise ApiError(400, "invalid_parameters", "give exactly one of ids and orders")
    if req.ids is not None:
        targets = [(order_id, record.subaccount) for order_id in req.ids]
    else:
        assert req.orders is not None
        targets = [(o.order_id, subaccount_or_any(record, o.subaccount)) for o in req.orders]
    if not 0 < len(targets) <= MAX_BATCH:
        raise ApiError(400, "invalid_parameters", f"a batch holds 1 to {MAX_BATCH} orders")
    for order_id, _ in targets:
        bounds.identifier("order_id", order_id)
    return targets


async def batch_cancel(request: Request) -> Response:
    context = _served(request)
    record = context.principal(request, "write")
    req = decode_request(await request.body(), lw.BatchCancelOrdersRequest)
    targets = _cancel_targets(req, record)
    items: list[c.CancelOrder] = [
        c.CancelOrder(user_id=record.user_id, order_id=order_id, subaccount=sub)
        for order_id, sub in targets
    ]
    outcome = await context.submit(c.Batch.of(items))
    out: list[lw.BatchCancelOrdersIndividualResponse] = []
    for (order_id, _), result in zip(targets, outcome.value, strict=True):
        if result.reject is not None:
            out.append(
                lw.BatchCancelOrdersIndividualResponse(
                    order_id=order_id,
                    reduced_by_fp="0.00",
                    reduced_by=0,
                    error=_error_item(from_reject(result.reject)),
                )
            )
            continue
        reduced = reduced_c(result)
        out.append(
            lw.BatchCancelOrdersIndividualResponse(
                order_id=order_id,
                order=order_wire(result.value),
                reduced_by_fp=count_c_to_str(reduced),
                reduced_by=legacy_contracts(reduced),
            )
        )
    return json_response(lw.BatchCancelOrdersResponse(orders=out))


_AMEND_KEYS = ("ticker", "side", "action")


def _complete_amend(raw: bytes, user_id: str, order_id: str, context: Context) -> bytes:
    """A v1 amend without ``ticker``/``side``/``action``: 400 naming what the order has,
    or (``--compat tutorials``) the body completed from the order itself."""
    try:
        data = msgspec.json.decode(raw)
    except (msgspec.DecodeError, RecursionError):
        return raw  # decode_request answers it
    if not isinstance(data, dict):
        return raw
    missing = [key for key in _AMEND_KEYS if key not in data]
    if not missing:
        return raw
    order = context.exchange.orders.get(order_id)
    known = None
    if order is not None and order.key[0] == user_id:
        known = {"ticker": order.ticker, "side": order.legacy_side, "action": order.legacy_action}
    data.update(amend_defaults(missing, known))
    return msgspec.json.encode(data)


async def amend_order(request: Request) -> Response:
    context = _served(request)
    record = context.principal(request, "write")
    order_id = path_order_id(request)
    body = _complete_amend(await request.body(), record.user_id, order_id, context)
    req = decode_request(body, lw.AmendOrderRequest)
    command = amend_command(req, record, order_id, context.exchange)
    outcome = await context.submit(command)
    return json_response(
        lw.AmendOrderResponse(
            old_order=order_wire(outcome.value.old), order=order_wire(outcome.value.new)
        )
    )


async def decrease_order(request: Request) -> Response:
    context = _served(request)
    record = context.principal(request, "write")
    req = decode_request(await request.body(), lw.DecreaseOrderRequest)
    command = decrease_command(req, record, path_order_id(request))
    outcome = await context.submit(command)
    return json_response(lw.DecreaseOrderResponse(order=order_wire(outcome.value)))


# ``batched`` must be matched before ``{order_id}``, or a batch cancel would be read as the
# cancel of an order called "batched".
routes = [
    Route("/portfolio/orders", create_order, methods=["POST"]),
    Route("/portfolio/orders/batched", batch_create, methods=["POST"]),
    Route("/portfolio/orders/batched", batch_cancel, methods=["DELETE"]),
    Route("/portfolio/orders/{order_id}", cancel_order, methods=["DELETE"]),
    Route("/portfolio/orders/{order_id}/amend", amend_order, methods=["POST"]),
    Route("/portfolio/orders/{order_id}/decrease", decrease_order, methods=["POST"]),
]
