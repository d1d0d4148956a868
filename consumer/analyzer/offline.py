"""The offline analyzer: deterministic rules, no network, no model."""

from __future__ import annotations

from datetime import datetime

from consumer.analyzer.details import detail_fields
from consumer.analyzer.enrich import finishing_fields
from consumer.analyzer.rules import core_fields
from schemas import AnalyzerInfo, CallAnalysis


def analyze_offline(transcript: str, call_started_at: datetime | None) -> CallAnalysis:
    """Core fields, then debt-collection detail: pure CPU work, no I/O.

    The same analysis as ``finish(add_details(analyze_text(...), ...), ...)``, built and
    validated once from all its fields rather than copied at each step.
    """
    fields = core_fields(transcript, call_started_at)
    fields.update(detail_fields(transcript, call_started_at, fields["intent_category"]))
    fields.update(
        finishing_fields(
            fields["compliance_flags"],
            action_required=fields["action_required"],
            distress=fields["distress"],
            needs_review=False,
            confidence=fields["confidence"],
            call_started_at=call_started_at,
        )
    )
    return CallAnalysis(**fields)


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
