"""Protection for a remote LLM: a requests-per-minute limit and a circuit breaker.

The breaker stops calling an LLM that keeps failing (every waiting event would otherwise spend its
own retries against it), fails fast with a retriable error while open, and lets one probe through
after ``reset_s`` to see whether it is back.

Both hold **per instance**, in this process's memory: nothing is shared between instances, so N
instances together may send N × ``LLM_RPM`` requests a minute (and up to N × ``MAX_IN_FLIGHT``
analyses at once), and each instance's circuit opens and probes on its own. To keep a fleet under a
provider quota, divide the quota by the number of instances.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

from consumer.analyzer.base import Analyzer
from consumer.errors import AnalyzerUnavailableError
from consumer.observability.metrics import Metrics
from schemas import CallAnalysis


class LLMRateLimiter:
    """Token bucket: at most ``per_minute`` acquisitions a minute, with bursts of up to ``burst``.

    The bucket lives in this process: the limit is per instance, not for the whole service.
    """

    def __init__(
        self,
        per_minute: float,
        *,
        burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_minute <= 0:
            msg = "per_minute must be positive"
            raise ValueError(msg)
        self._rate = per_minute / 60.0
        self._capacity = float(burst if burst is not None else max(1, round(per_minute / 60)))
        self._tokens = self._capacity
        self._clock = clock
        self._updated = clock()
        self._lock = asyncio.Lock()
        self.waited_s = 0.0

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self._capacity, self._tokens + (now - self._updated) * self._rate)
        self._updated = now

    def delay(self) -> float:
        """Seconds until a token is free (0 when one is free now); takes nothing."""
        self._refill()
        return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self._rate

    async def acquire(self) -> None:
        """Wait for a token and take it. Waiters are served in arrival order."""
        async with self._lock:
            wait = self.delay()
            if wait > 0:
                self.waited_s += wait
                await asyncio.sleep(wait)
                self._refill()
            self._tokens -= 1


class CircuitState(StrEnum):
    """closed: calls pass; open: calls fail fast; half_open: one probe call is allowed."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Opens after ``threshold`` consecutive transient failures; probes again after ``reset_s``.

    Its count and state are this instance's own: other instances keep calling until theirs open.
    """

    def __init__(
        self, *, threshold: int = 5, reset_s: float = 30.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._threshold = threshold
        self._reset_s = reset_s
        self._clock = clock
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probing = False
        self.opened = 0
        self.last_change: datetime | None = None

    @property
    def state(self) -> CircuitState:
        """The state now (an open circuit whose cool-down has passed reads as half-open)."""
        if self._state is CircuitState.OPEN and self._clock() - self._opened_at >= self._reset_s:
            return CircuitState.HALF_OPEN
        return self._state

    def retry_in(self) -> float:
        """Seconds until an open circuit lets a probe through."""
        return max(0.0, self._reset_s - (self._clock() - self._opened_at))

    def allow(self) -> bool:
        """May a call go to the LLM now? In half-open, only one probe at a time."""
        state = self.state
        if state is CircuitState.CLOSED:
            return True
        if state is CircuitState.HALF_OPEN and not self._probing:
            self._state = CircuitState.HALF_OPEN
            self._probing = True
            return True
        return False

    def success(self) -> None:
        """A call got an answer: close the circuit."""
        self._failures = 0
        self._probing = False
        if self._state is not CircuitState.CLOSED:
            self._state = CircuitState.CLOSED
            self.last_change = datetime.now().astimezone()

    def failure(self) -> None:
        """A call failed transiently: count it, and open (again) at the threshold or after a probe."""
        self._failures += 1
        was_probe = self._probing
        self._probing = False
        if was_probe or self._failures >= self._threshold:
            if self._state is not CircuitState.OPEN or was_probe:
                self.opened += 1
                self.last_change = datetime.now().astimezone()
            self._state = CircuitState.OPEN
            self._opened_at = self._clock()

    def release(self) -> None:
        """A call ended in a way that says nothing about the LLM's health (e.g. bad input)."""
        self._probing = False

    def status(self) -> dict[str, Any]:
        """For /health."""
        state = self.state
        out: dict[str, Any] = {"state": state.value, "consecutive_failures": self._failures}
        if state is not CircuitState.CLOSED:
            out["retry_in_s"] = round(self.retry_in(), 1)
        out["times_opened"] = self.opened
        return out


class GuardedAnalyzer:
    """An analyzer behind a circuit breaker (the rate limit is applied per request by the inner one)."""

    def __init__(self, inner: Analyzer, breaker: CircuitBreaker, *, metrics: Metrics | None = None) -> None:
        self.inner = inner
        self.breaker = breaker
        self.info = inner.info
        if metrics is not None:
            metrics.watch_circuit(lambda: breaker.state.value)

    async def analyze(self, transcript: str, *, call_started_at: datetime | None = None) -> CallAnalysis:
        """Analyze unless the circuit is open; then fail fast with a retriable error."""
        if not self.breaker.allow():
            msg = f"LLM circuit open after repeated failures; next probe in {self.breaker.retry_in():.0f}s"
            raise AnalyzerUnavailableError(msg, reason="llm_circuit_open")
        try:
            result = await self.inner.analyze(transcript, call_started_at=call_started_at)
        except AnalyzerUnavailableError as exc:
            if exc.reason == "llm_misconfigured":
                # the configuration check holds the calls back; once fixed they may go at once
                self.breaker.release()
            else:
                self.breaker.failure()
            raise
        except BaseException:
            self.breaker.release()
            raise
        self.breaker.success()
        return result

    async def start(self) -> None:
        """Start the inner analyzer, when it has anything to start."""
        start = getattr(self.inner, "start", None)
        if start is not None:
            await start()

    @property
    def configuration_ok(self) -> bool:
        """False while the LLM refuses the configuration (for /ready)."""
        return bool(getattr(self.inner, "configuration_ok", True))

    async def check(self) -> None:
        """Unhealthy while the LLM refuses the configuration (that reason first: it says what to
        change), while the circuit is open, or when the inner analyzer says so."""
        if not self.configuration_ok:
            await self.inner.check()
        if self.breaker.state is CircuitState.OPEN:
            msg = f"LLM circuit open; next probe in {self.breaker.retry_in():.0f}s"
            raise AnalyzerUnavailableError(msg, reason="llm_circuit_open")
        await self.inner.check()

    def status(self) -> dict[str, Any]:
        """Circuit state plus the inner analyzer's detail."""
        inner_status = getattr(self.inner, "status", None)
        detail: dict[str, Any] = inner_status() if callable(inner_status) else {}
        return {**detail, "circuit": self.breaker.status()}

    async def aclose(self) -> None:
        """Close the inner analyzer."""
        await self.inner.aclose()
