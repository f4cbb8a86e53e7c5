"""The operator console: users, cash requests, the catalogue, market lifecycle, the
exchange switch, feature flags, and a live view of the exchange.

Only accounts whose role is ``operator`` reach these pages (``augury admin accounts
operator EMAIL on``, decision 0049); anyone else gets the site's plain 404, for every
path under ``/operator`` and for every method.

Every action is what the operator API (``/admin/v1``) does with the same input: cash is
a journaled ``Deposit``/``Withdraw`` (with a transfer id, so a retried form cannot move
money twice), the catalogue forms build a catalogue mapping and run it through
``catalog.catalog_commands`` (the same validation and defaults as ``augury admin catalog
load``), lifecycle actions are ``SetMarketState``/``DetermineMarket``, the exchange switch
``SetExchangeState``, suspension ``Platform.set_suspended``, cash requests
``CashDesk.decide``, flags ``platform.admin.write_flag``. Settling asks for a
confirmation page first that shows who is paid what.

Limits: forms 64 KiB (a catalogue file 1 MiB, at most 2,000 entries); user search 100
characters, 200 rows shown; market list 500 rows.
"""

from __future__ import annotations

import json
import secrets
from typing import Any, Literal

import yaml
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from augury.api.ratelimit import TIER_LIMITS
from augury.catalog_file import CatalogError, catalog_commands
from augury.domain.units import ONE_DOLLAR_CC, UnitError, dollars_cc_from_str
from augury.engine import commands as c
from augury.platform import accounts
from augury.platform.admin import write_flag
from augury.platform.http import PlatformError
from augury.platform.trading import error_for
from augury.web.pages.common import is_htmx, render, render_partial, require_operator
from augury.web.security import field, read_form
from augury.web.session import platform_of

__all__ = ["routes"]

CATALOGUE_FILE_MAX_BYTES = 1024 * 1024
CATALOGUE_ENTRIES_MAX = 2_000
MARKET_ROWS = 4
SEARCH_MAX_CHARS = 100
USERS_SHOWN = 200
MARKETS_SHOWN = 500


def _done(path: str, notice: str) -> Response:
    return RedirectResponse(f"{path}?notice=" + notice.replace(" ", "+")[:200], 303)


def _notice(request: Request) -> str:
    return request.query_params.get("notice", "")[:200]


# --- overview and the live view ------------------------------------------------------


async def overview(request: Request) -> Response:
    await require_operator(request)
    return await render(
        request, "operator/overview.html", {**_health(request), "notice": _notice(request)}
    )


def _health(request: Request) -> dict[str, Any]:
    from augury.web.app import web_of

    platform = platform_of(request)
    health = platform.reads.health()
    rate = web_of(request).live.orders_rate(platform.clock.now_ns())
    return {"h": health, "orders_per_s": rate}


async def health_partial(request: Request) -> Response:
    await require_operator(request)
    return render_partial(request, "operator/health.html", _health(request))


# --- users ---------------------------------------------------------------------------


async def users_page(request: Request) -> Response:
    await require_operator(request)
    q = (request.query_params.get("q") or "")[:SEARCH_MAX_CHARS].strip().lower()
    platform = platform_of(request)
    rows = await platform.db.read(
        lambda tx: tx.all(
            f"SELECT {accounts.COLUMNS} FROM platform_users ORDER BY created_ns DESC LIMIT 10000"  # noqa: S608
        )
    )
    people = [accounts.Account.from_row(r) for r in rows]
    if q:
        people = [
            a
            for a in people
            if q in a.email or q in a.username or q in f"{a.first_name} {a.last_name}".lower()
        ]
    shown = []
    for account in people[:USERS_SHOWN]:
        balance = platform.reads.balance(account.user_id)
        shown.append(
            {
                "a": account,
                "cash_cc": balance.available_cc if balance else 0,
                "reserved_cc": balance.reserved_cc if balance else 0,
                "tier": platform.reads.user_tier(account.user_id),
            }
        )
    return await render(
        request,
        "operator/users.html",
        {"users": shown, "q": q, "tiers": ["default", *TIER_LIMITS], "notice": _notice(request)},
    )


