"""``queries.attach``: the live index follows the sequencer before any later subscriber.

docs/ARCHITECTURE.md says the read side's index is the sequencer's first sink, so a sink
subscribed after it (the WebSocket hub, the key ring, the platform) and any route answering
a command's response already read the state that command produced.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from augury import queries as read_side
from augury.engine import commands as c
from augury.engine.exchange import Outcome
from augury.runtime.boot import Runtime
from augury.runtime.clock import FakeClock
from augury.store import SQL_STORE
from tests.engine.market_setup import gtc_bid, one_market


async def _run(url: str) -> list[tuple[str, int | None]]:
    runtime = await Runtime.start(url, "augury", FakeClock(1_000), store=SQL_STORE)
    seen: list[tuple[str, int | None]] = []
    try:
        port = read_side.attach(runtime)

        def later_sink(seq: int, command: c.Command, outcome: Outcome[object]) -> None:
            # What a later subscriber reads while the command's events are handed out.
            if isinstance(command, c.PlaceOrder):
                orders = port.resting_orders(command.user_id, subaccount=0)
                seen.append(("orders", len(orders)))
            elif isinstance(command, c.Deposit):
                balance = port.balance(command.user_id, 0)
                seen.append(("balance", None if balance is None else balance.available_cc))

        runtime.sequencer.subscribe(later_sink)
        for command in [*one_market({"ann": 10_000_000}), gtc_bid("ann", 4000, 500)]:
            outcome = await runtime.sequencer.submit(command)
            assert outcome.reject is None, outcome
            if isinstance(command, c.PlaceOrder):
                # The command's response: the route reads the port right away.
                seen.append(("response", len(port.resting_orders("ann", subaccount=0))))
    finally:
        await runtime.stop()
    return seen


def test_a_later_subscriber_and_the_response_read_the_index_already_updated(
    tmp_path: Path,
) -> None:
    seen = asyncio.run(_run(f"sqlite:///{tmp_path / 'augury.db'}"))
    assert ("balance", 10_000_000) in seen
    assert seen[-2:] == [("orders", 1), ("response", 1)]
