"""Analyzers: Gemini through the google-genai SDK, or the offline Hinglish rules."""

from __future__ import annotations

from consumer.analyzer import native

native.install()  # before any module of the analyzer is imported: see consumer.analyzer.native

from consumer.analyzer.base import Analyzer  # noqa: E402
from consumer.observability.metrics import Metrics  # noqa: E402
from consumer.settings import Settings  # noqa: E402


def build_analyzer(settings: Settings, metrics: Metrics | None = None) -> Analyzer:
    """The analyzer the settings ask for (``auto``: Gemini with a key, else offline).

    Gemini sits behind a circuit breaker (``CIRCUIT_FAILURE_THRESHOLD`` transient failures in a
    row open it for ``CIRCUIT_RESET_S``) and, with ``LLM_RPM`` > 0, a rate limit per request. Both
    are this instance's own: N instances may together send N × ``LLM_RPM`` requests a minute.
    """
    if settings.provider == "gemini":
        if settings.gemini_api_key is None:
            msg = "LLM_PROVIDER=gemini needs GEMINI_API_KEY"
            raise ValueError(msg)
        from consumer.analyzer.gemini import GeminiAnalyzer
        from consumer.analyzer.guard import CircuitBreaker, GuardedAnalyzer, LLMRateLimiter

        limiter = LLMRateLimiter(settings.llm_rpm) if settings.llm_rpm > 0 else None
        breaker = CircuitBreaker(
            threshold=settings.circuit_failure_threshold, reset_s=settings.circuit_reset_s
        )
        return GuardedAnalyzer(
            GeminiAnalyzer(settings, limiter=limiter, metrics=metrics), breaker, metrics=metrics
        )
    if settings.offline_workers > 0:
        from consumer.analyzer.pool import PooledOfflineAnalyzer

        return PooledOfflineAnalyzer(settings.offline_workers)
    from consumer.analyzer.offline import OfflineAnalyzer

    return OfflineAnalyzer()


__all__ = ["Analyzer", "build_analyzer"]
