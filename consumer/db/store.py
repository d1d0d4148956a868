"""The insight store: writing an insight together with its outbox entry in one transaction, and
reading back what a source event already produced."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from consumer.db.insights import StoredInsight, insight_event_json, stored_from_row
from consumer.db.migrations import apply_migrations, missing_migrations
from consumer.db.pool import TRANSIENT_DB_ERRORS, unreachable_message
from consumer.errors import ConfigurationError, InsightsError, StoreRejectedError, StoreUnavailableError
from consumer.observability.secrets import Scrubber, url_secrets
from schemas import AnalyzerInfo, CallAnalysis, TranscriptEvent

log = logging.getLogger(__name__)

_INSERT_RECORDS = """
INSERT INTO call_records (
    unique_id, transcript, intent, sentiment, action_required, summary, metadata,
    event_id, call_id, intent_category, analyzer_provider, analyzer_model,
    processing_time_ms, call_started_at, source, created_at, updated_at,
    insight, contact_status, priority, needs_review, ptp_amount_inr, ptp_due_date, distress, compliance_rules,
    analyzer_usage
)
SELECT u, t, i, s, a, sm, m::jsonb, e, c, ic, ap, am, pt, cs, src, ca, ca,
       ins::jsonb, cst, pr, nr, pa, pd,
       COALESCE(string_to_array(NULLIF(di, ''), ','), '{}'),
       COALESCE(string_to_array(NULLIF(cr, ''), ','), '{}'),
       au::jsonb
FROM unnest(
    $1::text[], $2::text[], $3::text[], $4::text[], $5::bool[], $6::text[], $7::text[], $8::uuid[],
    $9::text[], $10::text[], $11::text[], $12::text[], $13::float8[], $14::timestamptz[], $15::text[],
    $16::timestamptz[], $17::text[], $18::text[], $19::text[], $20::bool[], $21::int8[], $22::date[],
    $23::text[], $24::text[], $25::text[]
) AS x(u, t, i, s, a, sm, m, e, c, ic, ap, am, pt, cs, src, ca, ins, cst, pr, nr, pa, pd, di, cr, au)
ON CONFLICT (event_id) DO NOTHING
RETURNING id, event_id
"""

_SELECT_BY_EVENTS = """
SELECT id, unique_id, transcript, intent, sentiment, action_required, summary, call_id,
       intent_category, analyzer_provider, analyzer_model, processing_time_ms, created_at, event_id, insight,
       analyzer_usage
FROM call_records WHERE event_id = ANY($1::uuid[])
"""

_SELECT_VERSIONS = """
SELECT event_id, analysis_version FROM call_records WHERE event_id = ANY($1::uuid[])
"""

# The analysis columns of _INSERT_RECORDS; the event's own (unique_id, transcript, metadata,
# event_id, call_id, call_started_at, source, created_at) stay as first stored.
_UPDATE_ANALYSES = """
UPDATE call_records AS r SET
    intent = x.i, sentiment = x.s, action_required = x.a, summary = x.sm, intent_category = x.ic,
    analyzer_provider = x.ap, analyzer_model = x.am, processing_time_ms = x.pt, updated_at = x.ca,
    insight = x.ins::jsonb, contact_status = x.cst, priority = x.pr, needs_review = x.nr,
    ptp_amount_inr = x.pa, ptp_due_date = x.pd,
    distress = COALESCE(string_to_array(NULLIF(x.di, ''), ','), '{}'),
    compliance_rules = COALESCE(string_to_array(NULLIF(x.cr, ''), ','), '{}'),
    analyzer_usage = x.au::jsonb,
    analysis_version = r.analysis_version + 1
