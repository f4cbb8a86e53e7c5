"""Each retry policy's exact sleep schedule, with an injected clock, jitter and failures."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence

import httpx
import pytest

from augury.client import Client, errors, orders
from augury.client import endpoints as ep
from augury.client.clock import FakeClock
from augury.client.models import wire
from augury.client.retry import CONSERVATIVE, DEFAULT, PATIENT, RetryPolicy

OK_STATUS = b'{"exchange_active":true,"trading_active":true}'
Step = int | type[Exception]


class Script:
    """A transport answering from a list: a status code, or an exception class to raise."""

    def __init__(self, steps: Sequence[Step], headers: dict[str, str] | None = None) -> None:
        self.steps: Iterator[Step] = iter(steps)
        self.headers = headers or {}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = next(self.steps)
        if not isinstance(step, int):
            raise step("scripted failure")
        body = OK_STATUS if step == 200 else b'{"error":{"code":"x","message":"y"}}'
        if step == 201:
            body = b'{"order_id":"o1","fill_count":"0.00","remaining_count":"1.00","ts_ms":1}'
        return httpx.Response(step, content=body, headers=self.headers)


def _client(
    script: Script, policy: RetryPolicy, rand: Callable[[], float] = lambda: 0.5
) -> tuple[Client, FakeClock]:
    clock = FakeClock()
    client = Client(
        "http://augury.test",
        retry=policy,
        transport=httpx.MockTransport(script),
        clock=clock,
        sleep=clock.sleep,
        rand=rand,
    )
    return client, clock


def test_default_is_full_jitter_doubling_from_half_a_second_capped_at_30_for_8_attempts() -> None:
    script = Script([503] * 9)
    client, clock = _client(script, DEFAULT, rand=lambda: 0.5)
    with pytest.raises(errors.ServerError):
        client.send(ep.get_exchange_status())
    # 8 requests in all (the "up to 8 attempts"), so 7 waits. Ceilings 0.5, 1, 2,
    # 4, 8, 16, 30 (32 capped); the injected draw is half of each.
    assert clock.sleeps == [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0]
    assert len(script.requests) == 8


@pytest.mark.parametrize(("policy", "attempts"), [(DEFAULT, 8), (CONSERVATIVE, 3), (PATIENT, 5)])
def test_each_policy_sends_at_most_its_number_of_attempts(
    policy: RetryPolicy, attempts: int
) -> None:
    # The issue: default "up to 8 attempts", conservative "3 attempts", patient "5 attempts".
    last_chance = Script([503] * (attempts - 1) + [200])
    client, _clock = _client(last_chance, policy)
    assert client.send(ep.get_exchange_status()).exchange_active is True
    assert len(last_chance.requests) == attempts
    too_late = Script([503] * attempts + [200])
    client, _clock = _client(too_late, policy)
    with pytest.raises(errors.ServerError):
        client.send(ep.get_exchange_status())
    assert len(too_late.requests) == attempts


def test_default_jitter_spans_zero_to_the_ceiling() -> None:
    draws = iter([0.0, 0.999])
    script = Script([500, 500, 200])
    client, clock = _client(script, DEFAULT, rand=lambda: next(draws))
    assert client.send(ep.get_exchange_status()).exchange_active is True
    assert clock.sleeps == [0.0, 0.999]


def test_default_honours_retry_after_on_429() -> None:
    script = Script([429, 429, 200], headers={"Retry-After": "3"})
    client, clock = _client(script, DEFAULT)
    client.send(ep.get_exchange_status())
    assert clock.sleeps == [3.0, 3.0]


def test_kalshi_429_without_retry_after_backs_off() -> None:
    script = Script([429, 429, 200])
    client, clock = _client(script, DEFAULT, rand=lambda: 1.0)
    client.send(ep.get_exchange_status())
    assert clock.sleeps == [0.5, 1.0]


@pytest.mark.parametrize("policy", [DEFAULT, CONSERVATIVE, PATIENT])
@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_no_policy_retries_a_client_error(policy: RetryPolicy, status: int) -> None:
    script = Script([status, 200])
    client, clock = _client(script, policy)
    with pytest.raises(errors.ApiError) as raised:
        client.send(ep.get_exchange_status())
    assert raised.value.status == status
    assert clock.sleeps == []
    assert len(script.requests) == 1


def test_conservative_waits_1_then_2_then_gives_up_after_3_attempts() -> None:
    script = Script([500, httpx.ConnectError, 503, 200])
    client, clock = _client(script, CONSERVATIVE)
    with pytest.raises(errors.ServerError):
        client.send(ep.get_exchange_status())
    assert clock.sleeps == [1.0, 2.0]
    assert len(script.requests) == 3


def test_the_conservative_schedule_reaches_4_s_when_allowed_a_fourth_attempt() -> None:
    script = Script([500, 502, 503, 504])
    client, clock = _client(script, dataclasses.replace(CONSERVATIVE, attempts=4))
    with pytest.raises(errors.ServerError):
        client.send(ep.get_exchange_status())
    assert clock.sleeps == [1.0, 2.0, 4.0]


def test_conservative_ignores_retry_after() -> None:
    script = Script([429, 200], headers={"Retry-After": "60"})
    client, clock = _client(script, CONSERVATIVE)
    client.send(ep.get_exchange_status())
    assert clock.sleeps == [1.0]


def test_patient_doubles_from_one_second_for_five_attempts() -> None:
    script = Script([503] * 6)
    client, clock = _client(script, PATIENT)
    with pytest.raises(errors.ServerError):
        client.send(ep.get_exchange_status())
    assert clock.sleeps == [1.0, 2.0, 4.0, 8.0]
    assert len(script.requests) == 5


def test_patient_prefers_retry_after() -> None:
    script = Script([429, 503, 200], headers={"Retry-After": "9"})
    client, clock = _client(script, PATIENT)
    client.send(ep.get_exchange_status())
    assert clock.sleeps == [9.0, 9.0]


def test_connection_failures_are_retried_and_end_as_transport_errors() -> None:
    script = Script([httpx.ConnectError, httpx.ReadTimeout, httpx.ConnectError, httpx.ConnectError])
    client, clock = _client(script, CONSERVATIVE)
    with pytest.raises(errors.TransportError):
        client.send(ep.get_exchange_status())
    assert clock.sleeps == [1.0, 2.0]
    assert len(script.requests) == 3


def _create(client_order_id: str | None) -> wire.CreateOrderV2Request:
    order = orders.order_v2("KX-1", "bid", 5000, 100)
    order.client_order_id = client_order_id
    return order


def test_a_create_is_retried_with_the_same_client_order_id() -> None:
    script = Script([503, httpx.ReadTimeout, 201])
    client, _clock = _client(script, CONSERVATIVE)
    created = client.send(ep.create_order_v2(_create("abc-1")))
    assert created.order_id == "o1"
    bodies = {request.content for request in script.requests}
    assert len(script.requests) == 3
    assert len(bodies) == 1
    assert b'"client_order_id":"abc-1"' in bodies.pop()


@pytest.mark.parametrize("failure", [503, httpx.ReadTimeout])
def test_a_create_without_client_order_id_is_never_sent_twice(failure: Step) -> None:
    script = Script([failure, 201])
    client, clock = _client(script, CONSERVATIVE)
    with pytest.raises(errors.UnsafeRetryError) as raised:
        client.send(ep.create_order_v2(_create(None)))
    # The outcome is unknown (the order may exist): the cause is the original failure.
    assert isinstance(raised.value.__cause__, (errors.ServerError, errors.TransportError))
    assert len(script.requests) == 1
    assert clock.sleeps == []


def test_a_create_refused_with_429_was_never_placed_so_it_is_retried() -> None:
    script = Script([429, 201])
    client, clock = _client(script, CONSERVATIVE)
    client.send(ep.create_order_v2(_create(None)))
    assert clock.sleeps == [1.0]


def test_order_builder_always_sets_a_client_order_id() -> None:
    a, b = orders.order_v2("KX-1", "bid", 5000, 100), orders.order_v2("KX-1", "bid", 5000, 100)
    assert a.client_order_id
    assert b.client_order_id
    assert a.client_order_id != b.client_order_id
    assert ep.create_order_v2(a).retry_safe
