"""The service: Kafka consumer, outbox relay and HTTP sidecar in one process and one event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from aiohttp import web
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, KafkaError, TopicAlreadyExistsError
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_delay

from consumer.analyzer import Analyzer, build_analyzer, native
from consumer.db.dead_letters import DeadLetterJournal
from consumer.db.idempotency import IdempotencyKeys
from consumer.db.migrations import shipped_migrations
from consumer.db.outbox import OutboxRelay
from consumer.db.pool import TRANSIENT_DB_ERRORS
from consumer.db.queries import InsightReader
from consumer.db.store import Store
from consumer.errors import InsightsError
from consumer.event_loop import running_loop_name
from consumer.gc_tuning import settle
from consumer.http.access import SERVER_OPTIONS, SecurityConfig
from consumer.http.app import create_app
from consumer.http.deps import SidecarDeps
from consumer.kafka.clients import explain_connection_failure, kafka_client_options
from consumer.kafka.stream import DeadLetters, StreamProcessor
from consumer.observability import tracing
from consumer.observability.metrics import Metrics
from consumer.observability.secrets import redact_url
from consumer.pipeline import Pipeline
from consumer.readiness import service_checks
from consumer.retry import Backoff, sleep_unless
from consumer.settings import Settings

log = logging.getLogger(__name__)


async def ensure_topics(settings: Settings) -> None:
    """Create the input, output and dead-letter topics when they do not exist yet."""
    admin = AIOKafkaAdminClient(**kafka_client_options(settings))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [settings.kafka_input_topic, settings.kafka_output_topic, settings.kafka_dlq_topic]
        missing = [
            NewTopic(name=t, num_partitions=settings.kafka_topic_partitions, replication_factor=1)
            for t in wanted
            if t not in existing
        ]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
            log.info("created topics %s", [t.name for t in missing])
    finally:
        await admin.close()


@asynccontextmanager
async def kafka_producer(settings: Settings) -> AsyncIterator[AIOKafkaProducer]:
    """Producer with ``acks=all``, for InsightEvents and dead letters.

    Not idempotent: aiokafka's idempotent producer fails a batch that outlived ``request_timeout_ms``
    without a leader but keeps its sequence numbers, so after a broker outage longer than that every
    later send fails with OutOfOrderSequenceNumber until restart (aio-libs/aiokafka#1017); its batches
    also never expire, so sends and ``stop()`` wait as long as the broker is down. Without it a retry
    can duplicate a record, which consumers tolerate anyway: a re-published InsightEvent carries the
    same ``event_id``. Order per partition holds (aiokafka sends one batch per partition at a time).
    """
    producer = AIOKafkaProducer(
        **kafka_client_options(settings),
        acks="all",
        linger_ms=5,
        max_batch_size=1_048_576,
        request_timeout_ms=30_000,
    )
    await producer.start()
    try:
        yield producer
    finally:
        await producer.stop()


@asynccontextmanager
async def kafka_consumer(settings: Settings) -> AsyncIterator[AIOKafkaConsumer]:
    """Group consumer with auto-commit off: offsets are committed by the StreamProcessor."""
    consumer = AIOKafkaConsumer(
        **kafka_client_options(settings),
        group_id=settings.kafka_group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=4 * 1_048_576,
        fetch_max_bytes=16 * 1_048_576,
        session_timeout_ms=settings.kafka_session_timeout_ms,
        heartbeat_interval_ms=min(3_000, settings.kafka_session_timeout_ms // 3),
        max_poll_interval_ms=300_000,
        # How long the group waits for members to rejoin. aiokafka defaults it to the session
        # timeout, shorter than the time a revoked partition may take to drain its in-flight work
        # (StreamProcessor.release), which would drop this member from the group mid-rebalance.
        rebalance_timeout_ms=max(60_000, settings.kafka_session_timeout_ms),
    )
    await consumer.start()
    try:
        yield consumer
    finally:
        try:
            await consumer.stop()
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise
            # aiokafka's Fetcher.close() re-raises the cancellation of a fetch that was backing off
            # after a failed request (broker unreachable) instead of swallowing it (aio-libs/aiokafka#647)
            log.warning("Kafka consumer stopped uncleanly (broker unreachable?)")


@asynccontextmanager
async def open_analyzer(settings: Settings, metrics: Metrics | None = None) -> AsyncIterator[Analyzer]:
    """The configured analyzer, closed on exit."""
    analyzer = build_analyzer(settings, metrics)
    try:
        start = getattr(analyzer, "start", None)
        if start is not None:  # worker processes start before the first event, not during it
            await start()
        yield analyzer
    finally:
        await analyzer.aclose()


async def wait_for_kafka(
    settings: Settings, stop: asyncio.Event, *, timeout_s: float = 120.0, backoff: Backoff | None = None
) -> None:
    """Create topics, retrying while the broker is not reachable yet; stop at once with a
    ConfigurationError when it refuses our credentials or we do not trust its certificate.

    Between tries it waits the service's backoff with full jitter (0.5 s doubling up to 5 s by
    default); a ``stop`` ends the wait at once. After ``timeout_s``, or once ``stop`` is set, the
    last failure is raised.
    """

    async def create_topics() -> None:
        try:
            await ensure_topics(settings)
        except KafkaConnectionError:
            cause = await explain_connection_failure(kafka_client_options(settings))
            if cause is not None:
                raise cause from None
            raise

    deadline = stop_after_delay(timeout_s)

    def give_up(state: RetryCallState) -> bool:
        return stop.is_set() or deadline(state)

    async def wait(delay: float) -> None:
        await sleep_unless(stop, delay)

    def log_retry(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome is not None else None
        log.warning("Kafka at %s not reachable yet (%s); retrying", settings.kafka_bootstrap_servers, exc)

    retrying = AsyncRetrying(
        wait=backoff if backoff is not None else Backoff(initial_s=0.5, cap_s=5.0),
        stop=give_up,
        retry=retry_if_exception_type((KafkaError, OSError)),
        sleep=wait,
        before_sleep=log_retry,
        reraise=True,
    )
    await retrying(create_topics)


def install_signal_handlers(stop: asyncio.Event) -> None:
    """First SIGTERM/SIGINT: graceful drain. Second: exit at once (the outbox and uncommitted
    offsets make that safe: unfinished records are redelivered, stored ones are published later)."""
    loop = asyncio.get_running_loop()

    def on_signal(signum: int) -> None:
        if stop.is_set():
            log.warning("second signal: exiting now")
            os._exit(128 + signum)
        log.info("signal %s: draining", signal.Signals(signum).name)
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal, sig)


async def run_service(
    settings: Settings, stop: asyncio.Event | None = None, *, handle_signals: bool = True
) -> None:
    """Run until ``stop`` (or a signal), then drain, flush, commit and close in reverse order."""
    stop = stop or asyncio.Event()
    if handle_signals:
        install_signal_handlers(stop)
    metrics = Metrics(process=True)
    async with AsyncExitStack() as stack:
        # first: the clients and the HTTP app created below are instrumented when tracing is on
        stack.enter_context(tracing.from_environment())
        log.info(
            "PostgreSQL at %s; Kafka at %s over %s; event loop: %s",
            redact_url(settings.database_url.get_secret_value()),
            settings.kafka_bootstrap_servers,
            settings.kafka_security_protocol,
            running_loop_name(),
        )
        store = await stack.enter_async_context(
            Store.connect(
                settings.database_url.get_secret_value(),
                output_topic=settings.kafka_output_topic,
                min_size=settings.db_pool_min,
                max_size=settings.db_pool_max,
            )
        )
        metrics.watch_pool(store.pool)
        applied = await store.migrate()
        if applied:
            log.info("applied migrations: %s", ", ".join(applied))
        await wait_for_kafka(settings, stop)
        producer = await stack.enter_async_context(kafka_producer(settings))
        consumer = await stack.enter_async_context(kafka_consumer(settings))
        analyzer = await stack.enter_async_context(open_analyzer(settings, metrics))
        metrics.watch_analyzer(analyzer.check)
        relay = OutboxRelay(store.pool, producer, metrics=metrics)
        journal = DeadLetterJournal(store.pool)
        stack.push_async_callback(journal.aclose)
        pipeline = Pipeline(
            analyzer,
            store,
            max_in_flight=settings.max_in_flight,
            on_stored=relay.wake,
            redact_stored=settings.redact_stored,
            lookup_first=analyzer.info.provider != "offline",  # an analysis costs more than a query
            metrics=metrics,
        )
        stream = StreamProcessor(
            consumer,
            DeadLetters(producer, settings.kafka_dlq_topic, journal),
            pipeline,
            topic=settings.kafka_input_topic,
            max_transcript_bytes=settings.max_transcript_bytes,
            max_buffered=max(settings.max_buffered, settings.max_in_flight),
            shutdown_timeout_s=settings.shutdown_timeout_s,
            metrics=metrics,
        )
        stream.subscribe()

        async def database_health() -> Mapping[str, Any]:
            await store.ping()
            return {"pool_size": store.pool.get_size()}

        async def kafka_health() -> Mapping[str, Any]:
            await producer.client.fetch_all_metadata()
            try:
                outbox_pending: int | None = await relay.pending()
            except TRANSIENT_DB_ERRORS:
                outbox_pending = None  # the database is down: its own check says so, not Kafka's
            return {
                "assigned_partitions": len(consumer.assignment()),
                "buffered": stream.buffered,
                "paused": stream.paused,
                "consumed": stream.stats.consumed,
                "processed": stream.stats.processed,
                "dead_lettered": stream.stats.dead_lettered,
                "outbox_pending": outbox_pending,
                "outbox_last_error": relay.last_error,
            }

        async def analyzer_health() -> Mapping[str, Any]:
            status = getattr(analyzer, "status", None)
            detail: dict[str, Any] = status() if callable(status) else analyzer.info.model_dump()
            try:
                await analyzer.check()
            except InsightsError as exc:
                exc.detail = {**detail, "reason": exc.reason}
                raise
            return {**detail, "in_flight": pipeline.in_flight}

        deps = SidecarDeps(
            security=SecurityConfig.from_settings(settings),
            idempotency=IdempotencyKeys(
                store.pool,
                ttl_s=settings.idempotency_ttl_hours * 3600,
                lease_s=settings.http_request_timeout_s + 10,
                unreachable=store.unreachable,
            ),
            pipeline=pipeline,
            reader=InsightReader(store.pool, store.unreachable),
            health_checks={"database": database_health, "kafka": kafka_health, "analyzer": analyzer_health},
            readiness_checks=service_checks(
                store, stream, analyzer, provider=analyzer.info.provider, migrations=len(shipped_migrations())
            ),
            metrics=metrics,
            info={
                "analyzer": analyzer.info.model_dump(),
                "topics": {
                    "input": settings.kafka_input_topic,
                    "output": settings.kafka_output_topic,
                    "dead_letter": settings.kafka_dlq_topic,
                },
            },
        )
        runner = web.AppRunner(create_app(deps), access_log=None, shutdown_timeout=10.0, **SERVER_OPTIONS)
        await runner.setup()
        site = web.TCPSite(runner, settings.http_host, settings.http_port)
        await site.start()
        log.info(
            "call-insights up: http://%s:%d, consuming %s, analyzer %s/%s (analysis core: %s)",
            settings.http_host,
            settings.http_port,
            settings.kafka_input_topic,
            analyzer.info.provider,
            analyzer.info.model,
            native.status().reason,
        )
        settle(gen0_threshold=50_000)
        relay_stop = asyncio.Event()
        try:
            async with asyncio.TaskGroup() as tasks:
                stream_task = tasks.create_task(stream.run(stop), name="stream")
                tasks.create_task(relay.run(relay_stop), name="outbox-relay")
                await stream_task
                await runner.cleanup()
                relay_stop.set()
        finally:
            await runner.cleanup()
        log.info(
            "stopped: consumed=%d processed=%d dead_lettered=%d published=%d",
            stream.stats.consumed,
            stream.stats.processed,
            stream.stats.dead_lettered,
            relay.published,
        )
