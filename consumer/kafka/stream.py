"""The Kafka side: poll, dispatch with per-key order, dead-letter, commit what is finished.

- Up to ``MAX_IN_FLIGHT`` analyses at once regardless of partition count (the pipeline's limit);
  records with the same key (``call_id``) are processed one after another, in offset order.
- The poll loop never waits on processing; it takes no more records than ``MAX_BUFFERED`` leaves room
  for, and when buffered work reaches it the assigned partitions are paused, and resumed once it
  falls below half of that. (A drain at SIGTERM and a revoke at a rebalance wait for what is
  buffered, so with a slow LLM a small ``MAX_BUFFERED`` keeps both short.)
- An offset is committed only when every record below it has finished: stored (its transaction
  committed), dead-lettered (the broker acknowledged it) or found already stored.
- Transient failures (LLM unavailable, database or broker down) wait and retry, without a limit on
  attempts, while holding the record's position; the wait is the service's backoff with full jitter
  (``consumer.retry``; 0.5 s doubling up to 30 s by default), and shutdown ends it at once, abandoning
  the record to be redelivered. Everything else goes to the dead-letter topic with a reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeAlias

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError
from aiokafka.structs import ConsumerRecord

from consumer.db.dead_letters import DeadLetterEntry, DeadLetterJournal
from consumer.errors import InsightsError, InvalidEventError
from consumer.events import parse_event
from consumer.kafka.offsets import OffsetTracker
from consumer.observability import tracing
from consumer.observability.logs import bind
from consumer.observability.metrics import Metrics
from consumer.pipeline import Pipeline
from consumer.retry import Backoff, sleep_unless
from schemas.cloudevents import dead_letter_headers

log = logging.getLogger(__name__)

Record: TypeAlias = ConsumerRecord[bytes, bytes]


@dataclass
class StreamStats:
    """Counters for /health and the benchmark."""

    consumed: int = 0
    processed: int = 0
    dead_lettered: int = 0
    retries: int = 0
    commits: int = 0


class DeadLetters:
    """Publishes a record, unchanged, to the dead-letter topic with the reason in its headers."""

    def __init__(
        self, producer: AIOKafkaProducer, topic: str, journal: DeadLetterJournal | None = None
    ) -> None:
        self._producer = producer
        self._topic = topic
        self._journal = journal

    async def send(self, record: Record, error: InsightsError, attempts: int) -> None:
        """Publish and wait for the broker's acknowledgement; then note it in the journal, if any."""
        failed_at = datetime.now(UTC)
        headers = [
            ("x-dlq-reason", error.reason.encode()),
            ("x-dlq-error", str(error)[:1000].encode("utf-8", "replace")),
            ("x-dlq-original-topic", record.topic.encode()),
            ("x-dlq-original-partition", str(record.partition).encode()),
            ("x-dlq-original-offset", str(record.offset).encode()),
            ("x-dlq-attempts", str(attempts).encode()),
            ("x-dlq-failed-at", failed_at.isoformat().encode()),
            *dead_letter_headers(
                record.topic,
                record.partition,
                record.offset,
                failed_at,
                json_value=error.reason not in ("not_utf8", "not_json"),
            ),
            *tracing.passthrough_headers(tracing.header_traceparent(record.headers)),
        ]
        await self._producer.send_and_wait(self._topic, value=record.value, key=record.key, headers=headers)
        if self._journal is not None:
            self._journal.record(
                DeadLetterEntry(
                    reason=error.reason,
                    error=str(error),
                    original_topic=record.topic,
                    original_partition=record.partition,
                    original_offset=record.offset,
                    key=record.key,
                    attempts=attempts,
                    failed_at=failed_at,
                )
            )


