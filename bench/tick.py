"""Tick benchmark: what a ``Tick`` costs on a large exchange where little is due (issue 11).

    .venv/bin/python -m bench.tick [--engine all|python|native] [--markets N]
                                   [--orders N] [--ticks N] [--due-orders N]

The exchange: ``--markets`` markets (default 10,000) and ``--orders`` resting bids
(default 100,000), every one of them with an expiration, spread over the markets and 100
users. Then ``--ticks`` timed ticks (default 50) one second apart; at each, one market
reaches its close (its ~10 resting orders are cancelled with it) and ``--due-orders``
orders (default 10, on markets staying open) expire; everything else is due days later.
After each of those, a tick one nanosecond later, with nothing due, is timed too.

For the Python engine the same ticks also run, on a copy of the same state (loaded from
its snapshot), through the rescanning handler the engine had before the due index (kept
here as ``rescanning_tick``: every market not finalized, then every expiring order); the
two must emit the same events, and the run says so. The native engine's rescanning
handler lives only in older builds: run this script with such a build's interpreter
(e.g. main's ``.venv`` before the index landed) for its figures; the script uses nothing
the older engines lack.

Prints figures only and asserts nothing; each line is ``engine path: ...`` with the
median and mean of the per-tick wall time in microseconds.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable
from typing import Any
from unittest import mock

from tests.engine.rescan_tick import rescanning_tick

from augury.engine import commands as c
from augury.engine.events import Event
from augury.engine.exchange import HANDLERS, Exchange
from augury.engine.snapshot import dump_state, load_state
from augury.runtime import native_engine

SECOND = 1_000_000_000
T0 = 1_800_000_000 * SECOND
FIRST_DUE_S = 100
FAR_S = 1_000_000
USERS = 100


def setup_commands(markets: int, orders: int, ticks: int, due_orders: int) -> list[c.Single]:
    out: list[c.Single] = [
        c.AddSeries(ticker="S", fee_type="quadratic", fee_multiplier_e4=10_000),
        c.AddEvent(event_ticker="E", series_ticker="S"),
    ]
    for i in range(markets):
        close_s = FIRST_DUE_S + i if i < ticks else FAR_S
        out.append(
            c.AddMarket(
                ticker=f"M{i:05}", event_ticker="E", open_ts_ns=0, close_ts_ns=T0 + close_s * SECOND
            )
        )
    for u in range(USERS):
        out.append(c.CreateUser(user_id=f"u{u:03}", name=f"u{u:03}"))
        out.append(c.Deposit(user_id=f"u{u:03}", amount_cc=10**13))
    for j in range(orders):
        if j < ticks * due_orders:  # due at tick j // due_orders, on a market staying open
            expires = T0 + (FIRST_DUE_S + j // due_orders) * SECOND + SECOND // 4
        else:
            expires = T0 + FAR_S * SECOND + j
        out.append(
            c.PlaceOrder(
                user_id=f"u{j % USERS:03}",
                ticker=f"M{(j + ticks) % markets:05}",
                side="bid",
                price_cc=1_000,
                count_c=100,
                time_in_force="good_till_canceled",
                expiration_ts_ns=expires,
            )
        )
    return out


def timed_ticks(exchange: Any, ticks: int) -> tuple[list[int], list[int], list[list[Event]]]:
    """Apply the due ticks and the quiet ticks after them; their times (ns) and events."""
    due_ns: list[int] = []
    quiet_ns: list[int] = []
    events: list[list[Event]] = []
    gc.collect()
    gc.disable()
    try:
        for i in range(ticks):
            at = T0 + (FIRST_DUE_S + i) * SECOND + SECOND // 2
            start = time.perf_counter_ns()
            outcome = exchange.apply(c.Tick(), at)
            due_ns.append(time.perf_counter_ns() - start)
            events.append(list(outcome.events))
            start = time.perf_counter_ns()
            exchange.apply(c.Tick(), at + 1)
            quiet_ns.append(time.perf_counter_ns() - start)
    finally:
        gc.enable()
    return due_ns, quiet_ns, events


def _line(engine: str, path: str, due_ns: list[int], quiet_ns: list[int]) -> str:
    def us(values: list[int]) -> str:
        median, mean = statistics.median(values) / 1000, statistics.fmean(values) / 1000
        return f"median {median:,.1f} us mean {mean:,.1f} us"

    return f"{engine} {path}: tick with few due {us(due_ns)}; tick with nothing due {us(quiet_ns)}"


def build(make: Callable[[], Any], commands: list[c.Single]) -> tuple[Any, float]:
    exchange = make()
    start = time.perf_counter()
    for command in commands:
        outcome = exchange.apply(command, T0)
        if not outcome.ok:
            raise SystemExit(f"setup refused {command!r}: {outcome.reject}")
    return exchange, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["all", "python", "native"], default="all")
    parser.add_argument("--markets", type=int, default=10_000)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--ticks", type=int, default=50)
    parser.add_argument("--due-orders", type=int, default=10)
    args = parser.parse_args()
    commands = setup_commands(args.markets, args.orders, args.ticks, args.due_orders)
    print(
        f"markets={args.markets} expiring_orders={args.orders} ticks={args.ticks} "
        f"due per tick: 1 market (closing) + {args.due_orders} orders"
    )
    if args.engine in ("all", "native") and native_engine.available():
        native, took = build(lambda: native_engine.NativeExchange("tick"), commands)
        print(f"native setup {took:.1f} s")
        due, quiet, _ = timed_ticks(native, args.ticks)
        print(_line("native", "engine's Tick", due, quiet))
    if args.engine in ("all", "python"):
        python, took = build(lambda: Exchange("tick"), commands)
        print(f"python setup {took:.1f} s")
        reference = load_state(dump_state(python))
        with mock.patch.dict(HANDLERS, {c.Tick: rescanning_tick}):
            ref_due, ref_quiet, ref_events = timed_ticks(reference, args.ticks)
        due, quiet, events = timed_ticks(python, args.ticks)
        print(_line("python", "engine's Tick", due, quiet))
        print(_line("python", "rescanning reference", ref_due, ref_quiet))
        print(f"python same events as the reference: {'yes' if events == ref_events else 'NO'}")


if __name__ == "__main__":
    main()
