"""The outbox relay: publishes stored InsightEvents to Kafka and deletes their outbox rows.

A batch of rows is deleted, published, and the deletion committed only once the broker has
acknowledged every event of the batch. Rows are claimed with ``FOR UPDATE SKIP LOCKED`` so several
instances can relay side by side; a crash or a broker error before the commit rolls the deletion
back, so the same InsightEvents (same ``event_id``) are published again, never lost. While the
broker or the database is down the relay keeps trying, waiting the service's backoff with full jitter
(``consumer.retry``; 1 s doubling up to 15 s by default) between tries. Each row keeps the
``traceparent`` of the work that stored it, which its publication continues.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from consumer.db.pool import TRANSIENT_DB_ERRORS
from consumer.observability import tracing
from consumer.observability.metrics import Metrics
from consumer.retry import Backoff, sleep_unless
from schemas.cloudevents import insight_headers

log = logging.getLogger(__name__)

# published_at: rows an older relay marked instead of deleting (during a rolling upgrade)
_CLAIM = """
DELETE FROM insight_outbox WHERE id IN (
    SELECT id FROM insight_outbox WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
)
RETURNING id, event_id, created_at, topic, key, payload, traceparent
"""
_PRUNE = "DELETE FROM insight_outbox WHERE published_at IS NOT NULL"


class OutboxRelay:
    """Moves outbox rows to Kafka in batches, woken by new rows and by a timer."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        producer: AIOKafkaProducer,
        *,
        batch_size: int = 500,
        idle_interval_s: float = 1.0,
        metrics: Metrics | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        self._pool = pool
        self._producer = producer
        self._batch_size = batch_size
        self._idle_interval_s = idle_interval_s
        self._backoff = backoff if backoff is not None else Backoff(initial_s=1.0, cap_s=15.0)
        self._wake = asyncio.Event()
        self.published = 0
        self.last_error: str | None = None
        self._metrics = metrics if metrics is not None else Metrics()
        self._metrics.add_refresher("outbox_backlog", self.refresh_backlog)

    def wake(self) -> None:
        """New rows were committed: publish them now rather than at the next tick."""
        self._wake.set()

    async def publish_batch(self) -> int:
        """Publish up to one batch of pending rows; return how many were published."""
        async with self._pool.acquire() as conn, conn.transaction():
            rows = sorted(await conn.fetch(_CLAIM, self._batch_size), key=lambda row: row["id"])
            if not rows:
                return 0
            if tracing.enabled():
                await self._publish_traced(rows)
            else:
                futures = [  # in id order: a call's InsightEvents keep the order they were stored in
                    await self._producer.send(
                        row["topic"],
                        value=row["payload"],
                        key=row["key"],
                        headers=insight_headers(row["event_id"], row["created_at"])
                        + tracing.passthrough_headers(row["traceparent"]),
                    )
                    for row in rows
                ]
                await asyncio.gather(*futures)
        self.published += len(rows)
        acknowledged = datetime.now(UTC)
        for row in rows:  # created_at is the database's clock: a skew shows here, clamped at 0
            self._metrics.outbox_delay_seconds.observe(
                max(0.0, (acknowledged - row["created_at"]).total_seconds())
            )
        self._metrics.outbox_published.inc(len(rows))
        return len(rows)

    async def _publish_traced(self, rows: Sequence[asyncpg.Record]) -> None:
        """Publish ``rows`` each under a ``publish`` span continuing the trace that stored it; the
        aiokafka instrumentation writes the ``traceparent`` of its send span beneath it."""
        spans = [tracing.start_publish(row["traceparent"], row["topic"]) for row in rows]
        futures = []
        for row, span in zip(rows, spans, strict=True):
            with tracing.activated(span):
                futures.append(
                    await self._producer.send(
                        row["topic"],
                        value=row["payload"],
                        key=row["key"],
                        headers=insight_headers(row["event_id"], row["created_at"]),
                    )
                )
        try:
            await asyncio.gather(*futures)
        except BaseException as exc:
            tracing.end_publish(spans, exc)
            raise
        tracing.end_publish(spans)

    async def pending(self) -> int:
        """Rows not yet published."""
        return int(
            await self._pool.fetchval("SELECT count(*) FROM insight_outbox WHERE published_at IS NULL")
        )

    async def refresh_backlog(self) -> None:
        """Set the outbox-backlog gauge (one count of the outbox, which holds only unsent rows)."""
        self._metrics.outbox_backlog.set(await self.pending())

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until ``stop`` is set, then flush what is pending once more and return."""
        failures = 0
        ticks = 0
        while True:
            self._wake.clear()
            try:
                while await self.publish_batch() == self._batch_size:
                    pass
                ticks += 1
                if ticks % 60 == 0:
                    await self._pool.execute(_PRUNE)
                failures = 0
                self.last_error = None
            except (KafkaError, *TRANSIENT_DB_ERRORS) as exc:
                failures += 1
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("outbox relay cannot publish yet (attempt %d): %s", failures, self.last_error)
            if stop.is_set():
                return
            if failures:  # back off; new rows do not cut the wait short, shutdown does
                await sleep_unless(stop, self._backoff.delay(failures))
                continue
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
            _, pending = await asyncio.wait(
                waiters, timeout=self._idle_interval_s, return_when=asyncio.FIRST_COMPLETED
            )
            for fut in pending:
                fut.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await fut
