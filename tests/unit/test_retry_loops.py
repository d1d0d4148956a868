"""The three retry loops wait the retry policy's delays: the stream processor (a record and its dead
letter), the outbox relay and start-up's wait for the broker; shutdown still cuts their waits short."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
import uuid
from typing import Any

import pytest
from aiokafka.errors import KafkaConnectionError

from consumer import app
from consumer.db import outbox
from consumer.db.insights import StoredInsight
from consumer.db.outbox import OutboxRelay
from consumer.errors import ConfigurationError, InsightsError, StoreUnavailableError
from consumer.kafka import stream as stream_module
from consumer.kafka.stream import StreamProcessor
from consumer.observability.metrics import Metrics
from consumer.retry import Backoff
from consumer.settings import Settings
from tests.fakes.kafka import TP, FakeConsumer, Rec
from tests.fakes.pipeline import FakePipeline


class CeilingRandom(random.Random):
    """Draws the top of every window: the longest wait the policy allows."""

    def uniform(self, a: float, b: float) -> float:
        return b


def seeded(seed: int, *, initial_s: float = 0.5, cap_s: float = 30.0) -> Backoff:
    return Backoff(initial_s=initial_s, cap_s=cap_s, rng=random.Random(seed))


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays every loop asked to wait, returned at once instead of waited."""
    delays: list[float] = []

    async def fake_sleep(stop: asyncio.Event, delay: float) -> bool:
        delays.append(delay)
        await asyncio.sleep(0)
        return not stop.is_set()

    for module in (stream_module, outbox, app):
        monkeypatch.setattr(module, "sleep_unless", fake_sleep)
    return delays


# --- the stream processor ---------------------------------------------------------------------


class FlakyPipeline:
    """Fails ``failures`` times with a retriable error (or for ever with None), then succeeds."""

    def __init__(self, failures: int | None) -> None:
        self.failures = failures
        self.calls = 0
        self.failed = asyncio.Event()
        self.done = asyncio.Event()

    async def process(self, event: Any, *, source: str) -> StoredInsight:
        self.calls += 1
        if self.failures is None or self.calls <= self.failures:
            self.failed.set()
            raise StoreUnavailableError("PostgreSQL not reachable")
        self.done.set()
        return await FakePipeline().process(event, source=source)


