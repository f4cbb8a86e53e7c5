"""V2 order writes: create, cancel, amend, decrease, batches and cancel-all.

Each route authenticates with the ``write`` scope, turns the Kalshi request into one engine
command (strings into integer units; nothing is rounded), submits it through the sequencer
and answers with the exact 3.34 shape and status: 201 for creates, 200 with a body for
cancel/amend/decrease and the batch cancel, 204 for cancel-all (CONTRACT.md §2.1).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from augury.api import bounds
from augury.api.auth import ApiKeyRecord
from augury.api.context import Context, json_response
from augury.api.errors import ApiError, from_reject
from augury.api.schemas import errors as we
from augury.api.schemas import orders_v2 as w
from augury.api.schemas.codec import (
    RequestDecodeError,
    decode_request,
    parse_count,
    parse_dollars,
)
from augury.domain.limits import PRICE_MAX_CC, client_order_id_ok
from augury.domain.units import count_c_to_str, dollars_cc_to_str
from augury.engine import commands as c
from augury.engine.events import BookDelta, OrderUpdate
from augury.engine.exchange import Outcome

__all__ = ["MAX_BATCH", "averages", "echoed_client_id", "path_order_id", "reduced_c", "routes"]

MAX_BATCH = 20  # Kalshi's classic batch limit; every item is billed separately


def ctx(request: Request) -> Context:
    context: Context = request.app.state.context
    return context


def subaccount_for(record: ApiKeyRecord, requested: int | None) -> int:
    """Return the subaccount a request acts on, enforcing restricted keys."""
    if record.subaccount is not None:
        if requested is not None and requested != record.subaccount:
            raise ApiError(403, "forbidden", "this API key is restricted to another subaccount")
        return record.subaccount
    if requested is None:
        return 0
    if not 0 <= requested <= 63:
        raise ApiError(400, "invalid_parameters", "subaccount must be between 0 and 63")
    return requested


def echoed_client_id(value: str | None) -> str | None:
    """Return a refused item's client id for its error entry, unless it is malformed (an
    error never repeats an oversize value)."""
    return value if value and client_order_id_ok(value) else None


def place_command(req: w.CreateOrderV2Request, record: ApiKeyRecord) -> c.PlaceOrder:
    """Translate a V2 create request into the engine's command (every value bounded)."""
    expiration = None
    if req.expiration_time is not None:
        expiration = bounds.wire_time_ns("expiration_time", req.expiration_time)
    if req.client_order_id is not None:
        bounds.client_order_id("client_order_id", req.client_order_id)
    if req.order_group_id is not None:
        bounds.identifier("order_group_id", req.order_group_id)
    return c.PlaceOrder(
        user_id=record.user_id,
        ticker=bounds.ticker("ticker", req.ticker),
        side=req.side,
        price_cc=parse_dollars(req.price, "price", PRICE_MAX_CC),
        count_c=parse_count(req.count, "count"),
        time_in_force=req.time_in_force,
        self_trade_prevention=req.self_trade_prevention_type,
        subaccount=subaccount_for(record, req.subaccount),
        client_order_id=req.client_order_id,
        post_only=bool(req.post_only),
        reduce_only=bool(req.reduce_only),
        cancel_order_on_pause=bool(req.cancel_order_on_pause),
        order_group_id=req.order_group_id,
        expiration_ts_ns=expiration,
    )


def averages(update: OrderUpdate) -> tuple[str | None, str | None]:
    """Return the per-contract average YES fill price and fee, or None before any fill."""
    if update.fill_c == 0:
        return None, None
    cost_cc = update.taker_fill_cost_cc + update.maker_fill_cost_cc
    outcome_avg = cost_cc * 100 // update.fill_c
    yes_avg = outcome_avg if update.side == "bid" else 10_000 - outcome_avg
    fee_avg = (update.taker_fees_cc + update.maker_fees_cc) * 100 // update.fill_c
    return dollars_cc_to_str(yes_avg), dollars_cc_to_str(fee_avg)


def reduced_c(outcome: Outcome[object]) -> int:
    """Return the size a cancel removed from the book, from its own book deltas.

    Reading the order's remaining size before submitting would race with fills applied
    earlier in the same batch; the cancel's events say exactly what it removed.
    """
    return -sum(e.delta_c for e in outcome.events if isinstance(e, BookDelta))


def _ts_ms(update: OrderUpdate) -> int:
    return update.ts_ns // 1_000_000