def _amount_cc(raw: str) -> int:
    text = raw.strip().removeprefix("$").replace(",", "")
    try:
        amount = dollars_cc_from_str(text) if text and len(text) <= 16 else 0
    except UnitError:
        amount = 0
    if amount <= 0 or amount % 100 or amount > 100_000_000 * ONE_DOLLAR_CC:
        raise PlatformError(400, "enter a dollar amount from $0.01 to $100,000,000.00")
    return amount


async def _known_account(request: Request, user_id: str) -> accounts.Account:
    found = await platform_of(request).db.read(lambda tx: accounts.by_id(tx, user_id))
    if found is None:
        raise PlatformError(404, "no such account")
    return found


async def user_action(request: Request) -> Response:
    viewer = await require_operator(request)
    form = await read_form(request, viewer)
    user_id = request.path_params["user_id"][:64]
    action = request.path_params["action"]
    platform = platform_of(request)
    account = await _known_account(request, user_id)
    if action in ("deposit", "withdraw"):
        amount = _amount_cc(field(form, "amount"))
        # The form's own nonce is the transfer id: a double submit moves money once.
        nonce = field(form, "nonce")[:40] or secrets.token_hex(8)
        transfer = f"web-{nonce}"
        command: c.Single = (
            c.Deposit(user_id=user_id, amount_cc=amount, transfer_id=transfer)
            if action == "deposit"
            else c.Withdraw(user_id=user_id, amount_cc=amount, transfer_id=transfer)
        )
        outcome = await platform.submit(command)
        if outcome.reject is not None:
            raise error_for(outcome.reject)
        notice = f"{action.title()} for {account.username} done."
    elif action in ("suspend", "reinstate"):
        if user_id == viewer.user_id and action == "suspend":
            raise PlatformError(409, "you cannot suspend yourself")
        await platform.set_suspended(user_id, action == "suspend")
        notice = f"{account.username} {'suspended' if action == 'suspend' else 'reinstated'}."
    elif action == "tier":
        tier = field(form, "tier")
        if tier not in ("default", *TIER_LIMITS):
            raise PlatformError(400, "unknown tier")
        # "default" is the engine's own word for the server's default tier.
        outcome = await platform.submit(c.SetUserTier(user_id=user_id, tier=tier))
        if outcome.reject is not None:
            raise error_for(outcome.reject)
        notice = f"{account.username} is now on the {tier} tier."
    else:
        raise PlatformError(404, "There is no page at this address.")
    return _done("/operator/users", notice)


# --- cash requests ---------------------------------------------------------------------


async def cash_page(request: Request) -> Response:
    await require_operator(request)
    platform = platform_of(request)
    pending = await platform.cash.listing("pending")
    recent = await platform.cash.listing(None)
    return await render(
        request,
        "operator/cash.html",
        {"pending": pending, "recent": recent[:100], "notice": _notice(request)},
    )


async def cash_action(request: Request) -> Response:
    viewer = await require_operator(request)
    form = await read_form(request, viewer)
    action = request.path_params["action"]
    if action not in ("approve", "reject"):
        raise PlatformError(404, "There is no page at this address.")
    reason = field(form, "reason")[:500] or None
    row = await platform_of(request).cash.decide(
        request.path_params["request_id"][:64], action == "approve", reason
    )
    return _done("/operator/cash", f"Request {row.request_id} {row.status}.")


# --- catalogue ---------------------------------------------------------------------------


async def catalogue_page(request: Request) -> Response:
    await require_operator(request)
    return await _catalogue(request, {}, "")


async def _catalogue(request: Request, values: dict[str, str], error: str) -> Response:
    platform = platform_of(request)
    exchange_series = sorted({e.series_ticker for e in platform.reads.events()})
    context = {
        "values": values,
        "error": error,
        "series": exchange_series,
        "rows": range(1, MARKET_ROWS + 1),
        "notice": _notice(request),
        "nonce": secrets.token_hex(8),
    }
    status = 400 if error and not is_htmx(request) else 200
    return await render(request, "operator/catalogue.html", context, status)


