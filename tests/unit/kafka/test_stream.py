"""The stream processor on an in-memory consumer: per-key order, dead letters, what is committed,
and back-pressure. (The real broker's behaviour is in tests/integration.)"""

from __future__ import annotations

import asyncio
import json
import uuid

from consumer.db.insights import StoredInsight
from consumer.errors import InsightsError, StoreUnavailableError
from schemas import TranscriptEvent
from tests.fakes.kafka import TP, FakeConsumer, FakeDeadLetters, Rec, running, until
from tests.fakes.pipeline import FakePipeline


def record(offset: int, key: str | None = "call-1", value: bytes | None = None) -> Rec:
    if value is None:
        body = {
            "event_id": str(uuid.uuid4()),
            "call_id": key or "c",
            "transcript": f"Customer: offset {offset}",
        }
        value = json.dumps(body).encode()
    return Rec(TP.topic, TP.partition, offset, key.encode() if key else None, value)


def offset_of(event: TranscriptEvent) -> int:
    return int(event.text().rsplit(" ", 1)[1])


class GatedPipeline:
    """Records the order events start and finish in; an event whose offset is in ``held`` waits
    until released; ``fail`` maps an offset to how many retriable failures it gets first."""

    def __init__(self, held: set[int] | None = None, fail: dict[int, int] | None = None) -> None:
        self.started: list[int] = []
        self.finished: list[int] = []
        self.gates = {offset: asyncio.Event() for offset in held or ()}
        self.fail = dict(fail or {})
        self.changed = asyncio.Event()
        self._stored = FakePipeline()

    def release(self, offset: int) -> None:
        self.gates[offset].set()

    async def process(self, event: TranscriptEvent, *, source: str) -> StoredInsight:
        offset = offset_of(event)
        self.started.append(offset)
        if self.fail.get(offset, 0) > 0:
            self.fail[offset] -= 1
            raise StoreUnavailableError("PostgreSQL unreachable")
        if offset in self.gates:
            await self.gates[offset].wait()
        self.finished.append(offset)
        self.changed.set()
        return await self._stored.process(event, source=source)


def committed(consumer: FakeConsumer) -> int | None:
    offset = consumer.committed.get(TP)
    return getattr(offset, "offset", offset)


async def test_one_key_in_order_other_keys_alongside() -> None:
    pipeline = GatedPipeline(held={0})
    consumer = FakeConsumer([record(0, "a"), record(1, "a"), record(2, "b")])
    async with running(consumer, pipeline):
        await until(lambda: pipeline.finished == [2])  # b does not wait for a's first record
        assert pipeline.started == [0, 2]  # a's second record waits for its first
        pipeline.release(0)
        await until(lambda: len(pipeline.finished) == 3)
    assert pipeline.finished == [2, 0, 1]


async def test_commits_only_below_the_lowest_unfinished_record() -> None:
    pipeline = GatedPipeline(held={1})
    consumer = FakeConsumer([record(0, "a"), record(1, "b"), record(2, "c"), record(3, "d")])
    async with running(consumer, pipeline):
        await until(lambda: sorted(pipeline.finished) == [0, 2, 3])
        await until(lambda: committed(consumer) == 1)
        await asyncio.sleep(0.1)
        assert committed(consumer) == 1  # 2 and 3 are done, but 1 is not
        pipeline.release(1)
        await until(lambda: committed(consumer) == 4)


async def test_a_bad_record_is_dead_lettered_and_committed_past() -> None:
    pipeline = GatedPipeline()
    dead_letters = FakeDeadLetters(expect=2)
    consumer = FakeConsumer([record(0, "a", b"{not json"), record(1, "b"), record(2, None, None)])
    consumer.records[2].value = None  # a tombstone
    async with running(consumer, pipeline, dead_letters):
        await asyncio.wait_for(dead_letters.all_sent.wait(), timeout=5)
        await until(lambda: committed(consumer) == 3)
    assert [(r.offset, e.reason, n) for r, e, n in dead_letters.sent] == [
        (0, "not_json", 1),
        (2, "not_object", 1),
    ]
    assert pipeline.finished == [1]


async def test_a_retriable_failure_is_retried_not_dead_lettered() -> None:
    pipeline = GatedPipeline(fail={0: 3})
    dead_letters = FakeDeadLetters()
    consumer = FakeConsumer([record(0, "a")])
    async with running(consumer, pipeline, dead_letters) as stream:
        await until(lambda: pipeline.finished == [0])
        await until(lambda: committed(consumer) == 1)
    assert pipeline.started == [0, 0, 0, 0]
    assert stream.stats.retries == 3
    assert dead_letters.sent == []


async def test_a_failure_that_will_not_pass_is_dead_lettered_with_its_attempts() -> None:
    class Refusing:
        async def process(self, event: TranscriptEvent, *, source: str) -> None:
            raise InsightsError("value refused", reason="db_rejected")

    dead_letters = FakeDeadLetters(expect=1)
    consumer = FakeConsumer([record(0, "a")])
    async with running(consumer, Refusing(), dead_letters):
        await asyncio.wait_for(dead_letters.all_sent.wait(), timeout=5)
        await until(lambda: committed(consumer) == 1)
    assert [(e.reason, n) for _, e, n in dead_letters.sent] == [("db_rejected", 1)]


async def test_fetching_pauses_at_max_buffered_and_resumes_below_half() -> None:
    held = set(range(8))
    pipeline = GatedPipeline(held=held)
    consumer = FakeConsumer([record(i, f"k{i}") for i in range(8)])
    async with running(consumer, pipeline, max_buffered=8) as stream:
        await until(lambda: stream.paused)
        assert consumer.paused_now == {TP}
        consumer.feed(record(8, "k8"))
        for offset in range(3):
            pipeline.release(offset)
        await asyncio.sleep(0.1)
        assert stream.paused  # 5 still buffered: above half of 8
        pipeline.release(3)
        await until(lambda: not stream.paused)
        await until(lambda: 8 in pipeline.finished)
        for offset in range(4, 8):
            pipeline.release(offset)
        await until(lambda: committed(consumer) == 9)


async def test_a_backlog_is_taken_no_faster_than_max_buffered_leaves_room() -> None:
    pipeline = GatedPipeline(held=set(range(30)))
    consumer = FakeConsumer([record(i, f"k{i}") for i in range(30)])
    async with running(consumer, pipeline, max_buffered=8) as stream:
        await until(lambda: stream.paused)
        await asyncio.sleep(0.05)
        assert stream.buffered == 8
        assert sorted(pipeline.started) == list(range(8))
        for offset in range(30):
            pipeline.release(offset)
        await until(lambda: committed(consumer) == 30)
    assert sorted(pipeline.finished) == list(range(30))


async def test_shutdown_drains_what_is_in_flight_and_commits_it() -> None:
    pipeline = GatedPipeline(held={0})
    consumer = FakeConsumer([record(0, "a")])
    async with running(consumer, pipeline):
        await until(lambda: pipeline.started == [0])
        asyncio.get_running_loop().call_later(0.05, pipeline.release, 0)
    assert pipeline.finished == [0]
    assert committed(consumer) == 1
