"""PostgreSQL: migrations, and writing an insight together with its outbox entry in one transaction."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import asyncpg

from consumer.errors import StoreUnavailableError
from schemas import AnalyzerInfo, CallAnalysis, InsightEvent, TranscriptEvent

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "sql"

# Errors that mean "the database is not there right now", as opposed to a bug in our SQL.
TRANSIENT_DB_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    ConnectionError,
    TimeoutError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.SerializationError,
    asyncpg.exceptions.DeadlockDetectedError,
    # the database or role is missing, e.g. while it is being restored
    asyncpg.exceptions.InvalidCatalogNameError,
    asyncpg.exceptions.InvalidAuthorizationSpecificationError,
)

_INSERT_RECORD = """
INSERT INTO call_records (
    unique_id, transcript, intent, sentiment, action_required, summary, metadata,
    event_id, call_id, intent_category, analyzer_provider, analyzer_model,
    processing_time_ms, call_started_at, source, created_at, updated_at
) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)
ON CONFLICT (event_id) DO NOTHING
RETURNING id
"""

_SELECT_BY_EVENT = """
SELECT id, unique_id, transcript, intent, sentiment, action_required, summary, call_id,
       intent_category, analyzer_provider, analyzer_model, processing_time_ms, created_at, event_id
FROM call_records WHERE event_id = $1
"""

_INSERT_OUTBOX = """
INSERT INTO insight_outbox (event_id, record_id, topic, key, payload) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (event_id) DO NOTHING
"""


@dataclass(frozen=True, slots=True)
class StoredInsight:
    """A call_records row as the pipeline and the sidecar need it."""

    record_id: int
    unique_id: str
    event_id: uuid.UUID
    call_id: str
    transcript: str
    analysis: CallAnalysis
    analyzer: AnalyzerInfo
    processed_at: datetime
    processing_time_ms: float
    created: bool  # False when the event had been stored before (a redelivery)

    def insight_event(self) -> InsightEvent:
        """The InsightEvent that announces this row."""
        return InsightEvent(
            event_id=InsightEvent.id_for(self.event_id),
            source_event_id=self.event_id,
            call_id=self.call_id,
            record_id=self.record_id,
            unique_id=self.unique_id,
            customer_intent=self.analysis.customer_intent,
            intent_category=self.analysis.intent_category,
            sentiment=self.analysis.sentiment,
            action_required=self.analysis.action_required,
            summary=self.analysis.summary,
            analyzer=self.analyzer,
            processed_at=self.processed_at,
            processing_time_ms=self.processing_time_ms,
        )


def _row_to_stored(row: asyncpg.Record, *, created: bool) -> StoredInsight:
    return StoredInsight(
        record_id=row["id"],
        unique_id=row["unique_id"],
        event_id=row["event_id"],
        call_id=row["call_id"],
        transcript=row["transcript"],
        analysis=CallAnalysis(
            customer_intent=row["intent"] or "Unknown",
            intent_category=row["intent_category"],
            sentiment=row["sentiment"] or "Neutral",
            action_required=bool(row["action_required"]),
            summary=row["summary"] or "-",
        ),
        analyzer=AnalyzerInfo(
            provider=row["analyzer_provider"] or "offline", model=row["analyzer_model"] or "unknown"
        ),
        processed_at=row["created_at"],
        processing_time_ms=row["processing_time_ms"] or 0.0,
        created=created,
    )


class Store:
    """A pooled connection to PostgreSQL. Every method maps connection trouble to StoreUnavailableError."""

    def __init__(self, pool: asyncpg.Pool, output_topic: str) -> None:
        self._pool = pool
        self._output_topic = output_topic

    @classmethod
    @asynccontextmanager
    async def connect(
        cls, dsn: str, *, output_topic: str, min_size: int = 2, max_size: int = 10
    ) -> AsyncIterator[Store]:
        """Open the pool for the lifetime of the context."""
        try:
            pool = await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size, command_timeout=30)
        except TRANSIENT_DB_ERRORS as exc:
            raise StoreUnavailableError(f"cannot connect to PostgreSQL: {exc}") from exc
        try:
            yield cls(pool, output_topic)
        finally:
            await pool.close()

    @property
    def pool(self) -> asyncpg.Pool:
        """The underlying pool (the outbox relay shares it)."""
        return self._pool

    async def migrate(self) -> list[str]:
        """Apply the migrations in ``sql/`` that have not been applied yet; return their names."""
        return await apply_migrations(self._pool)

    async def ping(self) -> None:
        """Raise StoreUnavailableError when the database does not answer."""
        try:
            await self._pool.fetchval("SELECT 1")
        except TRANSIENT_DB_ERRORS as exc:
            raise StoreUnavailableError(f"PostgreSQL unreachable: {exc}") from exc

    async def find(self, event_id: uuid.UUID) -> StoredInsight | None:
        """The stored insight of a source event, if any."""
        try:
            row = await self._pool.fetchrow(_SELECT_BY_EVENT, event_id)
        except TRANSIENT_DB_ERRORS as exc:
            raise StoreUnavailableError(f"PostgreSQL unreachable: {exc}") from exc
        return _row_to_stored(row, created=False) if row else None

    async def save(
        self,
        event: TranscriptEvent,
        analysis: CallAnalysis,
        analyzer: AnalyzerInfo,
        *,
        processed_at: datetime,
        processing_time_ms: float,
        source: str,
    ) -> StoredInsight:
        """Insert the row and its outbox entry in one transaction; idempotent on ``event_id``.

        A second save of the same event writes nothing and returns the row stored the first time.
        """
        metadata = dict(event.metadata)
        for name in ("language", "agent_id", "account_ref"):
            value = getattr(event, name)
            if value is not None:
                metadata.setdefault(name, value)
        transcript = event.text()
        unique_id = str(uuid.uuid4())
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                record_id = await conn.fetchval(
                    _INSERT_RECORD,
                    unique_id,
                    transcript,
                    analysis.customer_intent,
                    analysis.sentiment.value,
                    analysis.action_required,
                    analysis.summary,
                    json.dumps(metadata, ensure_ascii=False, default=str),
                    event.event_id,
                    event.call_id,
                    analysis.intent_category.value,
                    analyzer.provider,
                    analyzer.model,
                    processing_time_ms,
                    event.call_started_at,
                    source,
                    processed_at,
                )
                if record_id is None:
                    row = await conn.fetchrow(_SELECT_BY_EVENT, event.event_id)
                    return _row_to_stored(row, created=False)
                stored = StoredInsight(
                    record_id=record_id,
                    unique_id=unique_id,
                    event_id=event.event_id,
                    call_id=event.call_id,
                    transcript=transcript,
                    analysis=analysis,
                    analyzer=analyzer,
                    processed_at=processed_at,
                    processing_time_ms=processing_time_ms,
                    created=True,
                )
                insight = stored.insight_event()
                await conn.execute(
                    _INSERT_OUTBOX,
                    insight.event_id,
                    record_id,
                    self._output_topic,
                    event.call_id.encode(),
                    insight.model_dump_json().encode(),
                )
                return stored
        except TRANSIENT_DB_ERRORS as exc:
            raise StoreUnavailableError(f"PostgreSQL unreachable: {exc}") from exc

    async def count_records(self) -> int:
        """Number of rows in call_records."""
        return int(await self._pool.fetchval("SELECT count(*) FROM call_records"))


def read_migrations(directory: Path = MIGRATIONS_DIR) -> list[tuple[str, str]]:
    """The numbered ``.sql`` files of ``directory`` as (name, text), in order."""
    files = sorted(directory.glob("[0-9][0-9][0-9][0-9]_*.sql"))
    if not files:
        msg = f"no migrations found in {directory}"
        raise FileNotFoundError(msg)
    return [(path.name, path.read_text(encoding="utf-8")) for path in files]


async def apply_migrations(pool: asyncpg.Pool, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply numbered ``.sql`` files in order, each once, recorded in ``schema_migrations``.

    An advisory lock makes concurrent starts of several instances safe.
    """
    migrations = read_migrations(directory)
    applied: list[str] = []
    try:
        async with pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock(727001)")
            try:
                await conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations ("
                    " name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW())"
                )
                done = {r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations")}
                for name, sql in migrations:
                    if name in done:
                        continue
                    async with conn.transaction():
                        await conn.execute(sql)
                        await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
                    log.info("applied migration %s", name)
                    applied.append(name)
            finally:
                await conn.execute("SELECT pg_advisory_unlock(727001)")
    except TRANSIENT_DB_ERRORS as exc:
        raise StoreUnavailableError(f"PostgreSQL unreachable: {exc}") from exc
    return applied
