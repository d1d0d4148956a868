"""The offline analyzer: deterministic rules, no network, no model."""

from __future__ import annotations

from datetime import datetime

from consumer.analyzer.details import add_details
from consumer.analyzer.enrich import finish
from consumer.analyzer.rules import analyze_text
from schemas import AnalyzerInfo, CallAnalysis


def analyze_offline(transcript: str, call_started_at: datetime | None) -> CallAnalysis:
    """Core fields, then debt-collection detail: pure CPU work, no I/O."""
    core = analyze_text(transcript, call_started_at)
    return finish(add_details(core, transcript, call_started_at), call_started_at)


class OfflineAnalyzer:
    """Implements the ``Analyzer`` protocol with the rules in ``consumer.analyzer.rules``.

    Always available: ``check`` and ``aclose`` have nothing to do.
    """

    info = AnalyzerInfo(provider="offline", model="rules-v1")

    async def analyze(self, transcript: str, *, call_started_at: datetime | None = None) -> CallAnalysis:
        """Analyze one transcript: core fields, then debt-collection detail (pure CPU work)."""
        return analyze_offline(transcript, call_started_at)

    async def check(self) -> None:
        """The rules need nothing external, so the analyzer can always serve."""

    async def aclose(self) -> None:
        """Nothing to release."""