class _Rebalance(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, stream: StreamProcessor) -> None:
        self._stream = stream

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self._stream.release(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        self._stream.joined = True
        log.info("assigned partitions: %s", sorted(f"{tp.topic}[{tp.partition}]" for tp in assigned))


class StreamProcessor:
    """Runs the consumer until ``stop`` is set, then drains, commits and returns."""

    def __init__(
        self,
        consumer: AIOKafkaConsumer,
        dead_letters: DeadLetters,
        pipeline: Pipeline,
        *,
        topic: str,
        max_transcript_bytes: int,
        max_buffered: int,
        commit_interval_s: float = 1.0,
        shutdown_timeout_s: float = 30.0,
        revoke_timeout_s: float = 10.0,
        final_commit_timeout_s: float = 10.0,
        metrics: Metrics | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        self._consumer = consumer
        self._dead_letters = dead_letters
        self._pipeline = pipeline
        self._topic = topic
        self._max_transcript_bytes = max_transcript_bytes
        self._high = max_buffered
        self._low = max(1, max_buffered // 2)
        self._commit_interval_s = commit_interval_s
        self._shutdown_timeout_s = shutdown_timeout_s
        self._revoke_timeout_s = revoke_timeout_s
        self._final_commit_timeout_s = final_commit_timeout_s
        # between tries of one record, and of publishing its dead letter
        self._backoff = backoff if backoff is not None else Backoff(initial_s=0.5, cap_s=30.0)
        self._tracker: OffsetTracker[TopicPartition] = OffsetTracker()
        self._tails: dict[Any, asyncio.Task[None]] = {}
        self._tasks: dict[TopicPartition, set[asyncio.Task[None]]] = defaultdict(set)
        self._below_low = asyncio.Event()
        self._stopping = asyncio.Event()
        self._commit_lock = asyncio.Lock()
        self.paused = False
        self.joined = False  # a group join completed (possibly with no partition for us)
        self.stats = StreamStats()
        self._metrics = metrics if metrics is not None else Metrics()
        self._consumed = self._metrics.events_consumed
        self._end_to_end = self._metrics.end_to_end_seconds
        self._metrics.records_buffered.set_function(lambda: self.buffered)
        self._metrics.consumer_paused.set_function(lambda: int(self.paused))
        self._metrics.add_refresher("consumer_lag", self.refresh_lag)

    @property
    def buffered(self) -> int:
        """Records handed out and not finished."""
        return self._tracker.pending()

    def assigned_partitions(self) -> int:
        """How many partitions this member holds now."""
        return len(self._consumer.assignment())

    def subscribe(self) -> None:
        """Subscribe to the input topic with our rebalance listener."""
        self._consumer.subscribe([self._topic], listener=_Rebalance(self))

    async def run(self, stop: asyncio.Event) -> None:
        """Poll and dispatch until ``stop``; then drain in-flight work, commit and return."""
        committer = asyncio.create_task(self._commit_loop(), name="offset-committer")
        try:
            while not stop.is_set():
                if self.paused:
                    self._below_low.clear()
                    if self.buffered > self._low:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._below_low.wait(), timeout=1.0)
                    if self.buffered <= self._low:
                        self._resume()
                    continue
                # never more than the room left: a SIGTERM or a rebalance waits for what is buffered
                room = max(1, min(1000, self._high - self.buffered))
                batch = await self._consumer.getmany(timeout_ms=500, max_records=room)
                for tp, records in batch.items():
                    self._consumed.inc(len(records))
                    for record in records:
                        self._submit(tp, record)
                if self.buffered >= self._high:
                    self._pause()
        finally:
            self._stopping.set()
            await self._drain()
            committer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await committer
            await self._final_commit()

    def _pause(self) -> None:
        assigned = self._consumer.assignment()
        if assigned:
            self._consumer.pause(*assigned)
        self.paused = True
        log.debug("paused fetching with %d records buffered", self.buffered)

    def _resume(self) -> None:
        paused = self._consumer.paused()
        if paused:
            self._consumer.resume(*paused)
        self.paused = False

    def _submit(self, tp: TopicPartition, record: Record) -> None:
        self.stats.consumed += 1
        self._tracker.add(tp, record.offset)
        key: Any = record.key if record.key is not None else (tp, record.offset)
        previous = self._tails.get(key)
        task = asyncio.create_task(self._run_in_order(tp, record, previous))
        self._tails[key] = task
        self._tasks[tp].add(task)

        def _finished(t: asyncio.Task[None]) -> None:
            if self._tails.get(key) is t:
                del self._tails[key]
            self._tasks[tp].discard(t)
            if self.buffered <= self._low:
                self._below_low.set()

        task.add_done_callback(_finished)

    async def _run_in_order(
        self, tp: TopicPartition, record: Record, previous: asyncio.Task[None] | None
    ) -> None:
        bind(topic=record.topic, partition=record.partition, offset=record.offset)  # this task's lines
        if previous is not None:
            await asyncio.wait([previous])
        with tracing.process_span(record.headers, record.topic, record.partition, record.offset):
            finished = await self._handle(record)
        if finished:
            self._tracker.done(tp, record.offset)

    async def _handle(self, record: Record) -> bool:
        """Process one record to a final outcome; False when abandoned (shutdown or revoke)."""
        try:
            with tracing.span("parse"):
                event = parse_event(record.value, max_transcript_bytes=self._max_transcript_bytes)
        except InvalidEventError as exc:
            log.warning(
                "dead-lettering %s[%d]@%d: %s", record.topic, record.partition, record.offset, exc.reason
            )
            return await self._dead_letter(record, exc, attempts=1)
        except Exception as exc:
            log.exception(
                "unexpected failure parsing %s[%d]@%d", record.topic, record.partition, record.offset
            )
            error = InsightsError(f"{type(exc).__name__}: {exc}", reason="internal_error")
            return await self._dead_letter(record, error, attempts=1)
        bind(event_id=event.event_id, call_id=event.call_id)
        if tracing.enabled():
            tracing.set_attributes(
                {"insights.event_id": str(event.event_id), "insights.call_id": event.call_id}
            )
        attempt = 0
        while True:
            attempt += 1
            try:
                stored = await self._pipeline.process(event, source="kafka")
            except InsightsError as exc:
                if not exc.retriable:
                    # the error text may quote the data (a refused value): kept for DEBUG and the header
                    log.warning(
                        "dead-lettering event %s (call %s): %s (%s)",
                        event.event_id,
                        event.call_id,
                        exc.reason,
                        type(exc).__name__,
                    )
                    log.debug("event %s: %s", event.event_id, exc)
                    return await self._dead_letter(record, exc, attempts=attempt)
                self.stats.retries += 1
                self._metrics.event_retries(exc.reason).inc()
                delay = self._backoff.delay(attempt)
                log.warning(
                    "event %s: %s, retrying in %.1fs (attempt %d): %s",
                    event.event_id,
                    exc.reason,
                    delay,
                    attempt,
                    exc,
                )
                if not await self._sleep(delay):
                    return False
            except Exception as exc:
                log.exception("event %s: unexpected failure", event.event_id)
                error = InsightsError(f"{type(exc).__name__}: {exc}", reason="internal_error")
                return await self._dead_letter(record, error, attempts=attempt)
            else:
                self.stats.processed += 1
                if stored.created and record.timestamp > 0:  # -1: the broker gave no timestamp
                    self._end_to_end.observe(max(0.0, time.time() - record.timestamp / 1000))
                return True

    async def _dead_letter(self, record: Record, error: InsightsError, *, attempts: int) -> bool:
        tracing.set_attributes({"insights.dead_letter_reason": error.reason})
        failures = 0
        while True:
            try:
                await self._dead_letters.send(record, error, attempts)
            except KafkaError as exc:
                failures += 1
                log.warning("cannot publish dead letter yet (attempt %d): %s", failures, exc)
                if not await self._sleep(self._backoff.delay(failures)):
                    return False
            else:
                self.stats.dead_lettered += 1
                self._metrics.dead_letters(error.reason).inc()
                return True

    async def _sleep(self, delay: float) -> bool:
        """Wait ``delay`` seconds; False if shutdown began meanwhile (the record is then abandoned)."""
        return await sleep_unless(self._stopping, delay)

    async def _drain(self) -> None:
        tasks = [t for group in self._tasks.values() for t in group]
        if not tasks:
            return
        log.info("draining %d in-flight records (up to %.0fs)", len(tasks), self._shutdown_timeout_s)
        _, pending = await asyncio.wait(tasks, timeout=self._shutdown_timeout_s)
        for task in pending:
            task.cancel()
        if pending:
            log.warning("abandoned %d unfinished records; they will be redelivered", len(pending))
            await asyncio.wait(pending)

    async def refresh_lag(self) -> None:
        """Publish each assigned partition's lag: highwater minus the offset to commit next.

        Both are known locally (the highwater from the last fetch response), so this makes no
        request; a partition not fetched yet is left out.
        """
        lags: dict[tuple[str, int], int] = {}
        for tp in self._consumer.assignment():
            try:
                high = self._consumer.highwater(tp)
                if high is None:
                    continue
                point = self._tracker.commit_point(tp)
                if point is None:  # nothing handed out yet: the consumer's position
                    point = await asyncio.wait_for(self._consumer.position(tp), timeout=0.2)
            except (AssertionError, IllegalStateError, TimeoutError):
                continue  # revoked meanwhile, or no position yet
            lags[(tp.topic, tp.partition)] = max(0, high - point)
        self._metrics.set_lag(lags)

    async def release(self, revoked: set[TopicPartition]) -> None:
        """Rebalance: finish (or abandon) revoked partitions' work, commit it, forget them."""
        tasks = [t for tp in revoked for t in self._tasks.get(tp, ())]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=self._revoke_timeout_s)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending)
        await self.commit(only=revoked)
        for tp in revoked:
            self._tracker.forget(tp)
            self._tasks.pop(tp, None)
        self._below_low.set()

    async def commit(self, only: set[TopicPartition] | None = None) -> None:
        """Commit every partition's finished prefix."""
        async with self._commit_lock:
            offsets = self._tracker.to_commit()
            assigned = self._consumer.assignment()
            offsets = {
                tp: off for tp, off in offsets.items() if tp in assigned and (only is None or tp in only)
            }
            if not offsets:
                return
            try:
                await self._consumer.commit(offsets)
            except CommitFailedError as exc:
                log.warning("commit refused (group rebalanced); records will be redelivered: %s", exc)
                return
            except KafkaError as exc:
                log.warning("commit failed, will retry: %s", exc)
                return
            self._tracker.mark_committed(offsets)
            self.stats.commits += 1

    async def _final_commit(self) -> None:
        """Commit at shutdown, giving up after a while: aiokafka waits for an unreachable group
        coordinator without end, and uncommitted records are only redelivered, never lost."""
        try:
            async with asyncio.timeout(self._final_commit_timeout_s):
                await self.commit()
        except TimeoutError:
            log.warning(
                "final commit timed out after %.0fs (broker unreachable?); finished records after the "
                "last commit will be redelivered",
                self._final_commit_timeout_s,
            )

    async def _commit_loop(self) -> None:
        while True:
            await asyncio.sleep(self._commit_interval_s)
            started = time.perf_counter()
            await self.commit()
            log.debug("commit took %.1f ms", (time.perf_counter() - started) * 1000)
