"""Commands for people at a terminal: markets, books, orders, positions, balance, fills, export.

Every command takes ``--host``, ``--profile`` and ``--json`` (see ``cli.common``). Prices
are given in dollars (``--price 0.56``) and counts in contracts (``--count 10``); both are
parsed into integers, never floats. ``order buy`` buys YES (a V2 bid) and ``order sell``
sells YES (a V2 ask, i.e. buys NO at one dollar minus the price).
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.live import Live
from rich.table import Table

from augury.client import endpoints as ep
from augury.client import orders
from augury.client.cli.common import (
    HostOpt,
    JsonOpt,
    ProfileOpt,
    RootOpt,
    client_for,
    fail,
    print_json,
    print_table,
    run_api,
    signer_for,
    ws_host,
)
from augury.client.hosts import Host
from augury.client.models import wire
from augury.client.pagination import items
from augury.client.units import UnitError, count_c, dollars_cc
from augury.client.ws import LocalBook, WsClient

__all__ = ["balance", "book", "fills", "markets", "order_app", "positions"]

order_app = typer.Typer(no_args_is_help=True, help="Place, cancel and list orders.")


def markets(
    series: Annotated[str | None, typer.Option("--series")] = None,
    status: Annotated[str | None, typer.Option("--status", help="open, closed, settled...")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 100,
    host: HostOpt = None,
    profile: ProfileOpt = None,
    root: RootOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List markets."""
    client = client_for(host, profile, root, signed=False)
    page = run_api(lambda: client.markets(series_ticker=series, status=status, limit=limit))
    if as_json:
        print_json(page.markets)
        return
    print_table(
        "markets",
        ["ticker", "status", "yes bid", "yes ask", "last", "volume", "title"],
        [
            [
                m.ticker,
                m.status,
                m.yes_bid_dollars,
                m.yes_ask_dollars,
                m.last_price_dollars,
                m.volume_fp,
                m.title or "",
            ]
            for m in page.markets
        ],
    )


def _book_table(ticker: str, yes: list[list[str]], no: list[list[str]]) -> Table:
    table = Table(title=f"{ticker} order book")
    for column in ("yes bid", "size", "no bid", "size"):
        table.add_column(column, justify="right")
    yes_best, no_best = list(reversed(yes)), list(reversed(no))
    for i in range(max(len(yes_best), len(no_best))):
        left = yes_best[i] if i < len(yes_best) else ["", ""]
        right = no_best[i] if i < len(no_best) else ["", ""]
        table.add_row(left[0], left[1], right[0], right[1])
    return table


