"""Pipeline: a redelivered event gets the row stored the first time, looked up first or not."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from datetime import datetime

import pytest

from consumer.analyzer.offline import OfflineAnalyzer
from consumer.pipeline import Pipeline
from consumer.store import NewInsight, StoredInsight
from schemas import CallAnalysis, TranscriptEvent


class IdempotentStore:
    """Like the real store: a second save of an event returns the first row, not created."""

    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, StoredInsight] = {}
        self.lookups = 0

    async def find_many(self, event_ids: Sequence[uuid.UUID]) -> list[StoredInsight | None]:
        self.lookups += len(event_ids)
        return [self.rows.get(e) for e in event_ids]

    async def save_many(self, items: Sequence[NewInsight]) -> list[StoredInsight]:
        out = []
        for item in items:
            existing = self.rows.get(item.event.event_id)
            if existing is not None:
                out.append(existing)
                continue
            stored = item.stored(record_id=len(self.rows) + 1, unique_id=uuid.uuid4().hex)
            self.rows[item.event.event_id] = dataclasses.replace(stored, created=False)
            out.append(stored)
        return out


class CountingAnalyzer(OfflineAnalyzer):
    def __init__(self) -> None:
        self.calls = 0

    async def analyze(self, transcript: str, *, call_started_at: datetime | None = None) -> CallAnalysis:
        self.calls += 1
        return await super().analyze(transcript, call_started_at=call_started_at)


@pytest.mark.parametrize(("lookup_first", "analyses", "lookups"), [(True, 1, 2), (False, 2, 0)])
async def test_a_redelivery_returns_the_first_row(lookup_first: bool, analyses: int, lookups: int) -> None:
    store, analyzer = IdempotentStore(), CountingAnalyzer()
    pipeline = Pipeline(analyzer, store, max_in_flight=4, lookup_first=lookup_first)  # type: ignore[arg-type]
    event = TranscriptEvent(event_id=uuid.uuid4(), call_id="c-1", transcript="Customer: kal 5000 bhar dunga.")

    first = await pipeline.process(event, source="kafka")
    again = await pipeline.process(event, source="kafka")

    assert (first.created, again.created) == (True, False)
    assert (again.record_id, again.unique_id) == (first.record_id, first.unique_id)
    assert again.analysis == first.analysis
    assert len(store.rows) == 1
    assert (analyzer.calls, store.lookups) == (analyses, lookups)
