"""Runs every scenario of ``tests/engine/scenarios/*.book`` as its own test case.

The DSL is described in ``scenario_dsl``: each scenario states its books, fills, balances
and outcomes, and the runner audits the exchange after every command. The last tests
check that the runner itself notices a wrong expectation.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine import scenario_dsl
from tests.engine.scenario_dsl import (
    Scenario,
    ScenarioError,
    load_scenarios,
    parse_book,
    run_scenario,
)

SCENARIOS = load_scenarios(Path(__file__).parent / "scenarios")


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario(scenario: Scenario) -> None:
    failure = ""
    try:
        run_scenario(scenario)
    except ScenarioError as error:
        failure = str(error)
    if failure:
        pytest.fail(failure, pytrace=False)


def test_there_are_enough_scenarios() -> None:
    assert len(SCENARIOS) >= 40


_SETUP = """scenario probe
market M
user alice 10.00
user bob 10.00
alice bid M 2 @ 0.40 gtc -> resting
"""

_WRONG = {
    "book": ("book M\n  yes 0.41 x 2", "the book is"),
    "fills": (
        "bob ask M 1 @ 0.40 ioc -> executed\nfills\n"
        "  bob taker ask 1 @ 0.40 fee 0.0100\n  alice maker bid 1 @ 0.40 fee 0",
        "the fills are",
    ),
    "outcome": ("bob ask M 1 @ 0.40 ioc -> resting", "expected resting"),
    "filled": ("bob ask M 3 @ 0.40 ioc -> canceled filled 1", "expected filled 1"),
    "reject_reason": ("bob bid M 1 @ 0.405 gtc -> rejected invalid_count", "expected invalid"),
    "reject_missing": ("bob bid M 1 @ 0.40 gtc -> rejected invalid_price", "succeeded"),
    "unexpected_reject": ("bob bid M 1 @ 0.405 gtc", "unexpected reject invalid_price"),
    "balance": ("balance alice 10.00", "the balance is 9.15 reserved 0.85"),
    "queue": ("bob bid M 1 @ 0.40 gtc\nqueue M yes 0.40: a x 2", "the queue is"),
    "position": ("position alice M +1", "the position is 0"),
    "typo": ("balnce alice 10.00", "unknown statement or user"),
}


@pytest.mark.parametrize("case", sorted(_WRONG))
def test_runner_catches_wrong_expectations(case: str) -> None:
    lines, message = _WRONG[case]
    (scenario,) = parse_book(_SETUP + lines, Path("probe.book"))
    with pytest.raises(ScenarioError, match=message):
        run_scenario(scenario)


def test_runner_fails_when_the_audit_does(monkeypatch: pytest.MonkeyPatch) -> None:
    (scenario,) = parse_book(_SETUP, Path("probe.book"))
    monkeypatch.setattr(scenario_dsl, "audit", lambda exchange: ["books do not balance"])
    with pytest.raises(ScenarioError, match="audit failed after this command"):
        run_scenario(scenario)