def _series_entry(form: FormData) -> dict[str, Any]:
    return {
        "ticker": field(form, "ticker"),
        "title": field(form, "title"),
        "category": field(form, "category"),
        "frequency": field(form, "frequency") or "custom",
        "fee_type": field(form, "fee_type") or "quadratic",
        "fee_multiplier": field(form, "fee_multiplier") or "1",
    }


def _event_catalogue(form: FormData) -> dict[str, Any]:
    event_ticker = field(form, "event_ticker")
    event = {
        "event_ticker": event_ticker,
        "series_ticker": field(form, "series_ticker"),
        "title": field(form, "title"),
        "sub_title": field(form, "sub_title"),
        "mutually_exclusive": form.get("mutually_exclusive") == "on",
    }
    markets = []
    for i in range(1, MARKET_ROWS + 1):
        suffix = field(form, f"m{i}_suffix")
        label = field(form, f"m{i}_label")
        if not suffix and not label:
            continue
        if not suffix or not label:
            raise CatalogError(f"market {i}: give both a ticker suffix and a label")
        market: dict[str, Any] = {
            "ticker": f"{event_ticker}-{suffix}",
            "event_ticker": event_ticker,
            "title": field(form, f"m{i}_title") or f"{event['title']}: {label}",
            "yes_sub_title": label,
            "no_sub_title": f"Not {label}",
            "rules_primary": field(form, f"m{i}_rules") or field(form, "rules"),
            "settlement_timer_seconds": 0,
        }
        for key in ("open_time", "close_time"):
            if field(form, key):
                market[key] = field(form, key)
        markets.append(market)
    if not markets:
        raise CatalogError("an event needs at least one market")
    return {"events": [event], "markets": markets}


async def _load(request: Request, catalogue: dict[str, Any]) -> tuple[int, list[str]]:
    """Run a catalogue through the operator API's own path; return (created, errors)."""
    platform = platform_of(request)
    entries = sum(len(catalogue.get(k) or []) for k in ("series", "events", "markets"))
    if entries > CATALOGUE_ENTRIES_MAX:
        raise CatalogError(f"at most {CATALOGUE_ENTRIES_MAX} entries per catalogue")
    try:
        items = catalog_commands(catalogue, platform.clock.now_ns())
    except (KeyError, TypeError, AttributeError) as error:
        raise CatalogError(f"malformed catalogue: {error}") from None
    outcome = await platform.submit(c.Batch[object](items=items))
    created, errors = 0, []
    for item, result in zip(items, outcome.value, strict=True):
        if result.reject is not None:
            name = getattr(item, "ticker", getattr(item, "event_ticker", ""))
            errors.append(f"{name}: {result.reject.message}")
        elif result.value:
            created += 1
    return created, errors


async def create_series(request: Request) -> Response:
    viewer = await require_operator(request)
    form = await read_form(request, viewer)
    try:
        created, errors = await _load(request, {"series": [_series_entry(form)]})
    except CatalogError as error:
        return await _catalogue(request, _values(form), str(error))
    if errors:
        return await _catalogue(request, _values(form), "; ".join(errors))
    return _done("/operator/catalogue", f"Series created ({created}).")


async def create_event(request: Request) -> Response:
    viewer = await require_operator(request)
    form = await read_form(request, viewer)
    platform = platform_of(request)
    try:
        catalogue = _event_catalogue(form)
        created, errors = await _load(request, catalogue)
    except CatalogError as error:
        return await _catalogue(request, _values(form), str(error))
    if errors:
        return await _catalogue(request, _values(form), "; ".join(errors))
    if form.get("feature") == "on":
        await platform.slugs.ensure(platform.reads.events(), platform.clock.now_ns())
        slug = platform.slugs.by_event.get(field(form, "event_ticker"))
        if slug:
            await platform.slugs.set_featured(slug, True)
    return _done("/operator/markets", f"Event created with {created - 1} markets.")


