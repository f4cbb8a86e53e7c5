"""The golden journal's script: every command type, accepted and refused, in one story.

``script()`` drives a fresh ``Exchange`` through a short, hand-written trading day that
uses every command type the journal can hold (each accepted at least once, most also
refused once), and returns the journal records the sequencer would have written for it:
``(seq, ts_ns, payload)``, one command per record, with the outcome of each.

    python -m tests.store.journal_script tests/fixtures/journal-vN.json

writes a fixture for a new record version: the records as hex, the outcome of each
record (accepted, or the reject reason) with the names of the events it caused, and the
digest of the final state. A committed fixture is never rewritten: it is what a build of
that day wrote, and every later build must replay it to the same outcomes and digest
(tests/store/test_journal_records.py). ``journal-v0.json`` was written by this script as
it stood before records carried versions (commit 0cec890, without the last section);
``journal-v0-transfer-ids.json`` by the same script with the last section, run by the
build of main at 34e397d (unversioned records, Deposit and Withdraw with a transfer id);
``journal-v1.json`` by the first build with versioned records.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from augury.engine import commands as c
from augury.engine.exchange import Exchange, Outcome
from augury.engine.state import state_digest

__all__ = ["INSTANCE_ID", "Record", "Script", "script"]

R = TypeVar("R")

INSTANCE_ID = "augury-golden"
T0 = 1_767_225_600_000_000_000  # 2026-01-01T00:00:00Z
S = 1_000_000_000
KEY_PEM = (
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
    "-----END PUBLIC KEY-----\n"
)


@dataclass(frozen=True, slots=True)
class Record:
    seq: int
    ts_ns: int
    payload: bytes
    outcome: str  # "ok" or the reject reason
    events: str  # the names of the events it caused, in order, space-separated


@dataclass
class _Driver:
    exchange: Exchange = field(default_factory=lambda: Exchange(INSTANCE_ID))
    records: list[Record] = field(default_factory=list)
    commands: list[c.Command] = field(default_factory=list)
    ts: int = T0

    def run(self, seconds: float, command: c.Cmd[R]) -> Outcome[R]:
        """Apply ``command`` ``seconds`` after the previous one and journal it."""
        self.ts += int(seconds * S)
        outcome = self.exchange.apply(command, self.ts)
        seq = len(self.records) + 1
        result = "ok" if outcome.reject is None else outcome.reject.reason.value
        events = " ".join(type(event).__name__ for event in outcome.events)
        self.commands.append(cast(c.Command, command))
        payload = c.encode_command(cast(c.Command, command))
        self.records.append(Record(seq, self.ts, payload, result, events))
        return outcome

    def ok(self, seconds: float, command: c.Cmd[R]) -> Outcome[R]:
        outcome = self.run(seconds, command)
        assert outcome.reject is None, (command, outcome.reject)
        return outcome

    def refused(self, seconds: float, command: c.Cmd[object], reason: str) -> None:
        outcome = self.run(seconds, command)
        assert outcome.reject is not None, command
        assert outcome.reject.reason.value == reason, (command, outcome.reject)

    def order(self, seconds: float, **fields: Any) -> str:
        return self.ok(seconds, c.PlaceOrder(**fields)).value.order_id


def _gtc(user: str, ticker: str, side: str, price_cc: int, count_c: int, **more: Any) -> Any:
    return {
        "user_id": user,
        "ticker": ticker,
        "side": side,
        "price_cc": price_cc,
        "count_c": count_c,
        "time_in_force": "good_till_canceled",
        **more,
    }


def _catalog(d: _Driver) -> None:
    d.ok(0, c.AddSeries(ticker="KXA", fee_type="quadratic", fee_multiplier_e4=10_000))
    d.ok(
        0,
        c.AddSeries(
            ticker="KXB",
            fee_type="quadratic_with_maker_fees",
            fee_multiplier_e4=5_000,
            meta={"title": "B series", "category": "Economics"},
        ),
    )
    d.refused(
        0,
        c.AddSeries(ticker="KXC", fee_type="odd", fee_multiplier_e4=1),
        "invalid_parameters",
    )
    d.ok(0, c.AddEvent(event_ticker="KXA-E1", series_ticker="KXA"))
    d.ok(
        0,
        c.AddEvent(
            event_ticker="KXB-E1",
            series_ticker="KXB",
            mutually_exclusive=True,
            meta={"title": "B event"},
        ),
    )
    d.refused(0, c.AddEvent(event_ticker="KXZ-E", series_ticker="KXZ"), "invalid_parameters")
    far = T0 + 10_000 * S
    d.ok(0, c.AddMarket(ticker="A1", event_ticker="KXA-E1", open_ts_ns=T0, close_ts_ns=far))
    d.ok(
        0,
        c.AddMarket(
            ticker="A2",
            event_ticker="KXA-E1",
            open_ts_ns=T0,
            close_ts_ns=far,
            price_level_structure="deci_cent",
            fractional=True,
            settlement_timer_s=30,
            meta={"fee_multiplier_e4": 7_000, "title": "A2"},
        ),
    )
    d.ok(
        0,
        c.AddMarket(
            ticker="B1",
            event_ticker="KXB-E1",
            open_ts_ns=T0 + 5 * S,
            close_ts_ns=T0 + 400 * S,
            settlement_timer_s=60,
            market_type="scalar",
        ),
    )
    d.ok(0, c.AddMarket(ticker="B2", event_ticker="KXB-E1", open_ts_ns=T0, close_ts_ns=far))
    # Loading the catalog again refreshes metadata only.
    d.ok(0, c.AddSeries(ticker="KXA", fee_type="flat", fee_multiplier_e4=1, meta={"v": 2}))
    d.refused(
        0,
        c.AddMarket(ticker="Z", event_ticker="KXA-E1", open_ts_ns=far, close_ts_ns=T0),
        "invalid_parameters",
    )


def _accounts(d: _Driver) -> None:
    for user in ("ann", "bob", "cat", "dan"):
        d.ok(0, c.CreateUser(user_id=user, name=user.title()))
        d.ok(0, c.Deposit(user_id=user, amount_cc=5_000 * 10_000))
    d.refused(0, c.CreateUser(user_id="ann", name="again"), "already_exists")
    d.ok(1, c.CreateSubaccount(user_id="ann"))
    d.ok(
        0,
        c.TransferCash(
            user_id="ann",
            from_subaccount=0,
            to_subaccount=1,
            amount_cc=400_000,
            transfer_id="t-1",
        ),
    )
    d.refused(
        0,
        c.TransferCash(
            user_id="ann",
            from_subaccount=0,
            to_subaccount=1,
            amount_cc=1,
            transfer_id="t-1",
        ),
        "already_exists",
    )
    d.ok(0, c.Withdraw(user_id="dan", amount_cc=1_000_000))
    d.refused(0, c.Withdraw(user_id="dan", amount_cc=10**12), "insufficient_balance")
    d.ok(0, c.Deposit(user_id="ann", amount_cc=250_000, subaccount=1))
    d.refused(0, c.Deposit(user_id="ann", amount_cc=1, subaccount=5), "invalid_parameters")
    d.ok(
        0,
        c.RegisterApiKey(
            api_key_id="key-ann",
            user_id="ann",
            name="ann's bot",
            public_key_pem=KEY_PEM,
            key_type="ed25519",
            scopes=["read", "write"],
        ),
    )
    d.ok(
        0,
        c.RegisterApiKey(
            api_key_id="key-ann-1",
            user_id="ann",
            name="sub 1",
            public_key_pem=KEY_PEM,
            key_type="ed25519",
            scopes=["read"],
            subaccount=1,
        ),
    )
    d.refused(
        0,
        c.RegisterApiKey(
            api_key_id="key-x",
            user_id="nobody",
            name="x",
            public_key_pem=KEY_PEM,
            key_type="rsa",
            scopes=[],
        ),
        "unknown_user",
    )
    d.ok(0, c.RevokeApiKey(api_key_id="key-ann-1", user_id="ann"))
    d.refused(0, c.RevokeApiKey(api_key_id="key-ann", user_id="bob"), "invalid_parameters")
    d.ok(0, c.SetUserTier(user_id="bob", tier="premier"))
    d.ok(0, c.SetUserTier(user_id="cat", tier="advanced"))
    d.ok(0, c.SetUserTier(user_id="cat", tier="default"))
    d.refused(0, c.SetUserTier(user_id="bob", tier="gold"), "invalid_parameters")


def _trading(d: _Driver) -> dict[str, str]:
    ids: dict[str, str] = {}
    ids["ann_bid"] = d.order(1, **_gtc("ann", "A1", "bid", 4_000, 1_000, client_order_id="ann-1"))
    ids["bob_ask"] = d.order(
        0.5,
        **_gtc(
            "bob",
            "A1",
            "ask",
            6_000,
            500,
            expiration_ts_ns=T0 + 200 * S,
            cancel_order_on_pause=True,
        ),
    )
    # A crossing immediate-or-cancel sell: fills 300 at ann's 0.40.
    d.order(
        0.5,
        user_id="cat",
        ticker="A1",
        side="ask",
        price_cc=3_900,
        count_c=300,
        time_in_force="immediate_or_cancel",
    )
    d.refused(
        0.1,
        c.PlaceOrder(**_gtc("ann", "A1", "bid", 4_000, 100, client_order_id="ann-1")),
        "order_already_exists",
    )
    d.refused(0.1, c.PlaceOrder(**_gtc("ann", "A1", "bid", 4_050, 100)), "invalid_price")
    d.refused(0.1, c.PlaceOrder(**_gtc("ann", "A1", "bid", 4_000, 150)), "invalid_count")
    d.refused(0.1, c.PlaceOrder(**_gtc("ann", "NOPE", "bid", 4_000, 100)), "market_not_found")
    d.refused(0.1, c.PlaceOrder(**_gtc("ann", "B1", "bid", 4_000, 100)), "market_not_open")
    d.refused(
        0.1,
        c.PlaceOrder(**_gtc("dan", "A1", "bid", 9_900, 10_000_000)),
        "insufficient_balance",
    )
    # Post-only that would cross is cancelled; fill-or-kill that cannot fill is cancelled.
    d.order(0.1, **_gtc("bob", "A1", "bid", 6_000, 100, post_only=True))
    d.order(
        0.1,
        user_id="dan",
        ticker="A1",
        side="bid",
        price_cc=6_000,
        count_c=10_000,
        time_in_force="fill_or_kill",
    )
    # A fill-or-kill that can fill, a market order with a cost cap, legacy v1 vocabulary.
    d.order(
        0.1,
        user_id="dan",
        ticker="A1",
        side="bid",
        price_cc=6_000,
        count_c=100,
        time_in_force="fill_or_kill",
        legacy_side="yes",
        legacy_action="buy",
    )
    d.order(
        0.1,
        user_id="cat",
        ticker="A1",
        side="bid",
        price_cc=9_900,
        count_c=100,
        time_in_force="immediate_or_cancel",
        order_type="market",
        buy_max_cost_cc=7_000,
    )
    # Reduce-only closes part of cat's NO position; without a position it is refused.
    d.order(
        0.1,
        user_id="cat",
        ticker="A1",
        side="bid",
        price_cc=6_000,
        count_c=500,
        time_in_force="immediate_or_cancel",
        reduce_only=True,
    )
    d.refused(
        0.1,
        c.PlaceOrder(
            user_id="bob",
            ticker="A1",
            side="ask",
            price_cc=100,
            count_c=100,
            time_in_force="immediate_or_cancel",
            reduce_only=True,
        ),
        "reduce_only_no_position",
    )
    # Self-trade prevention: "maker" cancels ann's own resting bid and keeps matching.
    ids["ann_bid2"] = d.order(0.1, **_gtc("ann", "A1", "bid", 3_800, 200))
    d.order(0.1, **_gtc("ann", "B2", "bid", 3_800, 200))
    d.order(
        0.1,
        user_id="ann",
        ticker="B2",
        side="ask",
        price_cc=3_800,
        count_c=100,
        time_in_force="immediate_or_cancel",
        self_trade_prevention="maker",
    )
    # Fractional deci-cent market, on subaccount 1.
    ids["ann_frac"] = d.order(0.1, **_gtc("ann", "A2", "bid", 5_010, 250, subaccount=1))
    d.order(0.1, **_gtc("bob", "A2", "ask", 5_000, 75))
    return ids


def _maintenance(d: _Driver, ids: dict[str, str]) -> None:
    # Amend keeping its place (smaller), then re-priced (loses its place), then refused.
    d.ok(
        1,
        c.AmendOrder(
            user_id="ann",
            order_id=ids["ann_bid"],
            ticker="A1",
            side="bid",
            price_cc=4_000,
            count_c=900,
        ),
    )
    d.ok(
        0.5,
        c.AmendOrder(
            user_id="ann",
            order_id=ids["ann_bid"],
            ticker="A1",
            side="bid",
            price_cc=4_100,
            count_c=1_000,
            client_order_id="ann-1",
            updated_client_order_id="ann-1b",
            expiration_ts_ns=T0 + 300 * S,
        ),
    )
    d.refused(
        0.1,
        c.AmendOrder(
            user_id="ann",
            order_id=ids["ann_bid"],
            ticker="A2",
            side="bid",
            price_cc=4_100,
            count_c=1_000,
        ),
        "order_ticker_mismatch",
    )
    d.ok(0.5, c.DecreaseOrder(user_id="ann", order_id=ids["ann_bid"], reduce_by_c=100))
    d.ok(
        0.5,
        c.DecreaseOrder(user_id="ann", order_id=ids["ann_frac"], reduce_to_c=100, subaccount=1),
    )
    d.refused(0.1, c.DecreaseOrder(user_id="ann", order_id=ids["ann_bid"]), "invalid_parameters")
    d.ok(0.5, c.CancelOrder(user_id="ann", order_id=ids["ann_frac"]))
    d.refused(0.1, c.CancelOrder(user_id="bob", order_id=ids["ann_bid"]), "order_not_found")
    for price in (3_000, 3_100, 3_200):
        d.order(0.1, **_gtc("dan", "B2", "bid", price, 100))
    d.ok(0.5, c.CancelAll(user_id="dan", ticker="B2"))
    d.ok(0.1, c.CancelAll(user_id="dan"))
    d.refused(0.1, c.CancelAll(user_id="nobody"), "unknown_user")
    # A batch: two orders (one refused) and a cancel.
    d.ok(
        0.5,
        c.Batch.of(
            [
                c.PlaceOrder(**_gtc("cat", "B2", "ask", 7_000, 200, client_order_id="cat-b1")),
                c.PlaceOrder(**_gtc("cat", "B2", "ask", 7_000, 250)),
                c.CancelOrder(user_id="ann", order_id=ids["ann_bid2"]),
            ],
        ),
    )


def _groups(d: _Driver) -> None:
    group = d.ok(1, c.CreateOrderGroup(user_id="bob", contracts_limit_c=300)).value
    d.refused(0, c.CreateOrderGroup(user_id="bob", contracts_limit_c=0), "invalid_parameters")
    d.order(0.1, **_gtc("bob", "B2", "bid", 4_500, 500, order_group_id=group))
    d.order(0.1, **_gtc("bob", "B2", "bid", 4_400, 500, order_group_id=group))
    # cat sells 300 into bob's bids: the group's limit is reached, it triggers.
    d.order(
        0.1,
        user_id="cat",
        ticker="B2",
        side="ask",
        price_cc=4_500,
        count_c=300,
        time_in_force="immediate_or_cancel",
    )
    d.refused(
        0.1,
        c.PlaceOrder(**_gtc("bob", "B2", "bid", 4_500, 100, order_group_id=group)),
        "order_group_triggered",
    )
    d.ok(0.1, c.OrderGroupAction(user_id="bob", group_id=group, action="reset"))
    d.order(0.1, **_gtc("bob", "B2", "bid", 4_300, 100, order_group_id=group))
    d.ok(
        0.1,
        c.UpdateOrderGroupLimit(user_id="bob", group_id=group, contracts_limit_c=1_000),
    )
    d.refused(
        0.1,
        c.UpdateOrderGroupLimit(user_id="bob", group_id=group, contracts_limit_c=-1),
        "invalid_parameters",
    )
    d.ok(0.1, c.OrderGroupAction(user_id="bob", group_id=group, action="trigger"))
    d.ok(0.1, c.OrderGroupAction(user_id="bob", group_id=group, action="delete"))
    d.refused(
        0.1,
        c.OrderGroupAction(user_id="bob", group_id=group, action="reset"),
        "order_group_not_found",
    )
    other = d.ok(0.1, c.CreateOrderGroup(user_id="cat", subaccount=0)).value
    d.order(0.1, **_gtc("cat", "B2", "ask", 8_000, 100, order_group_id=other))


def _lifecycle(d: _Driver) -> None:
    d.order(1, **_gtc("bob", "B2", "bid", 2_000, 100, cancel_order_on_pause=True))
    d.ok(0.5, c.SetMarketState(ticker="B2", action="pause"))
    d.refused(0.1, c.PlaceOrder(**_gtc("bob", "B2", "bid", 2_000, 100)), "trading_is_paused")
    d.refused(0.1, c.SetMarketState(ticker="B2", action="pause"), "invalid_transition")
    d.ok(0.5, c.SetMarketState(ticker="B2", action="resume"))
    d.order(0.1, **_gtc("dan", "A1", "bid", 1_000, 100, cancel_order_on_pause=True))
    d.ok(0.5, c.SetExchangeState(paused=True))
    d.refused(0.1, c.PlaceOrder(**_gtc("bob", "A1", "bid", 2_000, 100)), "exchange_is_paused")
    d.refused(0.1, c.SetExchangeState(paused=True), "invalid_transition")
    d.ok(0.5, c.SetExchangeState(paused=False))
    # Time passes: B1 opens (5 s), bob's ask expires (200 s), ann's amended bid too (300 s).
    d.ok(10, c.Tick())
    d.order(0.1, **_gtc("ann", "B1", "bid", 5_000, 200))
    d.order(
        0.1,
        user_id="bob",
        ticker="B1",
        side="ask",
        price_cc=5_000,
        count_c=200,
        time_in_force="immediate_or_cancel",
    )
    d.ok(300, c.Tick())
    # A scalar market: determined with a value, disputed, finalized after its close.
    d.refused(0.1, c.DetermineMarket(ticker="B1", result="scalar"), "invalid_parameters")
    d.ok(100, c.DetermineMarket(ticker="B1", result="scalar", value_cc=6_250))
    d.ok(1, c.DetermineMarket(ticker="B1", result="scalar", value_cc=6_000, settle_now=True))
    d.refused(0.1, c.FinalizeMarket(ticker="B1"), "invalid_transition")
    # A1 settles YES at once; A2 (with a 30 s timer) settles by a tick; B2 is voided.
    d.order(0.1, **_gtc("cat", "A1", "ask", 6_500, 100))
    d.ok(1, c.SetMarketState(ticker="A1", action="close"))
    d.refused(0.1, c.CancelOrder(user_id="dan", order_id="missing"), "order_not_found")
    d.ok(1, c.DetermineMarket(ticker="A1", result="yes"))
    d.ok(1, c.DetermineMarket(ticker="A2", result="no"))
    d.refused(0.1, c.FinalizeMarket(ticker="B2"), "invalid_transition")
    d.ok(40, c.Tick())
    d.ok(1, c.DetermineMarket(ticker="B2", result="void"))
    d.refused(0.1, c.DetermineMarket(ticker="B2", result="yes"), "invalid_transition")
    # A market with a timer, finalized by command before the timer runs out.
    d.ok(
        1,
        c.AddMarket(
            ticker="A3",
            event_ticker="KXA-E1",
            open_ts_ns=T0,
            close_ts_ns=T0 + 10**6 * S,
            settlement_timer_s=3_600,
        ),
    )
    d.ok(1, c.DetermineMarket(ticker="A3", result="no"))
    d.ok(1, c.FinalizeMarket(ticker="A3"))
    d.ok(1, c.Withdraw(user_id="ann", amount_cc=10_000))


def _transfer_ids(d: _Driver) -> None:
    """Deposits and withdrawals named by a transfer id (the platform's cash requests): an
    id is used once, whichever of the three cash commands used it first."""
    d.ok(1, c.Deposit(user_id="dan", amount_cc=500_000, transfer_id="cash-1"))
    d.refused(
        0.1, c.Deposit(user_id="dan", amount_cc=500_000, transfer_id="cash-1"), "already_exists"
    )
    d.ok(1, c.Withdraw(user_id="dan", amount_cc=200_000, transfer_id="cash-2"))
    d.refused(0.1, c.Withdraw(user_id="dan", amount_cc=100, transfer_id="t-1"), "already_exists")


@dataclass(frozen=True, slots=True)
class Script:
    records: list[Record]  # as today's build journals them
    commands: list[c.Command]  # the command of each record
    digest: str  # of the state they build


def script() -> Script:
    """Return the golden journal's records, their commands and the state's digest."""
    d = _Driver()
    _catalog(d)
    _accounts(d)
    ids = _trading(d)
    _maintenance(d, ids)
    _groups(d)
    _lifecycle(d)
    _transfer_ids(d)
    return Script(d.records, d.commands, state_digest(d.exchange))


def main(argv: list[str]) -> int:
    made = script()
    records, digest = made.records, made.digest
    lines = [json.dumps([r.seq, r.ts_ns, r.payload.hex(), r.outcome, r.events]) for r in records]
    with open(argv[0], "w") as out:
        out.write(f'{{"instance_id": "{INSTANCE_ID}",\n"digest": "{digest}",\n"records": [\n')
        out.write(",\n".join(lines))
        out.write("\n]}\n")
    print(f"{len(records)} records, digest {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
