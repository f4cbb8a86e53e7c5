"""Runs every scenario of ``tests/engine/scenarios/*.book`` as its own test case.

The DSL is described in ``scenario_dsl``: each scenario states its books, fills, balances
and outcomes, and the runner audits the exchange after every command. The last tests
check that the runner itself notices a wrong expectation.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engine import scenario_dsl
from tests.engine.scenario_dsl import (
    Scenario,
    ScenarioError,
    Stmt,
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


DIGEST = Path(__file__).parents[1] / "fixtures" / "kalshi-python-sync-3.34.0-digest.json"
_ASSERTIONS = {"book", "queue", "fills", "balance", "position", "escrow", "revenue"}
_ASSERTIONS |= {"status", "order", "settlements"}


def _statements(body: list[Stmt]) -> Iterator[Stmt]:
    for stmt in body:
        yield stmt
        yield from _statements(stmt.block)


def _order_words(scenario: Scenario) -> Iterator[list[str]]:
    """The words of every order placement (``[label:] actor bid|ask M N @ P options``)."""
    for stmt in _statements(scenario.body):
        words = [w for w in stmt.words if not w.endswith(":")]
        if "@" in words and len(words) > 1 and words[1] in ("bid", "ask"):
            yield words


def test_every_scenario_states_what_must_hold() -> None:
    # A scenario without an expectation (an outcome after "->" or an assertion) runs its
    # commands and the audit, but cannot fail for what it is named after.
    for scenario in SCENARIOS:
        stmts = list(_statements(scenario.body))
        can_fail = ["->" in s.text or bool(_ASSERTIONS & set(s.words[:1])) for s in stmts]
        assert any(can_fail), scenario.name


def test_the_scenarios_place_every_kind_of_order_the_contract_has() -> None:
    digest = json.loads(DIGEST.read_text())
    create = {f["json_key"]: f for f in digest["models"]["CreateOrderV2Request"]["fields"]}
    wire_tif = {"gtc": "good_till_canceled", "ioc": "immediate_or_cancel", "fok": "fill_or_kill"}
    seen_tif: set[str] = set()
    seen_flags: set[str] = set()
    seen_stp = {"taker_at_cross"}  # the DSL's default; "stp=maker" asks for the other
    for scenario in SCENARIOS:
        for words in _order_words(scenario):
            seen_tif |= {wire_tif[w] for w in words if w in wire_tif}
            seen_flags |= {w for w in words if w in ("post_only", "reduce_only")}
            seen_stp |= {w.removeprefix("stp=") for w in words if w.startswith("stp=")}
    assert seen_tif == set(create["time_in_force"]["enum"])
    assert seen_stp == set(digest["enums"]["SelfTradePreventionType"])
    assert seen_flags == {"post_only", "reduce_only"}
    fee_types = {
        w for s in SCENARIOS for st in _statements(s.body) if st.words[:1] == ["market"]
        for w in st.words
    }  # fmt: skip
    # A market without a fee type is on the default "quadratic" series.
    assert set(digest["enums"]["FeeType"]) <= fee_types | {"quadratic"}


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