async def load_file(request: Request) -> Response:
    viewer = await require_operator(request)
    form = await read_form(request, viewer, max_bytes=CATALOGUE_FILE_MAX_BYTES + 16 * 1024)
    upload = form.get("file")
    try:
        if upload is None or isinstance(upload, str):
            raise CatalogError("choose a catalogue file (JSON or YAML)")
        raw = await upload.read(CATALOGUE_FILE_MAX_BYTES + 1)
        if len(raw) > CATALOGUE_FILE_MAX_BYTES:
            raise CatalogError("the file is larger than 1 MiB")
        try:
            data = (
                json.loads(raw)
                if (upload.filename or "").endswith(".json")
                else yaml.safe_load(raw.decode("utf-8"))
            )
        except (ValueError, yaml.YAMLError) as error:
            raise CatalogError(f"not valid JSON or YAML: {str(error)[:200]}") from None
        if not isinstance(data, dict):
            raise CatalogError("a catalogue is a mapping with series, events and markets lists")
        created, errors = await _load(request, data)
    except CatalogError as error:
        return await _catalogue(request, {}, str(error))
    finally:
        await form.close()
    note = f"Catalogue loaded: {created} created" + (f", {len(errors)} refused" if errors else "")
    if errors:
        return await _catalogue(request, {}, note + ": " + "; ".join(errors[:20]))
    return _done("/operator/catalogue", note + ".")


def _values(form: FormData) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


# --- markets: lifecycle and settlement ---------------------------------------------------


async def markets_page(request: Request) -> Response:
    await require_operator(request)
    platform = platform_of(request)
    q = (request.query_params.get("q") or "")[:SEARCH_MAX_CHARS].strip().lower()
    pairs = [
        (event, market)
        for event in platform.reads.events()
        for market in event.markets
        if not q or q in f"{market.ticker} {event.title} {market.label}".lower()
    ]
    pairs.sort(key=lambda p: (p[1].status != "active", -p[0].created_ns, p[1].ticker))
    rows = [{"event": event, "m": market} for event, market in pairs]
    health = platform.reads.health()
    return await render(
        request,
        "operator/markets.html",
        {
            "rows": rows[:MARKETS_SHOWN],
            "q": q,
            "trading_active": health.trading_active,
            "notice": _notice(request),
        },
    )


async def market_action(request: Request) -> Response:
    viewer = await require_operator(request)
    await read_form(request, viewer)
    ticker = request.path_params["ticker"][:100]
    action = request.path_params["action"]
    if action not in ("pause", "resume", "close"):
        raise PlatformError(404, "There is no page at this address.")
    platform = platform_of(request)
    if platform.reads.market(ticker) is None:
        raise PlatformError(404, "no such market")
    outcome = await platform.submit(c.SetMarketState(ticker=ticker, action=action))
    if outcome.reject is not None:
        raise PlatformError(409, outcome.reject.message)
    return _done("/operator/markets", f"{ticker}: {outcome.value}.")


def _settlement(request: Request, ticker: str, result: str, value_cc: int | None) -> dict[str, Any]:
    """Who is paid what if ``ticker`` settles ``result`` (integer centi-cents): the read
    side asks the ledger's own payout function (``reads.holders``), subaccounts included."""
    fixed: dict[str, int | None] = {"yes": ONE_DOLLAR_CC, "no": 0, "void": None}
    yes_value_cc = fixed.get(result, value_cc or 0)
    holders = platform_of(request).reads.holders(ticker, yes_value_cc)
    return {"holders": holders, "total_cc": sum(h.payout_cc for h in holders)}


async def settle_confirm(request: Request) -> Response:
    await require_operator(request)
    ticker = request.path_params["ticker"][:100]
    platform = platform_of(request)
    market = platform.reads.market(ticker)
    if market is None:
        raise PlatformError(404, "no such market")
    result = request.query_params.get("result", "")
    if result not in ("yes", "no", "scalar", "void"):
        raise PlatformError(400, "result is yes, no, scalar or void")
    value_cc = _scalar(request.query_params.get("value", "")) if result == "scalar" else None
    return await render(
        request,
        "operator/settle.html",
        {
            "market": market,
            "result": result,
            "value": request.query_params.get("value", "")[:10],
            "value_cc": value_cc,
            **_settlement(request, ticker, result, value_cc),
        },
    )


