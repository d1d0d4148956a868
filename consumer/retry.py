"""The service's one retry policy: exponential backoff with full jitter, defined with tenacity.

Before its n-th retry a loop waits a delay drawn uniformly from ``[0, min(cap_s, initial_s * 2**(n-1))]``
(the "Full Jitter" of https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/, which
is tenacity's ``wait_random_exponential``). The window grows as plain exponential backoff does, but
each instance draws its own point in it, so after a database or broker outage the instances' retries
spread over the window instead of arriving together. tenacity's ``wait_exponential_jitter`` does not
do that: it adds a fixed-width jitter (1 s by default) to the exponential and then clips at the cap,
so once the exponential reaches the cap every instance waits exactly the cap again, in lockstep.

Users state their own bounds (``Backoff(initial_s=..., cap_s=...)``) and either hand the object to
tenacity as its ``wait`` or, in a loop of their own, ask it for the delay of attempt n.
"""

from __future__ import annotations

import asyncio
import contextlib
import random

from tenacity import RetryCallState, Retrying, wait_exponential, wait_random_exponential


class Backoff(wait_random_exponential):
    """Exponential backoff with full jitter between 0 and a window that doubles from ``initial_s``
    up to ``cap_s``.

    A tenacity wait strategy (pass it as ``wait=``) that draws from its own random generator:
    every instance is seeded independently unless ``rng`` is given (tests give a seeded one).
    """

    def __init__(self, *, initial_s: float, cap_s: float, rng: random.Random | None = None) -> None:
        if initial_s < 0 or cap_s < 0:
            msg = f"backoff bounds must not be negative (initial_s={initial_s}, cap_s={cap_s})"
            raise ValueError(msg)
        super().__init__(multiplier=initial_s, max=cap_s)
        self.initial_s = initial_s
        self.cap_s = cap_s
        self._rng = rng if rng is not None else random.Random()

    def ceiling(self, attempt: int) -> float:
        """The top of the window for the ``attempt``-th failure (1-based): tenacity's exponential
        wait, without jitter."""
        state = RetryCallState(retry_object=Retrying(), fn=None, args=(), kwargs={})
        state.attempt_number = max(1, attempt)
        return float(wait_exponential.__call__(self, state))

    def delay(self, attempt: int) -> float:
        """Seconds to wait after the ``attempt``-th failure (1-based), drawn from ``[0, ceiling]``."""
        return self._rng.uniform(self.min, self.ceiling(attempt))

    def __call__(self, retry_state: RetryCallState) -> float:
        """tenacity's hook: the delay after ``retry_state.attempt_number`` failed attempts."""
        return self.delay(retry_state.attempt_number)


async def sleep_unless(stop: asyncio.Event, delay: float) -> bool:
    """Wait ``delay`` seconds, ending early when ``stop`` is set; False when ``stop`` is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=delay)
    return not stop.is_set()
