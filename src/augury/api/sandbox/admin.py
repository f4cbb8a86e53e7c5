"""Operator endpoints of the sandbox under ``/admin/v1`` (operator key only, like all admin).

- ``GET /faults``: every target with its config and the faults applied so far, and the
  running market schedules;
- ``PUT /faults/keys/{api_key_id}``, ``PUT /faults/users/{user_id}``: set a target's
  faults (the JSON of ``faults.parse_config``); ``DELETE`` the same paths to clear them;
- ``POST /markets/{ticker}/determine`` ``{result, value?}``: determine now (the settlement
  timer then runs); ``POST /markets/{ticker}/finalize``: settle a determined market now;
- ``POST /markets/{ticker}/schedule`` ``{speed, result, value?}``: run the rest of the
  market's schedule ``speed`` times faster; ``DELETE`` it to stop.

The market verbs submit ordinary journaled commands; closing now and "determine and settle
now" are the existing ``/markets/{ticker}/close`` and ``/settle``. These routes are mounted
before the generic ``/markets/{ticker}/{action}`` route.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Literal

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from augury.api import bounds
from augury.api.context import Context, json_response
from augury.api.errors import ApiError
from augury.api.sandbox.faults import FaultBook, FaultError, parse_config
from augury.api.sandbox.timecontrol import SPEED_MAX, Schedule, Scheduler
from augury.domain.units import CC_PER_DOLLAR, UnitError, dollars_cc_from_str
from augury.engine import commands as c

__all__ = ["routes"]

_BODY_MAX_BYTES = 16 * 1024
Result = Literal["yes", "no", "scalar", "void"]


def _operator(request: Request) -> Context:
    context: Context = request.app.state.context
    context.principal(request, "admin")
    return context


async def _json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > _BODY_MAX_BYTES:
        raise ApiError(
            400, "invalid_parameters", f"the body is larger than {_BODY_MAX_BYTES} bytes"
        )
    if not raw.strip():
        return {}
    try:
        data = msgspec.json.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        raise ApiError(400, "invalid_parameters", "body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_parameters", "body must be a JSON object")
    return data


def _book(request: Request) -> FaultBook:
    book: FaultBook = request.app.state.fault_book
    return book


async def list_faults(request: Request) -> Response:
    _operator(request)
    scheduler: Scheduler = request.app.state.scheduler
    return json_response(
        {
            "faults": [state.render() for state in _book(request).states()],
            "schedules": [s.render() for s in scheduler.schedules.values()],
        }
    )


def _target(request: Request, context: Context) -> tuple[str, str]:
    kind = request.path_params["kind"]
    target = request.path_params["target"]
    if kind == "keys":
        if target not in context.keys:
            raise ApiError(404, "not_found", "no such API key")
        return "key", target
    if kind == "users":
        if target not in context.exchange.users:
            raise ApiError(404, "user_not_found", "no such user")
        return "user", target
    raise ApiError(404, "not_found", "faults are set on keys or users")


async def set_faults(request: Request) -> Response:
    context = _operator(request)
    kind, target = _target(request, context)
    try:
        config = parse_config(await _json(request))
        state = _book(request).set(kind, target, config)
    except FaultError as error:
        raise ApiError(400, "invalid_parameters", str(error)) from None
    return json_response(state.render())


async def clear_faults(request: Request) -> Response:
    context = _operator(request)
    kind, target = _target(request, context)
    return json_response({"cleared": _book(request).clear(kind, target)})


def _result(data: dict[str, Any]) -> tuple[Result, int | None]:
    result = data.get("result")
    if result not in ("yes", "no", "scalar", "void"):
        raise ApiError(400, "invalid_parameters", "result is yes, no, scalar or void")
    if result != "scalar":
        return result, None
    value = data.get("value")
    try:
        value_cc = dollars_cc_from_str(str(value)) if isinstance(value, str | int) else -1
    except UnitError:
        value_cc = -1
    if not 0 <= value_cc <= CC_PER_DOLLAR:
        raise ApiError(400, "invalid_parameters", "a scalar result needs value, dollars 0..1")
    return "scalar", value_cc


async def determine(request: Request) -> Response:
    context = _operator(request)
    ticker = bounds.ticker("ticker", request.path_params["ticker"])
    result, value_cc = _result(await _json(request))
    outcome = await context.submit(
        c.DetermineMarket(ticker=ticker, result=result, value_cc=value_cc)
    )
    return json_response({"ticker": ticker, "status": outcome.value, "result": result})


async def finalize(request: Request) -> Response:
    context = _operator(request)
    ticker = bounds.ticker("ticker", request.path_params["ticker"])
    outcome = await context.submit(c.FinalizeMarket(ticker=ticker))
    return json_response({"ticker": ticker, "status": outcome.value})


def _speed(value: object) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ApiError(400, "invalid_parameters", f"speed is a number from 1 to {SPEED_MAX}")
    try:
        speed = Fraction(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        raise ApiError(
            400, "invalid_parameters", f"speed is a number from 1 to {SPEED_MAX}"
        ) from None
    if not 1 <= speed <= SPEED_MAX:
        raise ApiError(400, "invalid_parameters", f"speed is a number from 1 to {SPEED_MAX}")
    return speed


async def schedule(request: Request) -> Response:
    context = _operator(request)
    ticker = bounds.ticker("ticker", request.path_params["ticker"])
    data = await _json(request)
    speed = _speed(data.get("speed"))
    result, value_cc = _result(data)
    scheduler: Scheduler = request.app.state.scheduler
    plan = Schedule(ticker, speed, result, value_cc)
    scheduler.start(context, plan)
    return json_response(plan.render(), 201)


async def unschedule(request: Request) -> Response:
    _operator(request)
    ticker = bounds.ticker("ticker", request.path_params["ticker"])
    scheduler: Scheduler = request.app.state.scheduler
    return json_response({"ticker": ticker, "cancelled": scheduler.cancel(ticker)})


routes = [
    Route("/faults", list_faults, methods=["GET"]),
    Route("/faults/{kind}/{target}", set_faults, methods=["PUT"]),
    Route("/faults/{kind}/{target}", clear_faults, methods=["DELETE"]),
    Route("/markets/{ticker}/determine", determine, methods=["POST"]),
    Route("/markets/{ticker}/finalize", finalize, methods=["POST"]),
    Route("/markets/{ticker}/schedule", schedule, methods=["POST"]),
    Route("/markets/{ticker}/schedule", unschedule, methods=["DELETE"]),
]
