"""The metrics behind the dashboard's latency, database and analyzer panels: end-to-end and outbox
latency, write transactions, the connection pool and whether the analyzer can serve."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from consumer.analyzer.offline import OfflineAnalyzer
from consumer.db.outbox import OutboxRelay
from consumer.errors import AnalyzerUnavailableError
from consumer.observability.metrics import Metrics
from consumer.pipeline import Pipeline
from tests.fakes.kafka import TP, FakeConsumer, Rec, running, until
from tests.fakes.pipeline import FakePipeline
from tests.fakes.store import FakeStore
from tests.unit.observability.test_metrics import transcript_event, value


def bucket_le(metrics: Metrics, name: str, le: str) -> float | None:
    return value(metrics, f"{name}_bucket", le=le)


# --- end to end: the record's timestamp to the stored insight --------------------------------------


def kafka_record(offset: int, timestamp_ms: int, event_id: uuid.UUID | None = None) -> Rec:
    body = {
        "event_id": str(event_id or uuid.uuid4()),
        "call_id": f"c-{offset}",
        "transcript": "Customer: kal 5000 bhar dunga.",
    }
    return Rec(
        TP.topic, TP.partition, offset, f"c-{offset}".encode(), json.dumps(body).encode(), (), timestamp_ms
    )


async def run_stream(records: list[Rec], metrics: Metrics) -> FakeConsumer:
    consumer = FakeConsumer(records)
    async with running(consumer, FakePipeline(), metrics=metrics) as stream:
        await until(lambda: stream.stats.processed >= len(records))
    return consumer


async def test_end_to_end_counts_new_insights_from_their_record_timestamp() -> None:
    metrics = Metrics()
    now_ms = int(time.time() * 1000)
    repeated = uuid.uuid4()
    await run_stream(
        [
            kafka_record(0, now_ms - 3_000),  # produced 3 s ago
            kafka_record(1, now_ms - 40_000),  # 40 s ago
            kafka_record(2, now_ms - 1_000, repeated),
            kafka_record(3, now_ms - 1_000, repeated),  # the same event again: nothing new stored
            kafka_record(4, -1),  # no timestamp
        ],
        metrics,
    )
    name = "insights_end_to_end_seconds"
    assert value(metrics, f"{name}_count") == 3
    assert bucket_le(metrics, name, "2.5") == 1
    assert bucket_le(metrics, name, "5.0") == 2
    assert bucket_le(metrics, name, "30.0") == 2
    assert bucket_le(metrics, name, "60.0") == 3


async def test_a_record_stamped_in_the_future_counts_as_zero() -> None:
    metrics = Metrics()
    await run_stream([kafka_record(0, int(time.time() * 1000) + 60_000)], metrics)
    assert value(metrics, "insights_end_to_end_seconds_count") == 1
    assert bucket_le(metrics, "insights_end_to_end_seconds", "0.01") == 1


# --- the outbox relay: stored to acknowledged -----------------------------------------------------


class FakeConnection:
    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows

    async def fetch(self, query: str, limit: int) -> list[dict[str, Any]]:
        out, self.rows = self.rows[:limit], self.rows[limit:]
        return out

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        yield


class FakePool:
    """The part of an asyncpg pool the relay's publishing uses, and the sizes the gauges read."""

    def __init__(self, rows: list[dict[str, Any]] | None = None, size: int = 0, idle: int = 0) -> None:
        self.conn = FakeConnection(rows or [])
        self.size, self.idle, self.max = size, idle, 10

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[FakeConnection]:
        yield self.conn

    def get_size(self) -> int:
        return self.size

    def get_idle_size(self) -> int:
        return self.idle

    def get_max_size(self) -> int:
        return self.max


class FakeProducer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes]] = []

    async def send(
        self, topic: str, *, value: bytes, key: bytes | None, headers: Any
    ) -> asyncio.Future[None]:
        self.sent.append((topic, value))
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done


def outbox_rows(*ages_s: float) -> Iterator[dict[str, Any]]:
    now = datetime.now(UTC)
    for i, age in enumerate(ages_s, start=1):
        yield {
            "id": i,
            "event_id": uuid.uuid4(),
            "created_at": now - timedelta(seconds=age),
            "topic": "call.insights",
            "key": b"k",
            "payload": b"{}",
            "traceparent": None,
        }


async def test_outbox_delay_is_observed_per_published_event() -> None:
    metrics = Metrics()
    producer = FakeProducer()
    pool = FakePool(list(outbox_rows(0.2, 3.0, 45.0)))
    relay = OutboxRelay(pool, producer, metrics=metrics)  # type: ignore[arg-type]

    assert await relay.publish_batch() == 3
    assert await relay.publish_batch() == 0

    name = "insights_outbox_delay_seconds"
    assert len(producer.sent) == 3
    assert value(metrics, f"{name}_count") == 3
    assert bucket_le(metrics, name, "0.5") == 1
    assert bucket_le(metrics, name, "5.0") == 2
    assert bucket_le(metrics, name, "30.0") == 2
    assert bucket_le(metrics, name, "60.0") == 3
    assert value(metrics, "insights_outbox_published_total") == 3


# --- the database: write transactions and the pool ------------------------------------------------


async def test_each_write_transaction_is_timed() -> None:
    metrics = Metrics()
    pipeline = Pipeline(OfflineAnalyzer(), FakeStore(), max_in_flight=4, metrics=metrics)  # type: ignore[arg-type]
    await pipeline.process(transcript_event(), source="kafka")
    await pipeline.process(transcript_event(), source="http")
    assert value(metrics, "insights_db_write_duration_seconds_count") == 2


def test_pool_gauges_are_read_when_scraped() -> None:
    metrics = Metrics()
    assert value(metrics, "insights_db_pool_connections", state="in_use") is None  # no pool yet
    pool = FakePool(size=4, idle=1)
    metrics.watch_pool(pool)

    assert value(metrics, "insights_db_pool_connections", state="in_use") == 3
    assert value(metrics, "insights_db_pool_connections", state="idle") == 1
    assert value(metrics, "insights_db_pool_max_connections") == 10
    pool.size, pool.idle = 10, 0
    assert value(metrics, "insights_db_pool_connections", state="in_use") == 10
    assert value(metrics, "insights_db_pool_connections", state="idle") == 0


# --- the analyzer ---------------------------------------------------------------------------------


async def test_analyzer_up_follows_its_health_check_at_each_refresh() -> None:
    metrics = Metrics()
    down = False

    async def check() -> None:
        if down:
            raise AnalyzerUnavailableError("LLM circuit open", reason="llm_circuit_open")

    metrics.watch_analyzer(check)
    await metrics.refresh()
    assert value(metrics, "insights_analyzer_up") == 1
    down = True
    await metrics.refresh()
    assert value(metrics, "insights_analyzer_up") == 0
    down = False
    await metrics.refresh()
    assert value(metrics, "insights_analyzer_up") == 1


async def test_the_offline_analyzer_is_up_and_its_configuration_ok() -> None:
    metrics = Metrics()
    metrics.watch_analyzer(OfflineAnalyzer().check)
    await metrics.refresh()
    assert value(metrics, "insights_analyzer_up") == 1
    assert value(metrics, "insights_llm_config_ok") == 1  # no LLM configuration to refuse