class FlakyDeadLetters:
    """Refuses ``failures`` publishes as an unreachable broker would, then takes them."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0
        self.sent: list[tuple[Rec, InsightsError, int]] = []
        self.done = asyncio.Event()

    async def send(self, rec: Rec, error: InsightsError, attempts: int) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise KafkaConnectionError("broker not reachable")
        self.sent.append((rec, error, attempts))
        self.done.set()


def event_record(offset: int = 10) -> Rec:
    value = {
        "event_id": str(uuid.uuid4()),
        "call_id": "call-1",
        "transcript": "Agent: namaste. Customer: haan.",
    }
    return Rec(TP.topic, TP.partition, offset, b"call-1", json.dumps(value).encode())


def stream_of(
    records: list[Rec], pipeline: Any, dead_letters: Any, backoff: Backoff
) -> tuple[StreamProcessor, FakeConsumer]:
    consumer = FakeConsumer(records)
    stream = StreamProcessor(
        consumer,  # type: ignore[arg-type]
        dead_letters,
        pipeline,
        topic=TP.topic,
        max_transcript_bytes=100_000,
        max_buffered=100,
        commit_interval_s=0.01,
        metrics=Metrics(),
        backoff=backoff,
    )
    return stream, consumer


async def test_stream_retries_a_record_with_the_policys_delays(
    slept: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    pipeline = FlakyPipeline(failures=9)  # more than any attempt limit: a transient failure waits
    stream, consumer = stream_of([event_record()], pipeline, FlakyDeadLetters(0), seeded(11))
    stop = asyncio.Event()
    with caplog.at_level(logging.WARNING, logger="consumer.kafka.stream"):
        runner = asyncio.create_task(stream.run(stop))
        await asyncio.wait_for(pipeline.done.wait(), timeout=10)
        stop.set()
        await runner
    reference = seeded(11)
    assert slept == [reference.delay(n) for n in range(1, 10)]
    assert (stream.stats.retries, stream.stats.processed, stream.stats.dead_lettered) == (9, 1, 0)
    assert consumer.committed[TP] == 11
    retrying = [r.getMessage() for r in caplog.records if "retrying in" in r.getMessage()]
    assert len(retrying) == 9
    assert retrying[0].startswith("event ")
    assert f"retrying in {slept[0]:.1f}s (attempt 1)" in retrying[0]


async def test_stream_retries_a_dead_letter_with_the_policys_delays(slept: list[float]) -> None:
    dead_letters = FlakyDeadLetters(failures=4)
    not_json = Rec(TP.topic, TP.partition, 10, None, b"{not json")
    stream, consumer = stream_of([not_json], FlakyPipeline(0), dead_letters, seeded(12))
    stop = asyncio.Event()
    runner = asyncio.create_task(stream.run(stop))
    await asyncio.wait_for(dead_letters.done.wait(), timeout=10)
    stop.set()
    await runner
    reference = seeded(12)
    assert slept == [reference.delay(n) for n in range(1, 5)]
    assert [(error.reason, attempts) for _, error, attempts in dead_letters.sent] == [("not_json", 1)]
    assert consumer.committed[TP] == 11


async def test_shutdown_ends_a_streams_backoff_at_once() -> None:
    pipeline = FlakyPipeline(failures=None)
    backoff = Backoff(initial_s=60.0, cap_s=60.0, rng=CeilingRandom())  # a full minute's wait
    stream, consumer = stream_of([event_record()], pipeline, FlakyDeadLetters(0), backoff)
    stop = asyncio.Event()
    runner = asyncio.create_task(stream.run(stop))
    await asyncio.wait_for(pipeline.failed.wait(), timeout=10)
    started = time.monotonic()
    stop.set()
    await asyncio.wait_for(runner, timeout=10)
    assert time.monotonic() - started < 5.0
    assert pipeline.calls == 1  # abandoned, not tried again
    assert consumer.committed.get(TP, 10) == 10  # not past the abandoned record: redelivered
    assert stream.stats.dead_lettered == 0


# --- the outbox relay ---------------------------------------------------------------------------


class FlakyRelay(OutboxRelay):
    """A relay whose batches fail as given (True: a broker error) and then find nothing to publish."""

    def __init__(self, outcomes: list[bool], backoff: Backoff) -> None:
        super().__init__(None, None, idle_interval_s=0.01, metrics=Metrics(), backoff=backoff)  # type: ignore[arg-type]
        self.outcomes = outcomes
        self.calls = 0
        self.failed = asyncio.Event()
        self.settled = asyncio.Event()

    async def publish_batch(self) -> int:
        self.calls += 1
        if self.outcomes:
            if self.outcomes.pop(0):
                self.failed.set()
                raise KafkaConnectionError("broker not reachable")
        else:
            self.settled.set()
        return 0


async def test_relay_backs_off_with_the_policys_delays_and_keeps_going(
    slept: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    # eight failures, a success, then two failures: the count starts again after the success
    relay = FlakyRelay([True] * 8 + [False] + [True] * 2, seeded(21, initial_s=1.0, cap_s=15.0))
    stop = asyncio.Event()
    with caplog.at_level(logging.WARNING, logger="consumer.db.outbox"):
        runner = asyncio.create_task(relay.run(stop))
        await asyncio.wait_for(relay.settled.wait(), timeout=10)
        stop.set()
        await asyncio.wait_for(runner, timeout=10)
    reference = seeded(21, initial_s=1.0, cap_s=15.0)
    expected = [reference.delay(n) for n in range(1, 9)] + [reference.delay(n) for n in (1, 2)]
    assert slept == expected
    assert all(0.0 <= d <= 15.0 for d in slept)
    assert relay.last_error is None
    failures = [r.getMessage() for r in caplog.records if "outbox relay cannot publish yet" in r.getMessage()]
    assert [m.split("(attempt ")[1].split(")")[0] for m in failures] == [*map(str, range(1, 9)), "1", "2"]


async def test_shutdown_ends_a_relays_backoff_at_once() -> None:
    relay = FlakyRelay([True] * 100, Backoff(initial_s=60.0, cap_s=60.0, rng=CeilingRandom()))
    stop = asyncio.Event()
    runner = asyncio.create_task(relay.run(stop))
    await asyncio.wait_for(relay.failed.wait(), timeout=10)
    started = time.monotonic()
    stop.set()
    await asyncio.wait_for(runner, timeout=10)
    assert time.monotonic() - started < 5.0
    assert relay.calls == 2  # the flush after the wait, as before


# --- start-up's wait for the broker -------------------------------------------------------------


class Broker:
    """Stands in for ensure_topics: unreachable ``failures`` times (or for ever with None)."""

    def __init__(self, failures: int | None, error: Exception | None = None) -> None:
        self.failures = failures
        self.error = error or KafkaConnectionError("Unable to bootstrap from [('kafka', 9092)]")
        self.calls = 0
        self.first_failure = asyncio.Event()

    async def ensure_topics(self, settings: Settings) -> None:
        self.calls += 1
        if self.failures is None or self.calls <= self.failures:
            self.first_failure.set()
            raise self.error


@pytest.fixture
def settings() -> Settings:
    return Settings(kafka_bootstrap_servers="kafka.invalid:9092")


@pytest.fixture
def broker_down(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Install a Broker; the connection check finds nothing a configuration change would fix."""

    async def no_cause(options: Any) -> None:
        return None

    monkeypatch.setattr(app, "explain_connection_failure", no_cause)

    def install(broker: Broker) -> Broker:
        monkeypatch.setattr(app, "ensure_topics", broker.ensure_topics)
        return broker

    return install