def _scalar(raw: str) -> int:
    try:
        value = dollars_cc_from_str(raw) if raw and len(raw) <= 8 else -1
    except UnitError:
        value = -1
    if not 0 <= value <= ONE_DOLLAR_CC:
        raise PlatformError(400, "a scalar result is a YES value from 0 to 1 dollar, like 0.35")
    return value


async def settle(request: Request) -> Response:
    viewer = await require_operator(request)
    form = await read_form(request, viewer)
    ticker = request.path_params["ticker"][:100]
    results: dict[str, Literal["yes", "no", "scalar", "void"]] = {
        "yes": "yes",
        "no": "no",
        "scalar": "scalar",
        "void": "void",
    }
    result = results.get(field(form, "result"))
    if result is None:
        raise PlatformError(400, "result is yes, no, scalar or void")
    platform = platform_of(request)
    if platform.reads.market(ticker) is None:
        raise PlatformError(404, "no such market")
    value_cc = _scalar(field(form, "value")) if result == "scalar" else None
    outcome = await platform.submit(
        c.DetermineMarket(ticker=ticker, result=result, value_cc=value_cc, settle_now=True)
    )
    if outcome.reject is not None:
        raise PlatformError(409, outcome.reject.message)
    return _done("/operator/markets", f"{ticker} settled {result}.")


async def exchange_action(request: Request) -> Response:
    viewer = await require_operator(request)
    await read_form(request, viewer)
    action = request.path_params["action"]
    if action not in ("pause", "resume"):
        raise PlatformError(404, "There is no page at this address.")
    outcome = await platform_of(request).submit(c.SetExchangeState(paused=action == "pause"))
    if outcome.reject is not None:
        raise PlatformError(409, outcome.reject.message)
    return _done("/operator", "Trading paused." if action == "pause" else "Trading resumed.")


# --- flags ---------------------------------------------------------------------------------


async def flags_page(request: Request) -> Response:
    await require_operator(request)
    rows = await platform_of(request).db.read(
        lambda tx: tx.all("SELECT name, enabled, updated_ns FROM platform_flags ORDER BY name")
    )
    flags = [{"name": str(n), "on": bool(e), "updated_ns": int(str(u))} for n, e, u in rows]
    return await render(
        request, "operator/flags.html", {"flags": flags, "notice": _notice(request)}
    )


async def set_flag(request: Request) -> Response:
    viewer = await require_operator(request)
    form = await read_form(request, viewer)
    name = field(form, "name").lower()
    await write_flag(platform_of(request), name, field(form, "enabled") == "on")
    return _done("/operator/flags", f"Flag {name} saved.")


async def not_found(request: Request) -> Response:
    await require_operator(request)
    raise PlatformError(404, "There is no page at this address.")


routes = [
    Route("/operator", overview, methods=["GET"]),
    Route("/operator/health", health_partial, methods=["GET"]),
    Route("/operator/users", users_page, methods=["GET"]),
    Route("/operator/users/{user_id}/{action}", user_action, methods=["POST"]),
    Route("/operator/cash", cash_page, methods=["GET"]),
    Route("/operator/cash/{request_id}/{action}", cash_action, methods=["POST"]),
    Route("/operator/catalogue", catalogue_page, methods=["GET"]),
    Route("/operator/catalogue/series", create_series, methods=["POST"]),
    Route("/operator/catalogue/event", create_event, methods=["POST"]),
    Route("/operator/catalogue/file", load_file, methods=["POST"]),
    Route("/operator/markets", markets_page, methods=["GET"]),
    Route("/operator/markets/{ticker}/settle", settle_confirm, methods=["GET"]),
    Route("/operator/markets/{ticker}/settle", settle, methods=["POST"]),
    Route("/operator/markets/{ticker}/{action}", market_action, methods=["POST"]),
    Route("/operator/exchange/{action}", exchange_action, methods=["POST"]),
    Route("/operator/flags", flags_page, methods=["GET"]),
    Route("/operator/flags", set_flag, methods=["POST"]),
    Route("/operator/{rest:path}", not_found, methods=["GET", "POST"]),
]
