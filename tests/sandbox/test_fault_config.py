"""Fault configs: what is accepted, what is refused, and deterministic draws."""

from __future__ import annotations

import random
from typing import Any

import pytest

from augury.api.sandbox.faults import (
    ERROR_KINDS,
    FaultBook,
    FaultError,
    FaultState,
    Latency,
    parse_config,
)

FULL: dict[str, Any] = {
    "seed": 7,
    "latency": {
        "rest": {"kind": "fixed", "ms": 200},
        "ws": {"kind": "uniform", "min_ms": 50, "max_ms": 150},
    },
    "errors": {
        "429": "0.1",
        "500": 0.05,
        "503": "0.05",
        "drop": "0.02",
        "applied_drop": "0.1",
        "retry_after_s": 2,
    },
    "ws": {
        "disconnect_every_s": 30,
        "skip_seq_every": 10,
        "duplicate_every": 7,
        "delay_ms": {"orderbook_delta": 500},
    },
    "maintenance": {"start_ts": None, "end_ts": 1_900_000_000},
}


def test_a_full_config_round_trips() -> None:
    config = parse_config(FULL)
    assert config.error_ppm == {
        "429": 100_000,
        "500": 50_000,
        "503": 50_000,
        "drop": 20_000,
        "applied_drop": 100_000,
    }
    assert parse_config(config.render()) == config


@pytest.mark.parametrize(
    "bad",
    [
        [],
        {"unknown": 1},
        {"errors": {"500": 1.5}},
        {"errors": {"500": -0.1}},
        {"errors": {"500": "0.6", "503": "0.5"}},  # more than 1 together
        {"errors": {"500": "0.0000001"}},  # finer than parts per million
        {"errors": {"teapot": 0.1}},
        {"errors": {"500": True}},
        {"latency": {"rest": {"kind": "fixed", "ms": 60_001}}},
        {"latency": {"rest": {"kind": "uniform", "min_ms": 9, "max_ms": 8}}},
        {"latency": {"rest": {"kind": "lognormal", "mean_ms": 8}}},
        {"latency": {"grpc": {"kind": "fixed", "ms": 1}}},
        {"ws": {"delay_ms": {"nonsense": 10}}},
        {"ws": {"skip_seq_every": -1}},
        {"maintenance": {"start_ts": 20, "end_ts": 10}},
        {"seed": "7"},
    ],
)
def test_bad_configs_are_refused(bad: Any) -> None:
    with pytest.raises(FaultError):
        parse_config(bad)


def test_nothing_is_configured_by_default() -> None:
    config = parse_config({})
    state = FaultState("key", "k", config)
    assert [state.draw_error() for _ in range(1000)] == [None] * 1000
    assert state.draw_rest_latency_ms() == 0
    assert not config.ws.any
    assert config.maintenance is None


@pytest.mark.parametrize("kind", ERROR_KINDS)
def test_a_fraction_of_one_always_applies(kind: str) -> None:
    state = FaultState("key", "k", parse_config({"errors": {kind: 1}}))
    assert {state.draw_error() for _ in range(200)} == {kind}


def test_the_same_seed_draws_the_same_faults() -> None:
    config = parse_config(
        {
            "seed": 42,
            "errors": {"500": "0.3", "drop": "0.2"},
            "latency": {"rest": {"kind": "normal", "mean_ms": 100, "stddev_ms": 30}},
        }
    )
    runs = []
    for _ in range(2):
        state = FaultState("user", "u", config)
        runs.append([(state.draw_rest_latency_ms(), state.draw_error()) for _ in range(500)])
    assert runs[0] == runs[1]
    errors = [kind for _, kind in runs[0]]
    # 500 draws at 30 % and 20 %: both kinds and plain answers all occur.
    assert {"500", "drop", None} == set(errors)
    other = FaultState(
        "user", "u", parse_config({"seed": 43, "errors": {"500": "0.3", "drop": "0.2"}})
    )
    assert [other.draw_error() for _ in range(500)] != errors


def test_latency_distributions_stay_in_range() -> None:
    rng = random.Random(1)
    assert {Latency("fixed", 200).draw_ms(rng) for _ in range(50)} == {200}
    uniform = [Latency("uniform", 50, 150).draw_ms(rng) for _ in range(2000)]
    assert min(uniform) >= 50
    assert max(uniform) <= 150
    normal = [Latency("normal", 10, 50).draw_ms(rng) for _ in range(2000)]
    assert min(normal) == 0  # clipped at zero, never negative
    expo = [Latency("exponential", 100).draw_ms(rng) for _ in range(2000)]
    assert min(expo) >= 0
    assert max(expo) <= 60_000


def test_a_key_config_wins_over_its_users(tmp_path: Any) -> None:
    book = FaultBook(tmp_path / "faults.json")
    assert book.lookup("key-a", "alice") is None
    book.set("user", "alice", parse_config({"seed": 1}))
    book.set("key", "key-a", parse_config({"seed": 2}))
    found_a = book.lookup("key-a", "alice")
    found_b = book.lookup("key-b", "alice")
    assert found_a is not None
    assert found_b is not None
    assert (found_a.config.seed, found_b.config.seed) == (2, 1)
    assert book.lookup("key-c", "bob") is None
    again = FaultBook(tmp_path / "faults.json")
    again.load()
    assert [(s.kind, s.target_id, s.config) for s in again.states()] == [
        (s.kind, s.target_id, s.config) for s in book.states()
    ]
    assert book.clear("key", "key-a")
    assert not book.clear("key", "key-a")