async def test_startup_waits_the_policys_delays(
    settings: Settings, broker_down: Any, slept: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    broker = broker_down(Broker(failures=6))
    with caplog.at_level(logging.WARNING, logger="consumer.app"):
        await app.wait_for_kafka(settings, asyncio.Event(), backoff=seeded(31, cap_s=5.0))
    reference = seeded(31, cap_s=5.0)
    assert slept == [reference.delay(n) for n in range(1, 7)]
    assert broker.calls == 7
    expected = (
        "Kafka at kafka.invalid:9092 not reachable yet "
        "(KafkaConnectionError: Unable to bootstrap from [('kafka', 9092)]); retrying"
    )
    assert [r.getMessage() for r in caplog.records] == [expected] * 6


async def test_startup_gives_up_after_its_deadline_with_the_brokers_error(
    settings: Settings, broker_down: Any
) -> None:
    broker = broker_down(Broker(failures=None))
    started = time.monotonic()
    with pytest.raises(KafkaConnectionError, match="Unable to bootstrap"):
        await app.wait_for_kafka(
            settings, asyncio.Event(), timeout_s=0.3, backoff=Backoff(initial_s=0.01, cap_s=0.05)
        )
    elapsed = time.monotonic() - started
    assert 0.3 <= elapsed < 5.0
    assert broker.calls >= 3


async def test_startup_stops_at_once_on_a_configuration_error(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, slept: list[float]
) -> None:
    broker = Broker(failures=None)
    monkeypatch.setattr(app, "ensure_topics", broker.ensure_topics)

    async def refused(options: Any) -> ConfigurationError:
        return ConfigurationError("Kafka refused the SASL credentials")

    monkeypatch.setattr(app, "explain_connection_failure", refused)
    with pytest.raises(ConfigurationError, match="refused the SASL credentials"):
        await app.wait_for_kafka(settings, asyncio.Event())
    assert (broker.calls, slept) == (1, [])


async def test_startup_does_not_retry_other_errors(
    settings: Settings, broker_down: Any, slept: list[float]
) -> None:
    broker = broker_down(Broker(failures=None, error=ValueError("not a broker problem")))
    with pytest.raises(ValueError, match="not a broker problem"):
        await app.wait_for_kafka(settings, asyncio.Event())
    assert (broker.calls, slept) == (1, [])


async def test_shutdown_ends_startups_wait_at_once(settings: Settings, broker_down: Any) -> None:
    broker = broker_down(Broker(failures=None))
    stop = asyncio.Event()
    backoff = Backoff(initial_s=60.0, cap_s=60.0, rng=CeilingRandom())
    waiting = asyncio.create_task(app.wait_for_kafka(settings, stop, backoff=backoff))
    await asyncio.wait_for(broker.first_failure.wait(), timeout=10)
    started = time.monotonic()
    stop.set()
    with pytest.raises(KafkaConnectionError):
        await asyncio.wait_for(waiting, timeout=10)
    assert time.monotonic() - started < 5.0
    assert broker.calls == 2  # one more try after the wait, then the failure is raised, as before
