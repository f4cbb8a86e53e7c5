"""The live index answers exactly what the engine's memory says, command after command.

A seeded random workload (``augury.sim``'s generator, plus key, tier and subaccount
commands it does not issue) drives a Python engine; a live index follows its events. At
checkpoints every answer of the query port is compared with the same answer computed from
engine memory by ``engine_oracle`` (the routes' reads before the read side existed), and
an index seeded from the engine at a checkpoint (recovery's path) must keep agreeing as
the events go on. The same holds with the indexes following the native engine's events and
seeded from it, the Python engine's memory still the oracle: a second engine only has to
emit the same events (and the engine-neutral snapshot).
"""

from __future__ import annotations

import random

import pytest

from augury.engine import commands as c
from augury.engine.exchange import Exchange
from augury.queries import LiveIndex, Queries, ReadSideUnavailable, seed_index
from augury.runtime.engines import new_exchange, specification_state
from augury.sim import Workload
from augury.sim.replay import INSTANCE_ID
from tests.engine.native_engine import native_or_skip
from tests.queries.engine_oracle import engine_answers, port_answers

COMMANDS = 6_000
CHECK_EVERY = 1_500


class _NoHistory:
    async def read(self, fn: object) -> object:
        raise AssertionError("the live index answers without the history store")

    async def drain(self) -> None:
        raise AssertionError("the live index answers without the history store")


def _port(index: LiveIndex) -> Queries:
    return Queries(index, _NoHistory())  # type: ignore[arg-type]


def _extra(
    rng: random.Random, n: int, users: list[str], events: dict[str, str]
) -> c.Command | None:
    # Commands the sim's generator does not issue: keys, tiers, subaccounts, users, event
    # fee overrides set, changed and cleared (decision 0058).
    if n % 89 == 0 and events:
        event = rng.choice(sorted(events))
        meta: dict[str, object] = {}
        if rng.random() < 0.7:
            meta["fee_multiplier_override_e4"] = rng.choice([None, 0, 5_000, 20_000])
            meta["fee_type_override"] = rng.choice(
                [None, "quadratic", "quadratic_with_maker_fees", "flat"]
            )
        return c.AddEvent(event_ticker=event, series_ticker=events[event], meta=meta)
    if n % 97 == 0:
        user = rng.choice(users)
        return c.RegisterApiKey(
            api_key_id=f"key-{n}",
            user_id=user,
            name=f"key {n}",
            public_key_pem="-----BEGIN PUBLIC KEY-----\n...",
            key_type=rng.choice(["rsa", "ed25519"]),
            scopes=["read", "write"],
            subaccount=rng.choice([None, 0]),
        )
    if n % 97 == 50 and n > 200:
        return c.RevokeApiKey(api_key_id=f"key-{n - 50}", user_id="u000")
    if n % 131 == 0:
        tier = rng.choice(["basic", "premier", "default", "unlimited", "gold"])
        return c.SetUserTier(user_id=rng.choice(users), tier=tier)
    if n % 577 == 0:
        return c.CreateSubaccount(user_id=rng.choice(users))
    if n % 211 == 0:  # a user who never deposits still has an (empty) balance
        return c.CreateUser(user_id=f"late{n}", name="late")
    return None


def _run(seed: int, seed_at: int, *, native: bool = False) -> None:
    rng = random.Random(seed)
    workload = Workload(random.Random(seed))
    exchange = Exchange(INSTANCE_ID)
    # With ``native`` the indexes follow the native engine's events and the seed comes
    # from it (through the engine-neutral snapshot); the Python engine stays the oracle.
    followed = new_exchange("native", INSTANCE_ID) if native else exchange
    live = LiveIndex(INSTANCE_ID)
    reseeded: LiveIndex | None = None
    for n in range(1, COMMANDS + 1):
        command: c.Command | None = _extra(
            rng, n, workload.users, {t: e.series_ticker for t, e in exchange.events.items()}
        )
        from_workload = command is None
        if command is None:
            command = workload.next_command()
        ts_ns = workload.ts
        outcome = exchange.apply(command, ts_ns)
        if from_workload:
            workload.observe(outcome)
        if native:
            outcome = followed.apply(command, ts_ns)
        live.on_applied(n, command, outcome)
        if reseeded is not None:
            reseeded.on_applied(n, command, outcome)
        if n == seed_at:
            reseeded = seed_index(specification_state(followed))
        if n % CHECK_EVERY == 0:
            truth = engine_answers(exchange)
            for name, index in (("events", live), ("seeded", reseeded)):
                if index is None:
                    continue
                answers = port_answers(_port(index))
                for key, expected in truth.items():
                    assert answers[key] == expected, f"{name} index, {key}, command {n}"
            assert truth["resting"], "the workload keeps orders resting"
            assert any(p[1] for p in truth["positions"].values()), "and positions open"


@pytest.mark.parametrize(("seed", "seed_at"), [(1, 700), (2, 2_222), (3, 4_000)])
def test_the_index_agrees_with_engine_memory(seed: int, seed_at: int) -> None:
    _run(seed, seed_at)


@pytest.mark.parametrize(("seed", "seed_at"), [(5, 1_500), (6, 3_333)])
def test_an_index_following_the_native_engine_agrees_with_the_python_engine(
    seed: int, seed_at: int
) -> None:
    native_or_skip()
    _run(seed, seed_at, native=True)


def test_retired_client_ids_are_released_in_the_engines_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # With a retention of 3 the workload releases retired client order ids all the time.
    monkeypatch.setattr("augury.engine.retire.CLIENT_IDS_RETAINED", 3)
    monkeypatch.setattr("augury.queries.index.CLIENT_IDS_RETAINED", 3)
    _run(4, 1_000)


def test_an_index_seeded_from_an_empty_engine_is_empty() -> None:
    queries = _port(seed_index(Exchange("x")))
    assert queries.users() == []
    assert queries.markets() == []
    assert queries.next_due_ns() is None
    assert queries.trading_active()


def test_an_index_that_failed_answers_nothing() -> None:
    exchange = Exchange("x")
    index = LiveIndex("x")
    queries = _port(index)
    create = c.CreateUser(user_id="ann", name="ann")
    index.on_applied(1, create, exchange.apply(create, 1))
    assert queries.user("ann") is not None
    # A deposit for a user the index never saw: folding it fails (as a bug would).
    ghost = c.Deposit(user_id="bob", amount_cc=10_000)
    exchange.apply(c.CreateUser(user_id="bob", name="bob"), 2)
    outcome = exchange.apply(ghost, 2)
    with pytest.raises(KeyError):
        index.on_applied(2, c.CreateSubaccount(user_id="bob"), outcome)
    with pytest.raises(ReadSideUnavailable):
        queries.user("ann")
    with pytest.raises(ReadSideUnavailable):
        queries.next_due_ns()
    index.on_applied(3, create, exchange.apply(create, 3))  # no longer followed, no error
