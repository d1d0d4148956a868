"""What every analyzer offers."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from schemas import AnalyzerInfo, CallAnalysis


class Analyzer(Protocol):
    """Turns a transcript into a CallAnalysis.

    Raises ``AnalyzerUnavailableError`` (retriable) or ``AnalyzerError`` (not retriable).
    """

    info: AnalyzerInfo

    async def analyze(self, transcript: str, *, call_started_at: datetime | None = None) -> CallAnalysis:
        """Analyze one transcript."""
        ...

    async def check(self) -> None:
        """Raise when the analyzer cannot serve (for /health)."""
        ...

    async def aclose(self) -> None:
        """Release network resources."""
        ...