def _created(update: OrderUpdate) -> w.CreateOrderV2Response:
    avg_price, avg_fee = averages(update)
    return w.CreateOrderV2Response(
        order_id=update.order_id,
        client_order_id=update.client_order_id or None,
        fill_count=count_c_to_str(update.fill_c),
        remaining_count=count_c_to_str(update.remaining_c),
        average_fill_price=avg_price,
        average_fee_paid=avg_fee,
        ts_ms=_ts_ms(update),
    )


async def create_order(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "write")
    req = decode_request(await request.body(), w.CreateOrderV2Request)
    outcome = await context.submit(place_command(req, record))
    return json_response(_created(outcome.value), 201)


async def batch_create(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "write")
    req = decode_request(await request.body(), w.BatchCreateOrdersV2Request)
    if not 0 < len(req.orders) <= MAX_BATCH:
        raise ApiError(400, "invalid_parameters", f"a batch holds 1 to {MAX_BATCH} orders")
    # Items that fail to parse are answered without reaching the engine; the rest go in
    # one Batch command, and each item succeeds or fails on its own.
    items: list[c.PlaceOrder] = []
    parse_errors: dict[int, ApiError] = {}
    for i, item in enumerate(req.orders):
        try:
            items.append(place_command(item, record))
        except RequestDecodeError as exc:
            parse_errors[i] = ApiError(400, "invalid_parameters", str(exc), exc.field)
        except ApiError as error:
            parse_errors[i] = error
    outcome = await context.submit(c.Batch.of(items)) if items else None
    results: list[Outcome[OrderUpdate]] = list(outcome.value) if outcome is not None else []
    out: list[w.BatchCreateOrdersV2ResponseOrdersInner] = []
    for i, item in enumerate(req.orders):
        failure = parse_errors.get(i)
        if failure is None:
            result = results.pop(0)
            if result.reject is None:
                out.append(_batch_item(_created(result.value)))
                continue
            failure = from_reject(result.reject)
        out.append(
            w.BatchCreateOrdersV2ResponseOrdersInner(
                client_order_id=echoed_client_id(item.client_order_id),
                error=we.ErrorResponse(
                    code=failure.code, message=failure.message, details=failure.details
                ),
            )
        )
    return json_response(w.BatchCreateOrdersV2Response(orders=out), 201)


def _batch_item(created: w.CreateOrderV2Response) -> w.BatchCreateOrdersV2ResponseOrdersInner:
    return w.BatchCreateOrdersV2ResponseOrdersInner(
        order_id=created.order_id,
        client_order_id=created.client_order_id,
        fill_count=created.fill_count,
        remaining_count=created.remaining_count,
        average_fill_price=created.average_fill_price,
        average_fee_paid=created.average_fee_paid,
        ts_ms=created.ts_ms,
    )


def _query_subaccount(request: Request, record: ApiKeyRecord) -> int | None:
    # Most cancels carry no query at all; parsing an empty one into QueryParams costs more
    # than the rest of this function, and its answer is known: no "subaccount" given.
    if not request.scope.get("query_string"):
        return record.subaccount
    raw = request.query_params.get("subaccount")
    if raw is None:
        return record.subaccount
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 2):
        raise ApiError(400, "invalid_parameters", "subaccount must be an integer 0 to 63")
    return subaccount_for(record, int(raw))


def path_order_id(request: Request) -> str:
    """Return the ``{order_id}`` of the path, bounded like every id."""
    return bounds.identifier("order_id", request.path_params["order_id"])


async def cancel_order(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "write")
    order_id = path_order_id(request)
    outcome = await context.submit(
        c.CancelOrder(
            user_id=record.user_id,
            order_id=order_id,
            subaccount=_query_subaccount(request, record),
        )
    )
    update: OrderUpdate = outcome.value
    return json_response(
        w.CancelOrderV2Response(
            order_id=update.order_id,
            client_order_id=update.client_order_id or None,
            reduced_by=count_c_to_str(reduced_c(outcome)),
            ts_ms=_ts_ms(update),
        )
    )