def book(
    ticker: str,
    watch: Annotated[bool, typer.Option("--watch", help="live book over the WebSocket")] = False,
    updates: Annotated[int, typer.Option("--updates", help="with --watch: stop after N")] = 0,
    host: HostOpt = None,
    profile: ProfileOpt = None,
    root: RootOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show a market's order book (YES bids and NO bids, best first)."""
    if not watch:
        client = client_for(host, profile, root, signed=False)
        found = run_api(lambda: client.orderbook(ticker))
        if as_json:
            print_json(found)
        else:
            Console().print(_book_table(ticker, found.yes_dollars, found.no_dollars))
        return
    signer, profile_host = signer_for(profile, root, required=True)
    asyncio.run(_watch(ws_host(host or profile_host), signer, ticker, updates, as_json))


async def _watch(
    host: str | Host, signer: object, ticker: str, updates: int, as_json: bool
) -> None:
    from augury.client.signing import Signer

    ws = WsClient(host, signer=signer if isinstance(signer, Signer) else None)
    await ws.subscribe(["orderbook_delta"], [ticker])
    runner = asyncio.ensure_future(ws.run())
    seen = 0
    local: LocalBook = ws.books[ticker]
    try:
        with Live(
            _book_table(ticker, [], []), auto_refresh=False, console=Console(quiet=as_json)
        ) as live:
            async for message in ws.messages():
                if message.get("msg", {}).get("market_ticker") != ticker or not local.ready:
                    continue
                yes, no = local.as_rest()
                live.update(_book_table(ticker, yes, no), refresh=True)
                seen += 1
                if as_json:
                    print_json({"yes_dollars": yes, "no_dollars": no})
                if updates and seen >= updates:
                    break
    finally:
        await ws.close()
        runner.cancel()


def _order(
    side: Literal["bid", "ask"],
    ticker: str,
    price: str,
    count: str,
    tif: str,
    client_order_id: str | None,
    host: str | None,
    profile: str | None,
    root: object,
    as_json: bool,
) -> None:
    try:
        price_cc, count_c_ = dollars_cc(price), count_c(count)
        request = orders.order_v2(
            ticker,
            side,
            price_cc,
            count_c_,
            time_in_force=tif,  # type: ignore[arg-type]
            client_order_id=client_order_id,
        )
    except (UnitError, ValueError) as exc:
        raise fail(str(exc)) from None
    client = client_for(host, profile, root)  # type: ignore[arg-type]
    made = run_api(lambda: client.create_order(request))
    if as_json:
        print_json(made)
    else:
        typer.echo(
            f"order {made.order_id} ({made.client_order_id}): filled {made.fill_count}, "
            f"resting {made.remaining_count}"
        )


PriceOpt = Annotated[str, typer.Option("--price", help="YES price in dollars, e.g. 0.56")]
CountOpt = Annotated[str, typer.Option("--count", help="contracts, e.g. 10")]
TifOpt = Annotated[
    str, typer.Option("--tif", help="good_till_canceled | immediate_or_cancel | fill_or_kill")
]
CoidOpt = Annotated[str | None, typer.Option("--client-order-id")]


@order_app.command("buy")
def buy(
    ticker: str,
    price: PriceOpt,
    count: CountOpt,
    tif: TifOpt = "good_till_canceled",
    client_order_id: CoidOpt = None,
    host: HostOpt = None,
    profile: ProfileOpt = None,
    root: RootOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Buy YES at up to PRICE."""
    _order("bid", ticker, price, count, tif, client_order_id, host, profile, root, as_json)


@order_app.command("sell")
def sell(
    ticker: str,
    price: PriceOpt,
    count: CountOpt,
    tif: TifOpt = "good_till_canceled",
    client_order_id: CoidOpt = None,
    host: HostOpt = None,
    profile: ProfileOpt = None,
    root: RootOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Sell YES at PRICE or better (buys NO at 1 - PRICE)."""
    _order("ask", ticker, price, count, tif, client_order_id, host, profile, root, as_json)


@order_app.command("cancel")
def cancel(
    order_id: str,
    host: HostOpt = None,
    profile: ProfileOpt = None,
    root: RootOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Cancel a resting order."""
    client = client_for(host, profile, root)
    done = run_api(lambda: client.cancel_order(order_id))
    if as_json:
        print_json(done)
    else:
        typer.echo(f"canceled {done.order_id}: reduced by {done.reduced_by}")


@order_app.command("list")
def list_orders(
    ticker: Annotated[str | None, typer.Option("--ticker")] = None,
    status: Annotated[str | None, typer.Option("--status", help="resting, canceled...")] = None,
    host: HostOpt = None,
    profile: ProfileOpt = None,
    root: RootOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List your orders."""
    client = client_for(host, profile, root)
    found = run_api(lambda: client.orders(ticker=ticker, status=status)).orders
    if as_json:
        print_json(found)
        return
    print_table(
        "orders",
        ["order id", "ticker", "side", "price", "filled", "remaining", "status"],
        [
            [
                o.order_id,
                o.ticker,
                o.book_side,
                o.yes_price_dollars,
                o.fill_count_fp,
                o.remaining_count_fp,
                o.status,
            ]
            for o in found
        ],
    )


def positions(
    host: HostOpt = None, profile: ProfileOpt = None, root: RootOpt = None, as_json: JsonOpt = False
) -> None:
    """Show your market positions (+YES / -NO)."""
    client = client_for(host, profile, root)
    found = run_api(lambda: client.positions()).market_positions
    if as_json:
        print_json(found)
        return
    print_table(
        "positions",
        ["ticker", "position", "exposure", "realized P&L", "fees"],
        [
            [
                p.ticker,
                p.position_fp,
                p.market_exposure_dollars,
                p.realized_pnl_dollars,
                p.fees_paid_dollars,
            ]
            for p in found
        ],
    )


def balance(
    host: HostOpt = None, profile: ProfileOpt = None, root: RootOpt = None, as_json: JsonOpt = False
) -> None:
    """Show your balance."""
    client = client_for(host, profile, root)
    found = run_api(client.balance)
    if as_json:
        print_json(found)
        return
    typer.echo(f"balance ${found.balance_dollars}  portfolio value {found.portfolio_value}¢")


def fills(
    ticker: Annotated[str | None, typer.Option("--ticker")] = None,
    host: HostOpt = None,
    profile: ProfileOpt = None,
    root: RootOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List your fills (newest first)."""
    client = client_for(host, profile, root)

    def walk() -> list[wire.Fill]:
        page = lambda cur: ep.get_fills(ticker=ticker, cursor=cur, limit=1000)  # noqa: E731
        return list(items(client.send, page, "fills"))

    found = run_api(walk)
    if as_json:
        print_json(found)
        return
    print_table(
        "fills",
        ["fill id", "ticker", "side", "price", "count", "taker", "fee"],
        [
            [
                f.fill_id,
                f.ticker,
                f.book_side,
                f.yes_price_dollars,
                f.count_fp,
                f.is_taker,
                f.fee_cost,
            ]
            for f in found
        ],
    )
