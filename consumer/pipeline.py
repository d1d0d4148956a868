"""analyze → store (+ outbox): the one path every transcript takes, from Kafka or from HTTP."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from consumer.analyzer.base import Analyzer
from consumer.store import Store, StoredInsight
from schemas import TranscriptEvent

log = logging.getLogger(__name__)


class Pipeline:
    """Analyzes an event and stores the result with its outbox entry.

    At most ``max_in_flight`` analyses run at once in the process, whoever asks for them.
    """

    def __init__(
        self,
        analyzer: Analyzer,
        store: Store,
        *,
        max_in_flight: int,
        on_stored: Callable[[], None] = lambda: None,
    ) -> None:
        self.analyzer = analyzer
        self.store = store
        self._slots = asyncio.Semaphore(max_in_flight)
        self._max_in_flight = max_in_flight
        self._on_stored = on_stored

    @property
    def in_flight(self) -> int:
        """Analyses running now."""
        return self._max_in_flight - self._slots._value

    async def process(self, event: TranscriptEvent, *, source: str) -> StoredInsight:
        """Return the stored insight for the event, analysing it only if it was never stored.

        Raises the analyzer's and the store's errors (``InsightsError`` subclasses) unchanged.
        """
        existing = await self.store.find(event.event_id)
        if existing is not None:
            return existing
        started = time.perf_counter()
        async with self._slots:
            analysis = await self.analyzer.analyze(event.text(), call_started_at=event.call_started_at)
        elapsed_ms = round((time.perf_counter() - started) * 1000, 3)
        stored = await self.store.save(
            event,
            analysis,
            self.analyzer.info,
            processed_at=datetime.now(UTC),
            processing_time_ms=elapsed_ms,
            source=source,
        )
        if stored.created:
            self._on_stored()
        return stored
