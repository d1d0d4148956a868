"""Fixtures of the unit tests that talk to the in-process fake Gemini."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from consumer.analyzer.gemini import GeminiAnalyzer
from consumer.observability.metrics import Metrics
from producer_tools.fake_gemini import FakeGemini
from tests.unit.gemini_support import AnalyzerFactory, make_settings


@pytest.fixture
async def fake() -> AsyncIterator[FakeGemini]:
    """A fresh fake Gemini server on an ephemeral port."""
    async with FakeGemini() as server:
        yield server


@pytest.fixture
async def make_analyzer(fake: FakeGemini) -> AsyncIterator[AnalyzerFactory]:
    """Build analyzers pointed at the fake (settings overridable, ``base_url`` too); all are closed
    afterwards."""
    built: list[GeminiAnalyzer] = []

    def factory(metrics: Metrics | None = None, **overrides: Any) -> GeminiAnalyzer:
        base_url = overrides.pop("base_url", fake.url)
        analyzer = GeminiAnalyzer(make_settings(base_url, **overrides), metrics=metrics)
        built.append(analyzer)
        return analyzer

    yield factory
    for analyzer in built:
        await analyzer.aclose()