async def batch_cancel(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "write")
    req = decode_request(await request.body(), w.BatchCancelOrdersV2Request)
    if not 0 < len(req.orders) <= MAX_BATCH:
        raise ApiError(400, "invalid_parameters", f"a batch holds 1 to {MAX_BATCH} orders")
    items: list[c.CancelOrder] = [
        c.CancelOrder(
            user_id=record.user_id,
            order_id=bounds.identifier("order_id", item.order_id),
            subaccount=subaccount_for(record, item.subaccount)
            if item.subaccount is not None
            else record.subaccount,
        )
        for item in req.orders
    ]
    outcome = await context.submit(c.Batch.of(items))
    out = []
    for item, result in zip(req.orders, outcome.value, strict=True):
        if result.reject is not None:
            error = from_reject(result.reject)
            out.append(
                w.BatchCancelOrdersV2ResponseOrdersInner(
                    order_id=item.order_id,
                    reduced_by="0.00",
                    error=we.ErrorResponse(
                        code=error.code, message=error.message, details=error.details
                    ),
                )
            )
            continue
        update: OrderUpdate = result.value
        out.append(
            w.BatchCancelOrdersV2ResponseOrdersInner(
                order_id=update.order_id,
                client_order_id=update.client_order_id or None,
                reduced_by=count_c_to_str(reduced_c(result)),
                ts_ms=_ts_ms(update),
            )
        )
    return json_response(w.BatchCancelOrdersV2Response(orders=out))


async def cancel_all(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "write")
    await context.submit(
        c.CancelAll(
            user_id=record.user_id,
            subaccount=_query_subaccount(request, record),
        )
    )
    return Response(status_code=204)


async def amend_order(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "write")
    req = decode_request(await request.body(), w.AmendOrderV2Request)
    order_id = path_order_id(request)
    # Absent keeps the expiry, 0 clears it, anything else is a time in the window.
    expiration = req.expiration_time
    if expiration:
        expiration = bounds.wire_time_ns("expiration_time", expiration)
    for name in ("client_order_id", "updated_client_order_id"):
        value = getattr(req, name)
        if value is not None:
            bounds.client_order_id(name, value)
    outcome = await context.submit(
        c.AmendOrder(
            user_id=record.user_id,
            order_id=order_id,
            ticker=bounds.ticker("ticker", req.ticker),
            side=req.side,
            price_cc=parse_dollars(req.price, "price", PRICE_MAX_CC),
            count_c=parse_count(req.count, "count"),
            subaccount=_query_subaccount(request, record),
            client_order_id=req.client_order_id,
            updated_client_order_id=req.updated_client_order_id,
            expiration_ts_ns=expiration,
        )
    )
    update: OrderUpdate = outcome.value.new
    avg_price, avg_fee = averages(update)
    return json_response(
        w.AmendOrderV2Response(
            order_id=update.order_id,
            client_order_id=update.client_order_id or None,
            remaining_count=count_c_to_str(update.remaining_c),
            fill_count=count_c_to_str(update.fill_c),
            average_fill_price=avg_price,
            average_fee_paid=avg_fee,
            ts_ms=_ts_ms(update),
        )
    )


async def decrease_order(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "write")
    req = decode_request(await request.body(), w.DecreaseOrderV2Request)
    if (req.reduce_by is None) == (req.reduce_to is None):
        raise ApiError(400, "invalid_parameters", "give exactly one of reduce_by and reduce_to")
    order_id = path_order_id(request)
    outcome = await context.submit(
        c.DecreaseOrder(
            user_id=record.user_id,
            order_id=order_id,
            reduce_by_c=parse_count(req.reduce_by, "reduce_by")
            if req.reduce_by is not None
            else None,
            reduce_to_c=parse_count(req.reduce_to, "reduce_to")
            if req.reduce_to is not None
            else None,
            subaccount=_query_subaccount(request, record),
        )
    )
    update: OrderUpdate = outcome.value
    return json_response(
        w.DecreaseOrderV2Response(
            order_id=update.order_id,
            client_order_id=update.client_order_id or None,
            remaining_count=count_c_to_str(update.remaining_c),
            ts_ms=_ts_ms(update),
        )
    )


routes = [
    Route("/portfolio/events/orders", create_order, methods=["POST"]),
    Route("/portfolio/events/orders", cancel_all, methods=["DELETE"]),
    Route("/portfolio/events/orders/batched", batch_create, methods=["POST"]),
    Route("/portfolio/events/orders/batched", batch_cancel, methods=["DELETE"]),
    Route("/portfolio/events/orders/{order_id}", cancel_order, methods=["DELETE"]),
    Route("/portfolio/events/orders/{order_id}/amend", amend_order, methods=["POST"]),
    Route("/portfolio/events/orders/{order_id}/decrease", decrease_order, methods=["POST"]),
]
