"""The LLM rate limit and circuit breaker."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from consumer.analyzer.guard import CircuitBreaker, CircuitState, GuardedAnalyzer, LLMRateLimiter
from consumer.errors import AnalyzerError, AnalyzerUnavailableError
from schemas import AnalyzerInfo, CallAnalysis

ANSWER = CallAnalysis(
    customer_intent="Promise to Pay",
    intent_category="promise_to_pay",
    sentiment="Positive",
    action_required=True,
    summary="Will pay.",
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class ScriptedAnalyzer:
    """Answers or raises as told, counting calls."""

    info = AnalyzerInfo(provider="gemini", model="test")

    def __init__(self) -> None:
        self.outcomes: list[BaseException | None] = []
        self.calls = 0

    async def analyze(self, transcript: str, *, call_started_at: datetime | None = None) -> CallAnalysis:
        self.calls += 1
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome
        return ANSWER

    async def check(self) -> None:
        return None

    async def aclose(self) -> None:
        return None


def test_breaker_opens_at_threshold_and_probes_after_reset() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=3, reset_s=30, clock=clock)
    for _ in range(2):
        assert breaker.allow()
        breaker.failure()
    assert breaker.state is CircuitState.CLOSED
    assert breaker.allow()
    breaker.failure()
    assert breaker.state is CircuitState.OPEN
    assert not breaker.allow()
    clock.now += 29.9
    assert not breaker.allow()
    clock.now += 0.2
    assert breaker.state is CircuitState.HALF_OPEN
    assert breaker.allow()  # the probe
    assert not breaker.allow()  # only one at a time
    breaker.failure()  # probe failed: open again for a full period
    assert breaker.state is CircuitState.OPEN
    assert breaker.retry_in() == pytest.approx(30)
    clock.now += 30
    assert breaker.allow()
    breaker.success()
    assert breaker.state is CircuitState.CLOSED
    assert breaker.opened == 2


def test_success_resets_the_count() -> None:
    breaker = CircuitBreaker(threshold=2, reset_s=1, clock=Clock())
    breaker.failure()
    breaker.success()
    breaker.failure()
    assert breaker.state is CircuitState.CLOSED


async def test_guard_fails_fast_while_open() -> None:
    clock = Clock()
    inner = ScriptedAnalyzer()
    guard = GuardedAnalyzer(inner, CircuitBreaker(threshold=2, reset_s=10, clock=clock))
    inner.outcomes = [AnalyzerUnavailableError("503"), AnalyzerUnavailableError("503")]
    for _ in range(2):
        with pytest.raises(AnalyzerUnavailableError):
            await guard.analyze("x")
    with pytest.raises(AnalyzerUnavailableError) as caught:
        await guard.analyze("x")
    assert caught.value.reason == "llm_circuit_open"
    assert caught.value.retriable
    assert inner.calls == 2  # the open circuit did not call the LLM
    with pytest.raises(AnalyzerUnavailableError):
        await guard.check()
    assert guard.status()["circuit"]["state"] == "open"
    clock.now += 10
    assert await guard.analyze("x") == ANSWER
    assert guard.breaker.state is CircuitState.CLOSED
    await guard.check()


async def test_bad_input_does_not_open_the_circuit() -> None:
    inner = ScriptedAnalyzer()
    guard = GuardedAnalyzer(inner, CircuitBreaker(threshold=1, reset_s=10, clock=Clock()))
    inner.outcomes = [AnalyzerError("400 bad request")]
    with pytest.raises(AnalyzerError):
        await guard.analyze("x")
    assert guard.breaker.state is CircuitState.CLOSED


async def test_rate_limiter_spaces_requests() -> None:
    clock = Clock()
    limiter = LLMRateLimiter(60, burst=2, clock=clock)  # one a second, bursts of two
    assert limiter.delay() == 0
    await limiter.acquire()
    await limiter.acquire()
    assert limiter.delay() == pytest.approx(1.0)
    clock.now += 0.5
    assert limiter.delay() == pytest.approx(0.5)
    clock.now += 0.5
    await limiter.acquire()
    assert limiter.delay() == pytest.approx(1.0)


async def test_rate_limiter_really_waits() -> None:
    limiter = LLMRateLimiter(600, burst=1)  # ten a second
    loop = asyncio.get_running_loop()
    started = loop.time()
    for _ in range(4):
        await limiter.acquire()
    assert loop.time() - started >= 0.29  # three waits of 0.1 s after the first token
    assert limiter.waited_s > 0
