"""Per-address and per-key tables forget what an attack left once it no longer matters.

A token bucket that has refilled to capacity answers exactly as a new one would, so the
rate limiter's address buckets and AuthGuard's failure budgets drop full ones (at most
every ``SWEEP_INTERVAL_NS`` on the injected clock), while a subject still short of tokens
keeps its level: the throttle holds. The replay cache forgets each signature once its
timestamp window has passed, and refuses a replay inside it. Expectations are computed
from the bucket arithmetic (tokens refill at ``refill_rate`` a second), not read back.
"""

from __future__ import annotations

from augury.api.auth_guard import SWEEP_INTERVAL_NS, FailureBudget, ReplayCache
from augury.api.ratelimit import RateLimiter

S = 1_000_000_000  # one second in ns


def test_full_address_buckets_are_forgotten_and_a_drained_one_still_throttles() -> None:
    limiter = RateLimiter(enabled=True, default_tier="basic")
    spec = limiter.spec("basic", "read")
    t0 = 1_000 * S
    attacker = limiter.address_bucket("10.0.0.1", "read", spec, t0)
    assert attacker.take(spec.bucket_capacity, spec, t0)  # drained ...
    attacker.spend(10 * spec.bucket_capacity)  # ... and in debt (a batch billed after)
    for i in range(1_000):  # an attack from many addresses, 10 tokens each
        assert limiter.address_bucket(f"10.1.{i // 256}.{i % 256}", "read", spec, t0).take(
            10, spec, t0
        )
    assert limiter.addresses_tracked == 1_001

    # 10 tokens come back in 10 / refill_rate s; the attacker's 11 x capacity take longer.
    refilled_10 = (10 * S) // spec.refill_rate + 1
    full_again = (11 * spec.bucket_capacity * S) // spec.refill_rate + 1
    assert refilled_10 + SWEEP_INTERVAL_NS < full_again  # the case this test is about
    t1 = t0 + refilled_10 + SWEEP_INTERVAL_NS
    bucket = limiter.address_bucket("10.0.0.1", "read", spec, t1)
    assert limiter.addresses_tracked == 1  # the 1,000 full ones are gone, the drained kept
    assert bucket is attacker  # kept, with its debt: the throttle holds
    assert not bucket.fits(1, spec, t1)

    t2 = t1 + full_again + SWEEP_INTERVAL_NS
    limiter.address_bucket("10.9.9.9", "read", spec, t2)
    assert limiter.addresses_tracked == 1  # only the newcomer


def test_sweep_runs_at_most_once_per_interval() -> None:
    limiter = RateLimiter(enabled=True, default_tier="basic")
    spec = limiter.spec("basic", "read")
    t0 = 1_000 * S
    limiter.address_bucket("10.0.0.1", "read", spec, t0)  # sweeps (first call), then adds
    # Full from the start, but the next sweep is not due before SWEEP_INTERVAL_NS.
    limiter.address_bucket("10.0.0.2", "read", spec, t0 + SWEEP_INTERVAL_NS - 1)
    assert limiter.addresses_tracked == 2
    limiter.address_bucket("10.0.0.3", "read", spec, t0 + SWEEP_INTERVAL_NS)
    assert limiter.addresses_tracked == 1


def test_failure_budgets_forget_refilled_subjects_and_keep_throttled_ones() -> None:
    budget = FailureBudget(burst=100, per_s=1, subjects_max=65_536)
    t0 = 1_000 * S
    for _ in range(100):
        budget.spend("attacker", t0)
    assert budget.exhausted("attacker", t0)
    for i in range(1_000):
        budget.spend(f"10.1.{i // 256}.{i % 256}", t0)  # one failure each
    assert len(budget) == 1_001

    t1 = t0 + SWEEP_INTERVAL_NS + S  # the others refilled their 1 failure in 1 s
    assert not budget.exhausted("attacker", t1)  # 11 failures back, not 100
    assert len(budget) == 1
    for _ in range(11):
        budget.spend("attacker", t1)
    assert budget.exhausted("attacker", t1)  # the level was kept, not reset to the burst

    t2 = t1 + 100 * S + SWEEP_INTERVAL_NS
    assert not budget.exhausted("someone", t2)
    assert len(budget) == 0


def test_replay_cache_refuses_inside_the_window_and_forgets_after_it() -> None:
    window_ms = 30_000
    cache = ReplayCache(window_ms, entries_max=1_000)
    now_ms = 1_000_000
    for fingerprint in range(500):
        assert cache.first_use(fingerprint, now_ms, now_ms) is True
    assert cache.first_use(7, now_ms, now_ms + window_ms) is False  # still inside: refused
    assert len(cache) == 500
    later_ms = now_ms + window_ms + 2_000  # past ts + window, rounded up to the second
    assert cache.first_use(10_000, later_ms, later_ms) is True
    assert len(cache) == 1


def test_both_tables_drop_the_least_recently_used_past_their_cap() -> None:
    # Three subjects fit; using "a" again makes "b" the oldest, so "d" pushes "b" out.
    limiter = RateLimiter(enabled=True, default_tier="basic", addresses_max=3)
    spec = limiter.spec("basic", "read")
    t0 = 1_000 * S
    first = {a: limiter.address_bucket(a, "read", spec, t0) for a in ("a", "b", "c")}
    for bucket in first.values():
        assert bucket.take(spec.bucket_capacity, spec, t0)  # drained: never swept as full
    assert limiter.address_bucket("a", "read", spec, t0) is first["a"]
    limiter.address_bucket("d", "read", spec, t0)
    assert limiter.addresses_tracked == 3
    assert limiter.address_bucket("c", "read", spec, t0) is first["c"]
    assert limiter.address_bucket("a", "read", spec, t0) is first["a"]
    assert limiter.address_bucket("b", "read", spec, t0) is not first["b"]  # forgotten: new

    budget = FailureBudget(burst=2, per_s=1, subjects_max=3)
    for subject in ("a", "b", "c", "a", "d"):
        budget.spend(subject, t0)
    assert len(budget) == 3
    budget.spend("a", t0)
    assert budget.exhausted("a", t0)  # two failures of "a" were kept
    budget.spend("b", t0)
    assert not budget.exhausted("b", t0)  # "b" was forgotten, so this is its first
