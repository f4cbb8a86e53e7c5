"""The seeded simulation (``augury.sim``): clean runs, replay, determinism, fault finding.

``run`` drives the engine with a generated stream, audits it, and replays the encoded log
into a fresh exchange; these tests hold it to a clean report on a few fixed seeds, to the
same digest for the same seed and different digests for different seeds, and check that
it really finds a fault (and the command that caused it) when the ledger is broken. The
last test pins down an event the sim's client view relies on (found while building it).
"""

from __future__ import annotations

import random

import pytest

from augury import sim
from augury.engine import commands as c
from augury.engine.events import PositionUpdate
from augury.engine.exchange import Exchange
from augury.ledger.accounts import Account, Ledger

COMMANDS = 20_000
SEEDS = (1, 2, 3)
_reports: dict[int, sim.SimReport] = {}


def _report(seed: int) -> sim.SimReport:
    if seed not in _reports:
        _reports[seed] = sim.run(commands=COMMANDS, seed=seed, audit_every=2_000)
    return _reports[seed]


@pytest.mark.slow  # three 20,000-command simulations, audited and replayed
@pytest.mark.parametrize("seed", SEEDS)
def test_run_is_clean_and_replays_to_the_same_digest(seed: int) -> None:
    report = _report(seed)
    assert report.failure is None, (
        f"FAILED seed={seed} at command {report.failure_index}: {report.failure}\n"
        f"{report.failure_command}"
    )
    assert report.applied == COMMANDS
    assert len(report.digest) == 64
    assert report.replay_digest == report.digest
    assert report.audits >= COMMANDS // 2_000
    assert report.probes > 0  # some refused commands were checked to change nothing
    # The workload is not trivial: it trades, settles markets and meets refusals.
    assert report.trades > 1_000
    assert report.settled_markets > 0
    assert sum(report.rejects.values()) > 0


@pytest.mark.slow
def test_same_seed_same_digest_and_different_seeds_differ() -> None:
    first = _report(SEEDS[0])
    again = sim.run(commands=COMMANDS, seed=SEEDS[0], audit_every=5_000)
    assert first.ok
    assert again.ok
    assert again.digest == first.digest
    digests = {_report(seed).digest for seed in SEEDS}
    assert len(digests) == len(SEEDS)


def test_the_workload_is_a_pure_function_of_its_seed() -> None:
    def stream(seed: int) -> list[bytes]:
        workload = sim.Workload(random.Random(seed))
        return [c.encode_command(workload.next_command()) for _ in range(300)]

    assert stream(7) == stream(7)
    assert stream(7) != stream(8)


def _mint_a_cent_per_deposit(monkeypatch: pytest.MonkeyPatch) -> None:
    honest = Ledger.deposit

    def leaky(self: Ledger, account: Account, amount_cc: int, ts_ns: int) -> None:
        honest(self, account, amount_cc, ts_ns)
        account.available_cc += 100  # a cent out of nowhere

    monkeypatch.setattr(Ledger, "deposit", leaky)


def test_a_broken_ledger_is_caught_at_the_command_that_broke_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _mint_a_cent_per_deposit(monkeypatch)
    report = sim.run(commands=1_000, seed=SEEDS[0], audit_every=500)
    assert not report.ok
    assert report.failure is not None
    assert "money not conserved" in report.failure
    # The audit after command 499 found it; re-running that interval with an audit after
    # every command names the first deposit (after 5 series and the first user).
    assert report.failure_index == len(sim.SERIES) + 1
    assert report.failure_command is not None
    assert report.failure_command.startswith("Deposit(")


def test_cli_prints_the_seed_and_index_and_exits_non_zero_on_failure(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _mint_a_cent_per_deposit(monkeypatch)
    code = sim.main(["--commands", "1000", "--seed", "4", "--audit-every", "500"])
    out = capsys.readouterr().out
    assert code == 1
    assert f"FAILED seed=4 at command {len(sim.SERIES) + 1}: money not conserved" in out


def test_placing_a_resting_order_announces_the_positions_new_resting_count() -> None:
    """The sim's client view is built from events; a change without an event is invisible.

    Cancelling an order emits a PositionUpdate with the lowered ``resting_orders``; placing
    one must likewise announce the raised count.
    """
    exchange = Exchange("events")
    for command in (
        c.AddSeries(ticker="S", fee_type="quadratic", fee_multiplier_e4=10_000),
        c.AddEvent(event_ticker="E", series_ticker="S"),
        c.AddMarket(ticker="M", event_ticker="E", open_ts_ns=1, close_ts_ns=10**12),
        c.CreateUser(user_id="a", name="a"),
        c.Deposit(user_id="a", amount_cc=1_000_000),
    ):
        assert exchange.apply(command, 1).ok
    seen: dict[tuple[str, int, str], int] = {}
    for n in range(2):
        outcome = exchange.apply(
            c.PlaceOrder(
                user_id="a",
                ticker="M",
                side="bid",
                price_cc=4_000,
                count_c=100,
                time_in_force="good_till_canceled",
            ),
            2 + n,
        )
        assert outcome.ok
        for event in outcome.events:
            if isinstance(event, PositionUpdate):
                seen[(event.user_id, event.subaccount, event.ticker)] = event.resting_orders
    assert exchange.ledger.positions[("a", 0, "M")].resting_orders == 2
    assert seen.get(("a", 0, "M")) == 2
