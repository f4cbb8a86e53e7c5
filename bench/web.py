"""Web pages of a busy market: server time per page, in process.

Setup: one exchange (``create_app`` on a temporary SQLite directory, the real lifespan)
with a ``deci_cent`` market holding 100 price levels (50 YES bids, 50 YES asks, several
orders each) and 10,000 trades between two platform accounts (so the tape, the candles,
one trader's 10,000 fills and the equity curve all have that much behind them). Each page
is then requested ``--rounds`` times through ``httpx.ASGITransport`` as a signed-in
person (the session cookie), so the time measured is the server's: routing, the reads,
the ``/api`` handlers the page calls, rendering, and no network.

Goal (issue 13): under 300 ms server time for the pages of that market. Prints the median
and the 95th percentile per page; asserts nothing.

    .venv/bin/python -m bench.web [--trades 10000] [--rounds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any, Literal

import httpx

from augury.api.app import create_app
from augury.api.context import Context
from augury.api.settings import Settings
from augury.engine import commands as c
from augury.platform.settings import PlatformSettings

TICKER = "KXBENCHWEB-1"
SLUG = "a-busy-market"
FAST = PlatformSettings(argon2_time_cost=1, argon2_memory_kib=64, argon2_parallelism=1)
CATALOG = {
    "series": [{"ticker": "KXBENCHWEB", "title": "Bench", "category": "Economics"}],
    "events": [
        {"event_ticker": "KXBENCHWEB", "series_ticker": "KXBENCHWEB", "title": "A busy market"}
    ],
    "markets": [
        {
            "ticker": TICKER,
            "event_ticker": "KXBENCHWEB",
            "title": "Busy?",
            "yes_sub_title": "Busy",
            "price_level_structure": "deci_cent",
            "rules_primary": "Resolves yes if busy.",
        }
    ],
}


async def _place(ctx: Context, items: list[c.Single]) -> None:
    for start in range(0, len(items), 500):
        outcome = await ctx.runtime.sequencer.submit(
            c.Batch[object](items=items[start : start + 500])
        )
        refused = [r.reject for r in outcome.value if r.reject is not None]
        assert not refused, refused[:3]


def _order(
    user: str,
    side: Literal["bid", "ask"],
    price_cc: int,
    count_c: int,
    tif: Literal["good_till_canceled", "immediate_or_cancel"],
) -> c.PlaceOrder:
    return c.PlaceOrder(
        user_id=user,
        ticker=TICKER,
        side=side,
        price_cc=price_cc,
        count_c=count_c,
        time_in_force=tif,
    )


async def _populate(ctx: Context, maker: str, taker: str, trades: int) -> None:
    # 10,000 trades: the maker rests a YES bid, the taker sells into it, around 50¢.
    items: list[c.Single] = []
    for i in range(trades):
        price = 4_500 + (i * 37) % 100 * 10  # 45.0¢ .. 54.9¢ on the deci-cent grid
        items.append(_order(maker, "bid", price, 100, "good_till_canceled"))
        items.append(_order(taker, "ask", price, 100, "immediate_or_cancel"))
    await _place(ctx, items)
    # Then 100 levels rest: 50 bids 30.0..34.9¢, 50 asks 65.0..69.9¢, three orders each.
    resting: list[c.Single] = []
    for level in range(50):
        for n in range(3):
            resting.append(
                _order(maker, "bid", 3_000 + level * 10, 100 * (n + 1), "good_till_canceled")
            )
            resting.append(
                _order(maker, "ask", 6_500 + level * 10, 100 * (n + 1), "good_till_canceled")
            )
    await _place(ctx, resting)


async def _session(client: httpx.AsyncClient, email: str) -> str:
    body = {"email": email, "password": "correct horse battery"}
    assert (await client.post("/api/auth/register", json=body)).status_code == 201
    login = await client.post("/api/auth/login", json=body)
    return login.cookies["augury_session"]


async def _time(
    client: httpx.AsyncClient, method: str, path: str, rounds: int, **kw: Any
) -> list[float]:
    spent = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = await client.request(method, path, **kw)
        spent.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return spent


async def run(trades: int, rounds: int) -> None:
    data = Path(tempfile.mkdtemp(prefix="bench-web-"))
    app = create_app(Settings(data_dir=data, platform=FAST, rate_limits=False))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://augury") as client:
            ctx: Context = app.state.context
            from augury.catalog import catalog_commands

            await _place(ctx, catalog_commands(CATALOG, ctx.clock.now_ns()))
            maker_cookie = await _session(client, "maker@example.com")
            taker_cookie = await _session(client, "taker@example.com")
            platform = app.state.platform
            members = sorted(platform.members)
            maker, taker = members[0], members[1]
            await _place(ctx, [c.Deposit(user_id=u, amount_cc=10**12) for u in members])
            started = time.perf_counter()
            await _populate(ctx, maker, taker, trades)
            await ctx.runtime.history.drain()
            print(
                f"setup: {trades:,} trades and 300 resting orders on 100 levels "
                f"in {time.perf_counter() - started:.1f}s"
            )
            # The maker: 10,000 fills and the 300 resting orders.
            client.cookies.set("augury_session", maker_cookie)
            me = await client.get("/api/auth/me")
            csrf = me.json()["csrfToken"]
            quote = {
                "side": "YES",
                "action": "BUY",
                "kind": "market",
                "unit": "dollars",
                "quantity": "",
                "amount": "2500",
                "limit": "",
                "csrf_token": csrf,
            }
            pages: list[tuple[str, str, dict[str, Any]]] = [
                ("event page (full)", f"/event/{SLUG}?m={TICKER}", {}),
                ("markets page", "/", {}),
                ("book partial", f"/m/{TICKER}/book", {}),
                ("tape partial", f"/m/{TICKER}/tape", {}),
                ("candles 1m json", f"/m/{TICKER}/candles?period=1m", {}),
                ("your position and 300 orders", f"/m/{TICKER}/mine", {}),
                ("ticket quote ($2,500 market)", f"/m/{TICKER}/quote", {"data": quote}),
                ("portfolio (300 orders, 10k fills)", "/portfolio", {}),
                ("equity curve (10,000 fills)", "/portfolio/equity", {}),
            ]
            book = (await client.get(f"/m/{TICKER}/book")).text
            tape = (await client.get(f"/m/{TICKER}/tape")).text
            fills = (await client.get("/api/trades", params={"limit": 200})).json()["trades"]
            bids, asks = book.count('class="bid"'), book.count('class="ask"')
            rows = tape.count("<tr>") - 1
            print(
                f"check: the book shows {bids} bid and {asks} ask rows (YES and NO "
                f"ladders), the tape {rows} trades, the maker has {len(fills)}+ fills"
            )
            print(f"{'page':34} {'median ms':>10} {'p95 ms':>8}   (goal: < 300 ms)")
            for name, path, kw in pages:
                method = "POST" if "data" in kw else "GET"
                spent = await _time(client, method, path, rounds, **kw)
                p95 = sorted(spent)[max(0, int(len(spent) * 0.95) - 1)]
                print(f"{name:34} {statistics.median(spent):10.1f} {p95:8.1f}")
            del taker_cookie


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trades", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    asyncio.run(run(args.trades, args.rounds))


if __name__ == "__main__":
    main()