FROM unnest(
    $1::uuid[], $2::int[], $3::text[], $4::text[], $5::bool[], $6::text[], $7::text[], $8::text[],
    $9::text[], $10::float8[], $11::timestamptz[], $12::text[], $13::text[], $14::text[], $15::bool[],
    $16::int8[], $17::date[], $18::text[], $19::text[], $20::text[]
) AS x(e, v, i, s, a, sm, ic, ap, am, pt, ca, ins, cst, pr, nr, pa, pd, di, cr, au)
WHERE r.event_id = x.e AND r.analysis_version = x.v
RETURNING r.id, r.event_id, r.unique_id, r.call_id, r.transcript, r.analysis_version
"""

_INSERT_OUTBOX = """
INSERT INTO insight_outbox (event_id, record_id, topic, key, payload, traceparent)
SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::bytea[], $5::bytea[], $6::text[])
ON CONFLICT (event_id) DO NOTHING
"""


@dataclass(frozen=True, slots=True)
class NewInsight:
    """What the pipeline asks the store to save for one event."""

    event: TranscriptEvent
    transcript: str  # as it is to be stored (redacted when REDACT_STORED is on)
    analysis: CallAnalysis
    analyzer: AnalyzerInfo
    processed_at: datetime
    processing_time_ms: float
    source: str
    traceparent: str | None = None  # the trace the InsightEvent's publication continues

    def stored(self, *, record_id: int, unique_id: str, transcript: str | None = None) -> StoredInsight:
        """The insight as the row it was just inserted as (``transcript``: as stored, when the
        database was given a cleaned copy)."""
        return StoredInsight(
            record_id=record_id,
            unique_id=unique_id,
            event_id=self.event.event_id,
            call_id=self.event.call_id,
            transcript=self.transcript if transcript is None else transcript,
            analysis=self.analysis,
            analyzer=self.analyzer,
            processed_at=self.processed_at,
            processing_time_ms=self.processing_time_ms,
            created=True,
        )


@dataclass(frozen=True, slots=True)
class Reanalysis:
    """A new analysis of a stored event, to replace the one at ``base_version``."""

    insight: NewInsight
    base_version: int


def usage_json(info: AnalyzerInfo) -> str | None:
    """The ``analyzer_usage`` column of a row: the tokens and estimated cost of an LLM analysis."""
    if info.usage is None:
        return None
    return json.dumps({**info.usage.model_dump(), "estimated_cost_usd": info.estimated_cost_usd})


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def _analysis_json(analysis: CallAnalysis) -> str:
    """The analysis as JSON for the ``insight`` column, without NUL characters (jsonb refuses them;
    the pipeline removes them from transcripts, an LLM could still answer with one)."""
    document = analysis.model_dump_json()
    if "\\u0000" in document:  # JSON always escapes NUL: only then walk the analysis
        document = CallAnalysis.model_validate(_without_nul(analysis.model_dump())).model_dump_json()
    return document


def _record_values(item: NewInsight, analysis_json: str) -> tuple[Any, ...]:
    """One row of the batch insert, in the column order of _INSERT_RECORDS (``analysis_json``:
    ``item.analysis`` as JSON, for the ``insight`` column).

    PostgreSQL text cannot hold NUL characters; they carry no meaning in a transcript, so they go.
    """
    event, analysis = item.event, item.analysis
    promise = analysis.promise_to_pay
    metadata = dict(event.metadata)
    for name in ("language", "agent_id", "account_ref"):
        value = getattr(event, name)
        if value is not None:
            metadata.setdefault(name, value)
    metadata_json = json.dumps(metadata, ensure_ascii=False, default=str)
    if "\\u0000" in metadata_json:  # JSON always escapes NUL: only then walk the metadata
        metadata_json = json.dumps(_without_nul(metadata), ensure_ascii=False, default=str)
    return (
        str(uuid.uuid4()),
        item.transcript.replace("\x00", ""),
        analysis.customer_intent,
        analysis.sentiment.value,
        analysis.action_required,
        analysis.summary,
        metadata_json,
        event.event_id,
        event.call_id,
        analysis.intent_category.value,
        item.analyzer.provider,
        item.analyzer.model,
        item.processing_time_ms,
        event.call_started_at,
        item.source,
        item.processed_at,
        analysis_json,
        analysis.contact_status.value,
        analysis.priority.value,
        analysis.needs_review,
        promise.amount_inr if promise else None,
        promise.due_date if promise else None,
        ",".join(k.value for k in analysis.distress.kinds) if analysis.distress else "",
        ",".join(f.rule.value for f in analysis.compliance_flags),
        usage_json(item.analyzer),
    )


class Store:
    """A pooled connection to PostgreSQL. Every method maps connection trouble to StoreUnavailableError."""

    def __init__(self, pool: asyncpg.Pool, output_topic: str, scrub: Scrubber | None = None) -> None:
        self._pool = pool
        self._output_topic = output_topic
        self._scrub = scrub or Scrubber(())

    def unreachable(self, exc: BaseException) -> str:
        """The message for connection trouble, with any secret of the DSN masked."""
        return self._scrub(unreachable_message(exc))

    @classmethod
    @asynccontextmanager
    async def connect(
        cls, dsn: str, *, output_topic: str, min_size: int = 2, max_size: int = 10
    ) -> AsyncIterator[Store]:
        """Open the pool for the lifetime of the context. TLS follows ``sslmode`` (and ``sslrootcert``)
        in the DSN; the DSN's password never appears in the errors raised."""
        scrub = Scrubber(url_secrets(dsn))
        try:
            pool = await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size, command_timeout=30)
        except TRANSIENT_DB_ERRORS as exc:
            raise StoreUnavailableError(scrub(f"cannot connect to PostgreSQL: {exc}")) from exc
        except ValueError as exc:  # e.g. a port that is not a number
            raise ConfigurationError(scrub(f"DATABASE_URL is not usable: {exc}")) from None
        try:
            yield cls(pool, output_topic, scrub)
        finally:
            await pool.close()

    @property
    def pool(self) -> asyncpg.Pool:
        """The underlying pool (the outbox relay shares it)."""
        return self._pool

    async def migrate(self) -> list[str]:
        """Apply the shipped migrations not applied yet; return their names (``consumer.db.migrations``)."""
        return await apply_migrations(self._pool, unreachable=self.unreachable)

    async def missing_migrations(self) -> list[str]:
        """The shipped migrations not applied yet (readiness waits for them)."""
        try:
            return await missing_migrations(self._pool)
        except TRANSIENT_DB_ERRORS as exc:
            raise StoreUnavailableError(self.unreachable(exc)) from exc

    async def ping(self) -> None:
        """Raise StoreUnavailableError when the database does not answer."""
        try:
            await self._pool.fetchval("SELECT 1")
        except TRANSIENT_DB_ERRORS as exc:
            raise StoreUnavailableError(self.unreachable(exc)) from exc

    async def find_many(self, event_ids: Sequence[uuid.UUID]) -> list[StoredInsight | None]:
        """The stored insights of several source events (None where not stored), in one query."""
        try:
            rows = await self._pool.fetch(_SELECT_BY_EVENTS, list(event_ids))
        except TRANSIENT_DB_ERRORS as exc:
            raise StoreUnavailableError(self.unreachable(exc)) from exc
        found = {row["event_id"]: stored_from_row(row, created=False) for row in rows}
        return [found.get(event_id) for event_id in event_ids]

    async def analysis_versions(self, event_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        """The ``analysis_version`` of each of these events that is stored (absent: not stored)."""
        try:
            rows = await self._pool.fetch(_SELECT_VERSIONS, list(event_ids))
        except TRANSIENT_DB_ERRORS as exc:
            raise StoreUnavailableError(self.unreachable(exc)) from exc
        return {row["event_id"]: row["analysis_version"] for row in rows}

    async def save_reanalyses(self, items: Sequence[Reanalysis]) -> list[StoredInsight | None]:
        """Replace the analysis of stored rows and add their outbox entries, in one transaction.

        A row is updated only while it is still at the item's ``base_version``: its analysis
        columns are rewritten, ``analysis_version`` goes up by one, ``updated_at`` is set, and an
        InsightEvent with the new version's id (``insight_event_id``) is queued. Saving the same
        items again changes nothing: those rows have moved past their base version, and their
        result is None (as for a row that is not stored at all). Connection trouble raises
        StoreUnavailableError; data PostgreSQL refuses raises its own error for the whole batch.
        """
        try:
            return await self._save_reanalyses(items)
        except TRANSIENT_DB_ERRORS as exc:
            raise StoreUnavailableError(self.unreachable(exc)) from exc

    async def _save_reanalyses(self, items: Sequence[Reanalysis]) -> list[StoredInsight | None]:
        if not items:
            return []
        analyses = [_analysis_json(item.insight.analysis) for item in items]
        rows = []
        for item, analysis_json in zip(items, analyses, strict=True):
            values = _record_values(item.insight, analysis_json)
            # from _record_values: intent..summary, intent_category..processing_time_ms,
            # processed_at, insight..analyzer_usage
            rows.append(
                (
                    item.insight.event.event_id,
                    item.base_version,
                    *values[2:6],
                    *values[9:13],
                    values[15],
                    *values[16:],
                )
            )
        columns = [list(col) for col in zip(*rows, strict=True)]
        async with self._pool.acquire() as conn, conn.transaction():
            updated = {r["event_id"]: r for r in await conn.fetch(_UPDATE_ANALYSES, *columns)}
            results: list[StoredInsight | None] = []
            for item in items:
                row = updated.get(item.insight.event.event_id)
                if row is None:
                    results.append(None)
                    continue
                new = item.insight
                results.append(
                    StoredInsight(
                        record_id=row["id"],
                        unique_id=row["unique_id"],
                        event_id=row["event_id"],
                        call_id=row["call_id"],
                        transcript=row["transcript"],
                        analysis=new.analysis,
                        analyzer=new.analyzer,
                        processed_at=new.processed_at,
                        processing_time_ms=new.processing_time_ms,
                        created=False,
                        analysis_version=row["analysis_version"],
                    )
                )
            done = [(r, a) for r, a in zip(results, analyses, strict=True) if r is not None]
            if done:
                events = [insight_event_json(r, analysis) for r, analysis in done]
                await conn.execute(
                    _INSERT_OUTBOX,
                    [event_id for event_id, _ in events],
                    [r.record_id for r, _ in done],
                    [self._output_topic] * len(done),
                    [r.call_id.encode() for r, _ in done],
                    [payload for _, payload in events],
                    [i.insight.traceparent for i, r in zip(items, results, strict=True) if r is not None],
                )
        return results

    async def save_many(self, items: Sequence[NewInsight]) -> list[StoredInsight | InsightsError]:
        """Insert rows and their outbox entries in one transaction; idempotent on ``event_id``.

        An event stored before is not written again: its result is the row stored the first time
        (``created=False``) and no outbox entry is added. When the data of the batch is refused (by
        PostgreSQL or its driver), each item is retried alone so only the offending one fails
        (StoreRejectedError).
        Connection trouble raises StoreUnavailableError for the whole batch.
        """
        try:
            return list(await self._save_batch(items))
        except TRANSIENT_DB_ERRORS as exc:
            raise StoreUnavailableError(self.unreachable(exc)) from exc
        except Exception as exc:  # the data was refused, by PostgreSQL or on its way there
            if len(items) == 1:
                return [StoreRejectedError(self._scrub(f"record refused: {type(exc).__name__}: {exc}"))]
            # the driver's message may quote the refused values: the text goes to DEBUG only
            log.warning(
                "a batch of %d was refused (%s); saving its records one by one",
                len(items),
                type(exc).__name__,
            )
            log.debug("batch refused: %s", exc)
        results: list[StoredInsight | InsightsError] = []
        for item in items:
            results.extend(await self.save_many([item]))
        return results

    async def _save_batch(self, items: Sequence[NewInsight]) -> list[StoredInsight]:
        analyses = [_analysis_json(item.analysis) for item in items]
        rows = [_record_values(item, analysis) for item, analysis in zip(items, analyses, strict=True)]
        columns = [list(col) for col in zip(*rows, strict=True)]
        async with self._pool.acquire() as conn, conn.transaction():
            inserted = {r["event_id"]: r["id"] for r in await conn.fetch(_INSERT_RECORDS, *columns)}
            results: list[StoredInsight | None] = []
            for item, values in zip(items, rows, strict=True):
                record_id = inserted.pop(item.event.event_id, None)
                if record_id is None:
                    results.append(None)
                    continue
                results.append(item.stored(record_id=record_id, unique_id=values[0], transcript=values[1]))
            new = [(r, a, item) for r, a, item in zip(results, analyses, items, strict=True) if r is not None]
            created = [r for r, _, _ in new]
            if created:
                events = [insight_event_json(r, analysis) for r, analysis, _ in new]
                await conn.execute(
                    _INSERT_OUTBOX,
                    [event_id for event_id, _ in events],
                    [r.record_id for r in created],
                    [self._output_topic] * len(created),
                    [r.call_id.encode() for r in created],
                    [payload for _, payload in events],
                    [item.traceparent for _, _, item in new],
                )
            missing = [item.event.event_id for item, r in zip(items, results, strict=True) if r is None]
            if missing:
                existing = {
                    row["event_id"]: stored_from_row(row, created=False)
                    for row in await conn.fetch(_SELECT_BY_EVENTS, missing)
                }
        return [
            r if r is not None else existing[item.event.event_id]
            for item, r in zip(items, results, strict=True)
        ]
