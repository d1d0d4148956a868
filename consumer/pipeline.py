"""analyze → store (+ outbox): the one path every transcript takes, from Kafka or from HTTP."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from consumer.analyzer.base import Analyzer
from consumer.analyzer.text.redact import redact_text
from consumer.batching import MicroBatcher
from consumer.db.insights import StoredInsight
from consumer.db.store import NewInsight, Store
from consumer.observability import tracing
from consumer.observability.metrics import Metrics
from consumer.slots import Slots
from schemas import AnalyzerInfo, TranscriptEvent

log = logging.getLogger(__name__)


class Pipeline:
    """Analyzes an event and stores the result with its outbox entry.

    At most ``max_in_flight`` analyses run at once in the process, whoever asks for them. Look-ups
    and writes of concurrent events are micro-batched: one query and one transaction serve many.
    One write transaction runs at a time (two look-ups): what arrives meanwhile goes in the next
    one, so batches grow with the load and the database's cost per row falls.

    With ``lookup_first`` an event is looked up before it is analysed, so a redelivered event
    costs a query instead of an LLM call. Without it (for the offline rules, cheaper than the
    query) a redelivered event is analysed again and the write, idempotent on ``event_id``,
    returns the row stored the first time: the outcome is the same.
    """

    def __init__(
        self,
        analyzer: Analyzer,
        store: Store,
        *,
        max_in_flight: int,
        on_stored: Callable[[], None] = lambda: None,
        redact_stored: bool = False,
        batch_size: int = 256,
        batch_linger_s: float = 0.002,
        lookup_first: bool = True,
        metrics: Metrics | None = None,
    ) -> None:
        self.analyzer = analyzer
        self.store = store
        self._slots = Slots(max_in_flight)
        self._on_stored = on_stored
        self._redact_stored = redact_stored
        self._lookup_first = lookup_first
        self._lookups: MicroBatcher[uuid.UUID, StoredInsight | None] = MicroBatcher(
            store.find_many, max_size=batch_size, linger_s=batch_linger_s, max_concurrent=2, name="lookup"
        )
        self._writes: MicroBatcher[NewInsight, StoredInsight] = MicroBatcher(
            self._save_many, max_size=batch_size, linger_s=batch_linger_s, max_concurrent=1, name="write"
        )
        self._metrics = metrics if metrics is not None else Metrics()
        self._metrics.analyses_in_flight.set_function(lambda: self.in_flight)
        self._analysis_seconds = self._metrics.analysis_seconds(analyzer.info.provider)

    @property
    def in_flight(self) -> int:
        """Analyses running now."""
        return self._slots.taken

    async def process(self, event: TranscriptEvent, *, source: str) -> StoredInsight:
        """Return the stored insight for the event, analysing it only if it was never stored (without
        ``lookup_first``: the write finds the stored row after the analysis).

        Raises the analyzer's and the store's errors (``InsightsError`` subclasses) unchanged.
        """
        try:
            stored = await self._process(event, source)
        except Exception:
            self._metrics.events_processed(source, "error").inc()
            raise
        self._metrics.events_processed(source, "stored" if stored.created else "duplicate").inc()
        return stored

    async def _process(self, event: TranscriptEvent, source: str) -> StoredInsight:
        if self._lookup_first:
            with tracing.span("lookup"):
                existing = await self._lookups.submit(event.event_id)
            if existing is not None:
                return existing
        started = time.perf_counter()
        text = event.text().replace("\x00", "")  # a NUL means nothing, and PostgreSQL refuses it
        with tracing.span("analyze"):
            async with self._slots:
                began = time.perf_counter()
                analysis = await self.analyzer.analyze(text, call_started_at=event.call_started_at)
                self._analysis_seconds.observe(time.perf_counter() - began)
            analyzer = analysis.produced_by(self.analyzer.info)
            if tracing.enabled():
                tracing.set_attributes(_analysis_attributes(analyzer))
        elapsed_ms = round((time.perf_counter() - started) * 1000, 3)
        item = NewInsight(
            event=event,
            transcript=redact_text(text) if self._redact_stored else text,
            analysis=analysis,
            analyzer=analyzer,
            processed_at=datetime.now(UTC),
            processing_time_ms=elapsed_ms,
            source=source,
            traceparent=tracing.outgoing_traceparent(),
        )
        with tracing.span("store"):
            return await self._writes.submit(item)

    async def _save_many(self, items: Sequence[NewInsight]) -> Sequence[StoredInsight | BaseException]:
        began = time.perf_counter()
        results = await self.store.save_many(items)
        self._metrics.db_write_seconds.observe(time.perf_counter() - began)
        if any(isinstance(r, StoredInsight) and r.created for r in results):
            self._on_stored()
        return results


def _analysis_attributes(analyzer: AnalyzerInfo) -> dict[str, str | int]:
    """The ``analyze`` span's attributes: the model (OpenTelemetry's GenAI names) and its tokens."""
    attributes: dict[str, str | int] = {
        "insights.analyzer": analyzer.provider,
        "gen_ai.request.model": analyzer.model,
    }
    if analyzer.provider == "gemini":
        attributes["gen_ai.provider.name"] = "gcp.gemini"
    usage = analyzer.usage
    if usage is not None:
        attributes.update(
            {
                "gen_ai.usage.input_tokens": usage.prompt_tokens,
                "gen_ai.usage.output_tokens": usage.output_tokens + usage.thought_tokens,
                "insights.llm.cached_tokens": usage.cached_tokens,
                "insights.llm.thought_tokens": usage.thought_tokens,
                "insights.llm.requests": usage.requests,
            }
        )
    return attributes
