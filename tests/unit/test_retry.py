"""The retry policy: exponential backoff with full jitter (consumer/retry.py)."""

from __future__ import annotations

import asyncio
import random
import time

import pytest
from tenacity import AsyncRetrying, stop_after_attempt

from consumer.retry import Backoff, sleep_unless


def test_ceilings_double_from_initial_up_to_the_cap() -> None:
    backoff = Backoff(initial_s=0.5, cap_s=30.0)
    assert [backoff.ceiling(n) for n in range(1, 10)] == [0.5, 1, 2, 4, 8, 16, 30, 30, 30]
    assert backoff.ceiling(10_000) == 30.0  # no overflow however long an outage lasts


def test_delays_stay_within_zero_and_the_attempts_ceiling() -> None:
    backoff = Backoff(initial_s=0.5, cap_s=30.0, rng=random.Random(7))
    for attempt in range(1, 12):
        delays = [backoff.delay(attempt) for _ in range(300)]
        ceiling = backoff.ceiling(attempt)
        assert all(0.0 <= d <= ceiling <= 30.0 for d in delays), attempt
        # the whole window is used: close to both ends, not a narrow band near the ceiling
        assert min(delays) < 0.1 * ceiling
        assert max(delays) > 0.9 * ceiling


def test_delays_grow_with_the_attempt() -> None:
    backoff = Backoff(initial_s=0.5, cap_s=30.0, rng=random.Random(3))

    def mean(attempt: int) -> float:
        return sum(backoff.delay(attempt) for _ in range(400)) / 400

    means = [mean(n) for n in (1, 3, 5, 7)]  # windows 0.5, 2, 8, 30 s
    assert means == sorted(means)
    assert means[0] < 0.5 < means[1] < 2 < means[2] < 8 < means[3] < 30


def test_two_policies_draw_different_delays_for_the_same_attempt() -> None:
    first = Backoff(initial_s=0.5, cap_s=30.0, rng=random.Random(1))
    second = Backoff(initial_s=0.5, cap_s=30.0, rng=random.Random(2))
    for attempt in (1, 4, 8, 20):  # at the cap too: instances must not wait the same there either
        assert first.delay(attempt) != second.delay(attempt)


def test_a_seeded_policy_repeats_its_delays() -> None:
    first = Backoff(initial_s=1.0, cap_s=15.0, rng=random.Random(5))
    again = Backoff(initial_s=1.0, cap_s=15.0, rng=random.Random(5))
    assert [first.delay(n) for n in range(1, 8)] == [again.delay(n) for n in range(1, 8)]


def test_unseeded_policies_are_seeded_apart() -> None:
    one, other = Backoff(initial_s=0.5, cap_s=30.0), Backoff(initial_s=0.5, cap_s=30.0)
    assert [one.delay(6) for _ in range(5)] != [other.delay(6) for _ in range(5)]


def test_negative_bounds_are_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        Backoff(initial_s=-1.0, cap_s=5.0)


async def test_tenacity_waits_the_policys_delays() -> None:
    slept: list[float] = []

    async def sleep(delay: float) -> None:
        slept.append(delay)

    async def fail() -> None:
        raise OSError("down")

    retrying = AsyncRetrying(
        wait=Backoff(initial_s=0.5, cap_s=30.0, rng=random.Random(9)),
        stop=stop_after_attempt(5),
        sleep=sleep,
        reraise=True,
    )
    with pytest.raises(OSError, match="down"):
        await retrying(fail)
    reference = Backoff(initial_s=0.5, cap_s=30.0, rng=random.Random(9))
    assert slept == [reference.delay(n) for n in range(1, 5)]


async def test_sleep_unless_ends_when_stop_is_set() -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(0.05, stop.set)
    started = time.monotonic()
    assert await sleep_unless(stop, 60.0) is False
    assert time.monotonic() - started < 5.0
    assert await sleep_unless(asyncio.Event(), 0.01) is True
