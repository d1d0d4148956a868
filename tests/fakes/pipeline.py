"""An in-memory stand-in for ``consumer.pipeline.Pipeline``: what the sidecar drives."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import UTC, datetime

from consumer.db.insights import StoredInsight
from schemas import AnalyzerInfo, CallAnalysis, TranscriptEvent


class FakePipeline:
    """Stores every new event in memory; ``hold`` makes analyses wait until it is set."""

    def __init__(self, hold: asyncio.Event | None = None) -> None:
        self.analyses = 0
        self.stored: dict[uuid.UUID, StoredInsight] = {}
        self.hold = hold

    async def process(self, event: TranscriptEvent, *, source: str) -> StoredInsight:
        """Return the stored insight for the event, 'analysing' it only the first time."""
        existing = self.stored.get(event.event_id)
        if existing is not None:
            return replace(existing, created=False)
        self.analyses += 1
        if self.hold is not None:
            await self.hold.wait()
        stored = StoredInsight(
            record_id=len(self.stored) + 1,
            unique_id=uuid.uuid4().hex,
            event_id=event.event_id,
            call_id=event.call_id,
            transcript=event.text(),
            analysis=CallAnalysis(
                customer_intent="Other",
                intent_category="other",
                sentiment="Neutral",
                action_required=False,
                summary="Nothing to do.",
            ),
            analyzer=AnalyzerInfo(provider="offline", model="fake"),
            processed_at=datetime.now(UTC),
            processing_time_ms=1.0,
            created=True,
        )
        self.stored[event.event_id] = stored
        return stored
