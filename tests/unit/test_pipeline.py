"""Pipeline: a redelivered event gets the row stored the first time, looked up first or not."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from consumer.analyzer.offline import OfflineAnalyzer
from consumer.pipeline import Pipeline
from schemas import CallAnalysis, TranscriptEvent
from tests.fakes.store import FakeStore


class CountingAnalyzer(OfflineAnalyzer):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    async def analyze(self, transcript: str, *, call_started_at: datetime | None = None) -> CallAnalysis:
        self.calls += 1
        return await super().analyze(transcript, call_started_at=call_started_at)


@pytest.mark.parametrize(("lookup_first", "analyses", "lookups"), [(True, 1, 2), (False, 2, 0)])
async def test_a_redelivery_returns_the_first_row(lookup_first: bool, analyses: int, lookups: int) -> None:
    store, analyzer = FakeStore(), CountingAnalyzer()
    pipeline = Pipeline(analyzer, store, max_in_flight=4, lookup_first=lookup_first)  # type: ignore[arg-type]
    event = TranscriptEvent(event_id=uuid.uuid4(), call_id="c-1", transcript="Customer: kal 5000 bhar dunga.")

    first = await pipeline.process(event, source="kafka")
    again = await pipeline.process(event, source="kafka")

    assert (first.created, again.created) == (True, False)
    assert (again.record_id, again.unique_id) == (first.record_id, first.unique_id)
    assert again.analysis == first.analysis
    assert len(store.rows) == 1
    assert (analyzer.calls, store.lookups) == (analyses, lookups)
