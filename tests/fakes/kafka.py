"""In-memory stand-ins for the Kafka side of ``consumer.kafka.stream.StreamProcessor``: a consumer
that hands out given records and records commits, a dead-letter publisher that keeps them, and a
stream running over them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiokafka.structs import TopicPartition

from consumer.errors import InsightsError
from consumer.kafka.stream import StreamProcessor
from consumer.observability.metrics import Metrics
from consumer.retry import Backoff

TOPIC = "telephony.transcripts"
TP = TopicPartition(TOPIC, 0)


@dataclass
class Rec:
    """The fields of an aiokafka ConsumerRecord the stream reads."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...] = ()
    timestamp: int = -1  # milliseconds since the epoch; -1: none


@dataclass
class FakeConsumer:
    """Hands out the given records once (more can be ``feed``-ed), then nothing; records commits."""

    records: list[Rec]
    tp: TopicPartition = TP
    committed: dict[TopicPartition, int] = field(default_factory=dict)
    paused_now: set[TopicPartition] = field(default_factory=set)
    pauses: int = 0

    def subscribe(self, topics: list[str], listener: object) -> None: ...

    def feed(self, *records: Rec) -> None:
        self.records.extend(records)

    def assignment(self) -> set[TopicPartition]:
        return {self.tp}

    async def getmany(self, *, timeout_ms: int, max_records: int) -> dict[TopicPartition, list[Rec]]:
        if self.records and self.tp not in self.paused_now:
            out, self.records = self.records[:max_records], self.records[max_records:]
            return {self.tp: out}
        await asyncio.sleep(0.01)
        return {}

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.committed.update(offsets)

    def pause(self, *tps: TopicPartition) -> None:
        self.pauses += 1
        self.paused_now.update(tps)

    def resume(self, *tps: TopicPartition) -> None:
        self.paused_now.difference_update(tps)

    def paused(self) -> set[TopicPartition]:
        return set(self.paused_now)


class FakeDeadLetters:
    """Keeps every dead letter; ``all_sent`` is set once ``expect`` of them arrived."""

    def __init__(self, expect: int = 0) -> None:
        self.sent: list[tuple[Rec, InsightsError, int]] = []
        self.all_sent = asyncio.Event()
        self.expect = expect

    async def send(self, rec: Rec, error: InsightsError, attempts: int) -> None:
        self.sent.append((rec, error, attempts))
        if len(self.sent) >= self.expect:
            self.all_sent.set()


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait until ``condition`` holds (the fakes have no event for each thing a test waits on)."""
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.005)


@asynccontextmanager
async def running(
    consumer: FakeConsumer,
    pipeline: Any,
    dead_letters: FakeDeadLetters | None = None,
    *,
    max_buffered: int = 100,
    metrics: Metrics | None = None,
) -> AsyncIterator[StreamProcessor]:
    """A stream over ``consumer`` running until the block ends, with short test timings."""
    stream = StreamProcessor(
        consumer,  # type: ignore[arg-type]
        dead_letters or FakeDeadLetters(),  # type: ignore[arg-type]
        pipeline,
        topic=TP.topic,
        max_transcript_bytes=10_000,
        max_buffered=max_buffered,
        commit_interval_s=0.02,
        shutdown_timeout_s=2.0,
        metrics=metrics if metrics is not None else Metrics(),
        backoff=Backoff(initial_s=0.001, cap_s=0.002),
    )
    stop = asyncio.Event()
    task = asyncio.create_task(stream.run(stop))
    try:
        yield stream
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)
